package tlslab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tlslab.common.LabException;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassOptions;
import tlslab.pki.ClassRoster;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.pki.Student;

/**
 * How long does it take to issue a class of certificate bundles in-process (BouncyCastle, one JVM,
 * keys and PKCS#12 in memory) compared with the way it is usually scripted: an {@code openssl}
 * command-line loop, four processes per student ({@code genpkey}, {@code req}, {@code x509 -req}
 * signing with the CA, {@code pkcs12 -export})? Both sides sign with the same lab CA, generate the
 * same key type and write a key, a certificate, a combined PEM, a CA copy and a PKCS#12 file (same
 * algorithms and iteration counts) per student. A short warm-up of each side is not timed and the
 * in-process figures are the best of two runs, so the figures compare steady states, not JVM
 * start-up.
 */
public final class CertsBenchmark {
  /** Students issued by each side before timing starts. */
  static final int WARM_UP = 20;

  private CertsBenchmark() {}

  /**
   * What was measured.
   *
   * @param count bundles per timed run
   * @param keyType the students' key type
   * @param threads workers of the parallel in-process run
   * @param inProcessParallel in-process, {@code threads} workers
   * @param inProcessSerial in-process, one worker (the fair one-core comparison)
   * @param openssl the openssl loop (sequential, as a shell loop runs)
   * @param warmUp students issued by each side before timing
   * @param opensslVersion e.g. "OpenSSL 3.0.17 1 Jul 2025"
   * @param loadAverage the system load average when the run started (negative if unknown)
   */
  public record Figures(
      int count,
      KeyType keyType,
      int threads,
      Duration inProcessParallel,
      Duration inProcessSerial,
      Duration openssl,
      int warmUp,
      String opensslVersion,
      double loadAverage) {

    /** openssl time / in-process time, for the parallel and the serial in-process run. */
    public double ratioParallel() {
      return ratio(openssl, inProcessParallel);
    }

    public double ratioSerial() {
      return ratio(openssl, inProcessSerial);
    }

    /** The report printed by {@code lab bench certs}. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      out.add(
          String.format(
              "Issuing a class of %d bundles (%s student keys, signed by an rsa-2048 lab CA;"
                  + " key + certificate + PKCS#12 per student); %d-student warm-up not timed, in-process best of 2",
              count, keyType.label(), warmUp));
      out.add(row("in-process, " + threads + " threads", inProcessParallel));
      out.add(row("in-process, 1 thread", inProcessSerial));
      out.add(
          row("openssl CLI loop", openssl)
              + "  ["
              + opensslVersion
              + "; genpkey, req, x509 -req, pkcs12 -export]");
      out.add(
          String.format(
              "ratio openssl / in-process: %.1fx (%d threads), %.1fx (1 thread)",
              ratioParallel(), threads, ratioSerial()));
      if (loadAverage >= 0) {
        out.add(
            String.format(
                "machine: %d processors, load average %.1f at start%s",
                threads,
                loadAverage,
                loadAverage > threads / 2.0
                    ? " (other work was running: expect noisy figures)"
                    : ""));
      }
      return out;
    }

    private String row(String label, Duration d) {
      return String.format(
          "  %-24s %7d ms  (%6.1f ms per bundle)",
          label + ":", d.toMillis(), d.toNanos() / 1e6 / count);
    }

    private static double ratio(Duration a, Duration b) {
      return (double) a.toNanos() / Math.max(1, b.toNanos());
    }
  }

  /**
   * Runs the benchmark in a scratch folder that is deleted afterwards.
   *
   * @throws LabException ENVIRONMENT when openssl is missing or fails
   */
  public static Figures run(int count, KeyType keyType) {
    if (count < 1 || count > ClassRoster.MAX_STUDENTS) {
      throw LabException.badInput(
          "count: must be between 1 and " + ClassRoster.MAX_STUDENTS + ", got " + count);
    }
    String version = openssl(null, "version").strip();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Path work;
    try {
      work = Files.createTempDirectory("tlslab-bench-certs");
    } catch (IOException e) {
      throw LabException.environment("cannot create a scratch folder: " + e.getMessage());
    }
    try {
      Path caDir = work.resolve("ca");
      LabCertificates.init(InitOptions.builder().dir(caDir).build());
      int threads = Runtime.getRuntime().availableProcessors();
      List<Student> students = ClassRoster.numbered(count);

      int warmUp = Math.min(WARM_UP, count);
      inProcess(caDir, work.resolve("warm-java"), ClassRoster.numbered(warmUp), keyType, threads);
      opensslLoop(caDir, work.resolve("warm-openssl"), ClassRoster.numbered(warmUp), keyType);

      // In-process runs: best of two, since a JVM still compiling hot code is not the steady state.
      Duration parallel = Duration.ofDays(1);
      Duration serial = Duration.ofDays(1);
      for (int round = 0; round < 2; round++) {
        parallel =
            min(
                parallel,
                inProcess(
                    caDir, work.resolve("java-parallel-" + round), students, keyType, threads));
        serial =
            min(
                serial,
                inProcess(caDir, work.resolve("java-serial-" + round), students, keyType, 1));
      }
      Duration loop = opensslLoop(caDir, work.resolve("openssl"), students, keyType);
      return new Figures(count, keyType, threads, parallel, serial, loop, warmUp, version, load);
    } finally {
      deleteTree(work);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration inProcess(
      Path caDir, Path out, List<Student> students, KeyType keyType, int threads) {
    long start = System.nanoTime();
    ClassCertificates.Result r =
        ClassCertificates.issue(
            ClassOptions.builder()
                .caDir(caDir)
                .out(out)
                .students(students)
                .keyType(keyType)
                .threads(threads)
                .build(),
            null);
    Duration d = Duration.ofNanos(System.nanoTime() - start);
    if (r.entries().size() != students.size()) {
      throw new IllegalStateException(
          "in-process run issued " + r.entries().size() + " of " + students.size());
    }
    return d;
  }

  /** The same bundle, made the way a shell script does it: one openssl process per step. */
  private static Duration opensslLoop(
      Path caDir, Path out, List<Student> students, KeyType keyType) {
    SecureRandom random = new SecureRandom();
    Path ext = out.resolve("student.ext");
    try {
      Files.createDirectories(out);
      Files.writeString(
          ext,
          "basicConstraints=critical,CA:FALSE\n"
              + "keyUsage=critical,digitalSignature"
              + (keyType.isRsa() ? ",keyEncipherment" : "")
              + "\n"
              + "extendedKeyUsage=clientAuth\n"
              + "subjectKeyIdentifier=hash\n"
              + "authorityKeyIdentifier=keyid\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String ca = caDir.resolve("ca.pem").toString();
    String caKey = caDir.resolve("ca.key").toString();
    byte[] caPem = read(caDir.resolve("ca.pem"));
    long start = System.nanoTime();
    for (Student s : students) {
      String f = s.folder();
      Path dir = out.resolve(f);
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (keyType.isRsa()) {
        openssl(
            dir,
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:" + keyType.bits(),
            "-out",
            f + ".key");
      } else {
        openssl(
            dir,
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            f + ".key");
      }
      openssl(
          dir,
          "req",
          "-new",
          "-key",
          f + ".key",
          "-subj",
          "/O=TLS Lab/OU=students/CN=" + s.name(),
          "-out",
          f + ".csr");
      openssl(
          dir,
          "x509",
          "-req",
          "-in",
          f + ".csr",
          "-CA",
          ca,
          "-CAkey",
          caKey,
          "-set_serial",
          "0x" + new BigInteger(128, random).toString(16),
          "-days",
          "365",
          "-sha256",
          "-extfile",
          ext.toString(),
          "-out",
          f + ".pem");
      openssl(
          dir,
          "pkcs12",
          "-export",
          "-inkey",
          f + ".key",
          "-in",
          f + ".pem",
          "-certfile",
          ca,
          "-name",
          f,
          "-passout",
          "pass:" + LabCertificates.STORE_PASSWORD,
          "-out",
          f + ".p12");
      // The combined PEM and the CA copy are plain file concatenation on both sides.
      try {
        Files.write(
            dir.resolve(f + "-combined.pem"),
            concat(read(dir.resolve(f + ".key")), read(dir.resolve(f + ".pem"))));
        Files.write(dir.resolve("ca.pem"), caPem);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static String openssl(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    try {
      Process p = pb.start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw LabException.environment("openssl " + args[0] + " did not finish within 60 s");
      }
      String text = new String(output, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw LabException.environment(
            "openssl " + args[0] + " failed: " + text.strip().replace('\n', ' '));
      }
      return text;
    } catch (IOException e) {
      throw LabException.environment(
          "cannot run openssl (" + e.getMessage() + "); install it: apt-get install openssl");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted");
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a scratch folder left in /tmp is harmless
    }
  }
}
