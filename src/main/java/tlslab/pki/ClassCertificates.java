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
 * LabCertificates#STORE_PASSWORD}), a copy of {@code ca.pem} and {@code challenge.txt}, the
 * student's {@link ClassChallenge}. The manifest {@code out/manifest.tsv} lists ID, name, serial,
 * SHA-256 fingerprint and folder, tab-separated with a header line; {@code out/class.secret} (0600)
 * holds the secret the challenges derive from. Neither goes into any bundle: with the class CA they
 * are the instructor's root of trust when grading.
 *
 * <p>Speed: the CA is loaded and checked once; bundles are made in parallel (key generation and the
 * PKCS#12 key derivation dominate, both CPU-bound).
 */
public final class ClassCertificates {
  /** The manifest's file name inside the output folder. */
  public static final String MANIFEST = "manifest.tsv";

  /** The manifest's header line. */
  public static final String MANIFEST_HEADER = "id\tname\tserial\tsha256_fingerprint\tfolder";

  private ClassCertificates() {}

  /** Told after each finished bundle; called from worker threads, one call at a time. */
  @FunctionalInterface
  public interface Progress {
    void issued(int done, int total);
  }

  /**
   * One issued certificate, as the manifest lists it.
   *
   * @param serial the certificate's serial number in upper-case hex
   * @param sha256Fingerprint as {@link CertificateSummary#sha256Fingerprint} prints it
   * @param folder the student's bundle folder
   */
  public record Entry(Student student, String serial, String sha256Fingerprint, Path folder) {
    /** The student's key for challenges and grading: the bundle folder's name (ID or name). */
    public String key() {
      return folder.getFileName().toString();
    }

    String manifestLine() {
      return String.join(
          "\t",
          student.id() == null ? "" : clean(student.id()),
          clean(student.name()),
          serial,
          sha256Fingerprint,
          key());
    }

    private static String clean(String s) {
      return s.replaceAll("[\t\r\n]", " ");
    }
  }

  /**
   * Reads a manifest written by {@link #issue}; folders are resolved against the manifest's folder.
   *
   * @throws LabException BAD_INPUT when the file is missing or not a manifest (the message names
   *     the line)
   */
  public static List<Entry> readManifest(Path manifest) {
    String text =
        new String(tlslab.pki.internal.SecureFiles.read(manifest), StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].strip().equals(MANIFEST_HEADER)) {
      throw LabException.badInput(
          manifest
              + ": not a class manifest (its first line should be '"
              + MANIFEST_HEADER.replace("\t", "<TAB>")
              + "'; an older manifest: issue the class again with lab certs class --force)");
    }
    Path dir = manifest.toAbsolutePath().getParent();
    List<Entry> entries = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] f = lines[i].split("\t", -1);
      if (f.length != 5 || f[1].isBlank() || f[4].isBlank()) {
        throw LabException.badInput(
            manifest
                + " line "
                + (i + 1)
                + ": expected 5 tab-separated columns ("
                + lines[i]
                + ")");
      }
      entries.add(
          new Entry(
              new Student(f[1], f[0].isBlank() ? null : f[0]), f[2], f[3], dir.resolve(f[4])));
    }
    return List.copyOf(entries);
  }

  /** What was written. */
  /**
   * What was issued.
   *
   * @param entries the bundles issued by this run
   * @param kept the manifest's entries this run left as they were ({@link ClassOptions#add()})
   */
  public record Result(Path out, Path manifest, List<Entry> entries, List<Entry> kept) {}

  /**
   * Issues every student's bundle and writes the manifest.
   *
   * @throws LabException BAD_INPUT when there is no usable CA; REFUSED when a student folder or the
   *     manifest already exists and {@code force} is false
   */
  public static Result issue(ClassOptions options, Progress progress) {
    Path out = options.out();
    Path manifest = out.resolve(MANIFEST);
    List<Entry> kept = List.of();
    List<Student> students = options.students();
    Entry replaced = null;
    int replacedAt = -1;
    if (options.reissue() != null) {
      if (!Files.exists(manifest)) {
        throw LabException.badInput(
            manifest + ": no class yet (issue it first, without --reissue)");
      }
      List<Entry> all = readManifest(manifest);
      String who = plain(options.reissue());
      replaced =
          all.stream()
              .filter(
                  e ->
                      plain(e.key()).equals(who)
                          || (e.student().id() != null && plain(e.student().id()).equals(who))
                          || plain(e.student().name()).equals(who))
              .findFirst()
              .orElseThrow(
                  () ->
                      LabException.badInput(
                          "'" + options.reissue() + "' is not in the class manifest " + manifest));
      Entry old = replaced;
      replacedAt = all.indexOf(old);
      kept = all.stream().filter(e -> e != old).toList();
      students = List.of(old.student());
    } else if (options.add()) {
      if (!Files.exists(manifest)) {
        throw LabException.badInput(
            manifest + ": no class to add to yet (issue it first, without --add)");
      }
      kept = readManifest(manifest);
      java.util.Set<String> issued = new java.util.HashSet<>();
      kept.forEach(e -> issued.add(e.key()));
      students = students.stream().filter(s -> !issued.contains(s.folder())).toList();
      for (Student s : students) {
        Path folder = out.resolve(s.folder());
        if (Files.exists(folder)) {
          throw LabException.refused(
              folder + " exists but the manifest does not list it: move it away, then --add again");
        }
      }
      if (students.isEmpty()) {
        return new Result(out, manifest, List.of(), kept);
      }
    } else if (!options.force()) {
      if (Files.exists(manifest)) {
        throw LabException.refused(
            manifest + " already exists; use --force to issue the class again");
      }
      for (Student s : students) {
        Path folder = out.resolve(s.folder());
        if (Files.exists(folder)) {
          throw LabException.refused(folder + " already exists; use --force to replace it");
        }
      }
    }
    LabCa ca = LabCa.load(options.caDir());
    byte[] caPem = PemIo.encode(null, ca.cert());
    if ((options.add() || options.reissue() != null)
        && Files.exists(out.resolve("ca.pem"))
        && !java.util.Arrays.equals(SecureFiles.read(out.resolve("ca.pem")), caPem)) {
      // The students already issued chain to the class's CA; another one would orphan them.
      throw LabException.refused(
          out.resolve("ca.pem")
              + " is another CA than "
              + options.caDir()
              + "'s: add the late students with the CA that issued the class");
    }
    SecureFiles.createDirectories(out);
    byte[] secret = classSecret(out);
    // The class folder keeps the class CA's certificate too: grading trusts this copy, never the
    // ca.pem a student hands in.
    SecureFiles.writePublic(out.resolve("ca.pem"), caPem);

    int total = students.size();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), total));
    List<Future<Entry>> futures = new ArrayList<>();
    try {
      for (Student s : students) {
        futures.add(
            pool.submit(
                () -> {
                  Entry e = issueOne(ca, caPem, secret, s, out, options);
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
      List<Entry> lines = new ArrayList<>(kept);
      // A re-issued student keeps their place in the manifest; new students come last.
      lines.addAll(replacedAt < 0 ? lines.size() : replacedAt, entries);
      for (Entry e : lines) {
        text.append(e.manifestLine()).append('\n');
      }
      SecureFiles.writePublic(manifest, text.toString().getBytes(StandardCharsets.UTF_8));
      if (replaced != null) {
        // The old certificate still chains to the class CA: withdrawn, it names no one.
        String serial = replaced.serial();
        boolean already =
            Revocations.list(options.caDir()).stream()
                .anyMatch(
                    x ->
                        new java.math.BigInteger(x.serial(), 16)
                            .equals(new java.math.BigInteger(serial, 16)));
        if (!already) {
          Revocations.revokeSerial(options.caDir(), serial, RevocationReason.SUPERSEDED);
        }
      }
      return new Result(out, manifest, List.copyOf(entries), kept);
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

  /**
   * The class secret: kept when the class is issued again (--force, a late student), so that the
   * challenges students already hold stay valid; drawn and written 0600 the first time.
   */
  private static byte[] classSecret(Path out) {
    Path file = out.resolve(ClassChallenge.SECRET_FILE);
    if (Files.exists(file)) {
      return ClassChallenge.readSecret(file);
    }
    byte[] secret = ClassChallenge.newSecret();
    SecureFiles.writePrivate(
        file, (java.util.HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.UTF_8));
    return secret;
  }

  /** Lower case without accents and with single spaces, to compare people's names. */
  private static String plain(String s) {
    return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT)
        .strip()
        .replaceAll("\\s+", " ");
  }

  private static Entry issueOne(
      LabCa ca, byte[] caPem, byte[] secret, Student s, Path out, ClassOptions options) {
    String folderName = s.folder();
    Path folder = out.resolve(folderName);
    SecureFiles.createDirectories(folder);
    RevocationUrls urls = RevocationUrls.load(options.caDir());
    KeyPair pair = options.keyType().generate();
    X509Certificate cert =
        CertIssuer.leaf(
            ca.cert(),
            ca.key(),
            pair.getPublic(),
            CertIssuer.name(s.name(), "students", s.id()),
            List.of(),
            false,
            options.days(),
            urls.ocsp(),
            urls.crl());
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
    SecureFiles.writePublic(
        folder.resolve(ClassChallenge.BUNDLE_FILE),
        (ClassChallenge.of(secret, folderName) + "\n").getBytes(StandardCharsets.UTF_8));
    CaRecords.recordIssued(options.caDir(), cert);
    return new Entry(
        s,
        cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
        CertificateSummary.sha256Fingerprint(cert),
        folder);
  }
}
