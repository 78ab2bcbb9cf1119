package tlslab.trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.JsseSetup;

/** Shared test helpers: one certificate folder per JVM, event filters, and running the CLI. */
final class TraceFixtures {
  private static Path certs;

  private TraceFixtures() {}

  /**
   * Switches JSSE's debug hooks on (surefire's argLine already did) and makes the lab certs once.
   */
  static synchronized Path certs() throws IOException {
    JsseSetup.prepare(false, true);
    if (certs == null) {
      Path dir = Files.createTempDirectory("trace-test-certs-");
      LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.RSA_2048).build());
      LabCertificates.issueClient(dir, TraceRun.CLIENT_NAME, false);
      certs = dir;
    }
    return certs;
  }

  /** "→ Client Hello" lines of one side of one connection, alerts left out. */
  static List<String> sequence(List<TraceEvent> events, int connection, Side side) {
    return events.stream()
        .filter(e -> e.connection() == connection && e.side() == side)
        .filter(e -> e.message() != MessageType.ALERT)
        .map(e -> e.direction().arrow() + " " + e.message().label())
        .collect(Collectors.toList());
  }

  static TraceEvent first(
      List<TraceEvent> events, int connection, Side side, Direction d, MessageType type) {
    return events.stream()
        .filter(e -> e.connection() == connection && e.side() == side)
        .filter(e -> e.direction() == d && e.message() == type)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + d + " " + type + " on " + side));
  }

  /**
   * The SHA-256 fingerprint of the first certificate in a PEM file of the certs folder, computed by
   * tlslab.pki (an implementation of its own, the oracle for the trace's).
   */
  static String sha256(String pemName) throws IOException {
    return CertificateSummary.sha256Fingerprint(
        CertificateFile.read(certs().resolve(pemName), null).certificates().get(0));
  }

  static String hex(byte[] b) {
    return HexFormat.of().withUpperCase().formatHex(b);
  }

  /** The result of running {@code lab ...} in a fresh JVM. */
  record Cli(int exit, String out, String err) {}

  /**
   * Runs the CLI in a child JVM with this test JVM's class path: the way a user runs it, and a
   * process of its own, so JSSE's once-per-process settings start clean.
   */
  static Cli lab(boolean addOpens, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (addOpens) {
      cmd.add("--add-opens");
      cmd.add("java.base/sun.security.ssl=ALL-UNNAMED");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("tlslab.cli.Main");
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("lab-out-", ".txt");
    Path err = Files.createTempFile("lab-err-", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("lab " + String.join(" ", args) + " did not finish");
      }
      return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
