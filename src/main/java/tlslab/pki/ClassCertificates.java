package tlslab.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import tlslab.common.LabException;
import tlslab.pki.internal.CaRecords;
import tlslab.pki.internal.CertIssuer;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.KeyStores;
import tlslab.pki.internal.LabCa;
import tlslab.pki.internal.PemIo;
import tlslab.pki.internal.SecureFiles;

/**
 * Certificates for a whole class: one bundle per student, all signed by the lab CA, plus a manifest
 * an instructor can keep to know which certificate belongs to whom.
 *
 * <p>Each student gets a folder {@code out/FOLDER/} with {@code FOLDER.pem} (certificate,
 * extKeyUsage clientAuth, subject CN = name, UID = ID), {@code FOLDER.key} (PKCS#8, 0600), {@code
 * FOLDER-combined.pem}, {@code FOLDER.p12} (alias FOLDER, chain [student, CA], password {@link
 * LabCertificates#STORE_PASSWORD}) and a copy of {@code ca.pem}. The manifest {@code
 * out/manifest.tsv} lists student, serial, SHA-256 fingerprint and folder, tab-separated with a
 * header line.
 *
 * <p>Speed: the CA is loaded and checked once; bundles are made in parallel (key generation and the
 * PKCS#12 key derivation dominate, both CPU-bound).
 */
public final class ClassCertificates {
  /** The manifest's file name inside the output folder. */
  public static final String MANIFEST = "manifest.tsv";

  /** The manifest's header line. */
  public static final String MANIFEST_HEADER = "student\tserial\tsha256_fingerprint\tfolder";

  private ClassCertificates() {}

  /** Told after each finished bundle; called from worker threads, one call at a time. */
  @FunctionalInterface
  public interface Progress {
    void issued(int done, int total);
  }

  /** One issued certificate, as the manifest lists it. */
  public record Entry(Student student, String serial, String sha256Fingerprint, Path folder) {
    String manifestLine() {
      return String.join(
          "\t",
          student.toString().replaceAll("[\t\r\n]", " "),
          serial,
          sha256Fingerprint,
          folder.getFileName().toString());
    }
  }

  /** What was written. */
  public record Result(Path out, Path manifest, List<Entry> entries) {}

  /**
   * Issues every student's bundle and writes the manifest.
   *
   * @throws LabException BAD_INPUT when there is no usable CA; REFUSED when a student folder or the
   *     manifest already exists and {@code force} is false
   */
  public static Result issue(ClassOptions options, Progress progress) {
    Path out = options.out();
    Path manifest = out.resolve(MANIFEST);
    if (!options.force()) {
      if (Files.exists(manifest)) {
        throw LabException.refused(
            manifest + " already exists; use --force to issue the class again");
      }
      for (Student s : options.students()) {
        Path folder = out.resolve(s.folder());
        if (Files.exists(folder)) {
          throw LabException.refused(folder + " already exists; use --force to replace it");
        }
      }
    }
    LabCa ca = LabCa.load(options.caDir());
    byte[] caPem = PemIo.encode(null, ca.cert());
    SecureFiles.createDirectories(out);

    int total = options.students().size();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), total));
    List<Future<Entry>> futures = new ArrayList<>();
    try {
      for (Student s : options.students()) {
        futures.add(
            pool.submit(
                () -> {
                  Entry e = issueOne(ca, caPem, s, out, options);
                  int n = done.incrementAndGet();
                  if (progress != null) {
                    synchronized (progress) {
                      progress.issued(n, total);
                    }
                  }
                  return e;
                }));
      }
      List<Entry> entries = new ArrayList<>();
      for (Future<Entry> f : futures) {
        entries.add(f.get());
      }
      StringBuilder text = new StringBuilder(MANIFEST_HEADER).append('\n');
      for (Entry e : entries) {
        text.append(e.manifestLine()).append('\n');
      }
      SecureFiles.writePublic(manifest, text.toString().getBytes(StandardCharsets.UTF_8));
      return new Result(out, manifest, List.copyOf(entries));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted while issuing the class certificates");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LabException) {
        throw (LabException) e.getCause();
      }
      throw new IllegalStateException("issuing a class bundle failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Entry issueOne(LabCa ca, byte[] caPem, Student s, Path out, ClassOptions options) {
    String folderName = s.folder();
    Path folder = out.resolve(folderName);
    SecureFiles.createDirectories(folder);
    KeyPair pair = Crypto.generate(options.keyType());
    X509Certificate cert =
        CertIssuer.leaf(
            ca.cert(),
            ca.key(),
            pair.getPublic(),
            CertIssuer.name(s.name(), "students", s.id()),
            List.of(),
            false,
            options.days(),
            RevocationUrls.load(options.caDir()));
    SecureFiles.writePrivate(folder.resolve(folderName + ".key"), PemIo.encode(pair.getPrivate()));
    SecureFiles.writePrivate(
        folder.resolve(folderName + "-combined.pem"), PemIo.encode(pair.getPrivate(), cert));
    SecureFiles.writePrivate(
        folder.resolve(folderName + ".p12"),
        KeyStores.keyStore(
            folderName,
            pair.getPrivate(),
            LabCertificates.STORE_PASSWORD.toCharArray(),
            cert,
            ca.cert()));
    SecureFiles.writePublic(folder.resolve(folderName + ".pem"), PemIo.encode(null, cert));
    SecureFiles.writePublic(folder.resolve("ca.pem"), caPem);
    CaRecords.recordIssued(options.caDir(), cert);
    return new Entry(
        s,
        cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
        CertificateSummary.sha256Fingerprint(cert),
        folder);
  }
}
