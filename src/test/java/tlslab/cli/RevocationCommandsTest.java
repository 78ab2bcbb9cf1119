package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lab certs revoke}, {@code lab certs crl}, {@code lab ca ocsp}, {@code lab server --staple}
 * and {@code lab client} as a user runs them: separate processes, openssl as the other peer, exit
 * codes from the README's table.
 */
class RevocationCommandsTest {
  @TempDir Path dir;

  private static CliRun.Result lab(String... args) {
    return CliRun.run(args);
  }

  @Test
  void revokeAndCrlSayWhatTheyDidAndRefuseMistakesWithDocumentedCodes() throws IOException {
    String certs = dir.resolve("certs").toString();
    assertThat(lab("certs", "init", "--dir", certs, "--key", "ec-p256").exit()).isZero();
    assertThat(
            lab("certs", "init", "--dir", dir.resolve("x").toString(), "--ocsp-url", "ftp://x/")
                .err())
        .contains("must be an absolute http:// URL");

    CliRun.Result revoked =
        lab("certs", "revoke", certs + "/server.pem", "--reason", "key-compromise", "--dir", certs);
    assertThat(revoked.exit()).isEqualTo(ExitCode.OK);
    assertThat(revoked.out()).contains("revoked serial").contains("reason keyCompromise");
    assertThat(lab("certs", "revoke", certs + "/server.pem", "--dir", certs).exit())
        .isEqualTo(ExitCode.REFUSED);
    CliRun.Result badReason =
        lab("certs", "revoke", "--serial", "AB", "--reason", "bored", "--dir", certs);
    assertThat(badReason.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(badReason.err())
        .contains("unknown revocation reason 'bored'")
        .contains("keyCompromise");
    assertThat(lab("certs", "revoke", "--dir", certs).exit()).isEqualTo(ExitCode.USAGE);
    assertThat(lab("certs", "revoke", "--serial", "AB", certs + "/ca.pem", "--dir", certs).exit())
        .isEqualTo(ExitCode.USAGE);
    assertThat(lab("certs", "revoke", certs + "/ca.pem", "--dir", certs).err())
        .contains("is the lab CA itself");

    // The responder refuses to start on a folder without a CA, instead of failing per request.
    CliRun.Result noCa =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> lab("ca", "ocsp", "--dir", dir.resolve("nothing").toString(), "--port", "0"));
    assertThat(noCa.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(noCa.err()).contains("no lab CA in");

    CliRun.Result crl = lab("certs", "crl", "--dir", certs);
    assertThat(crl.exit()).isZero();
    assertThat(crl.out()).contains("CRL with 1 revoked certificate(s)");
    assertThat(Files.readString(dir.resolve("certs/crl.pem")))
        .startsWith("-----BEGIN X509 CRL-----");
    assertThat(lab("certs", "crl", "--dir", dir.resolve("nothing").toString()).exit())
        .isEqualTo(ExitCode.BAD_INPUT);
    assertThat(lab("server", "--crl", certs + "/crl.pem", "--certs", certs).err())
        .contains("use them with --client-auth want or need");
  }

  @Test
  void stapledGoodForOpensslThenTheLabClientRefusesTheRevokedServer() throws Exception {
    Path certs = dir.resolve("certs");
    List<Process> started = new ArrayList<>();
    try {
      // Certificates first (they name the default responder), then the responder on any free
      // port, and the server told to ask it instead (--ocsp-url overrides the AIA).
      assertThat(lab("certs", "init", "--dir", certs.toString(), "--key", "ec-p256").exit())
          .isZero();
      Process ocsp = start(started, "ca", "ocsp", "--dir", certs.toString(), "--port", "0");
      BufferedReader ocspOut = reader(ocsp);
      Matcher om =
          Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")
              .matcher(readUntil(ocspOut, "OCSP responder"));
      assertThat(om.find()).isTrue();
      String url = "http://127.0.0.1:" + om.group(1) + "/";
      Process server =
          start(
              started,
              "server",
              "--certs",
              certs.toString(),
              "--port",
              "0",
              "--warm-up", // the warm-up has a test of its own (WarmUpTest)
              "0",
              "--staple",
              "--ocsp-url",
              url,
              "--staple-cache",
              "1");
      BufferedReader serverOut = reader(server);
      Matcher sm =
          Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)")
              .matcher(readUntil(serverOut, "listening"));
      assertThat(sm.find()).isTrue();
      String port = sm.group(1);

      assertThat(stapled(port, certs)).contains("Cert Status: good");
      String chat =
          run(
              labCommand(
                  "client",
                  "--port",
                  port,
                  "--ca",
                  certs.resolve("ca.pem").toString(),
                  "--revocation",
                  "hard"),
              "/whoami\n");
      assertThat(chat).contains("* you are");

      assertThat(
              lab(
                      "certs",
                      "revoke",
                      certs.resolve("server.pem").toString(),
                      "--dir",
                      certs.toString(),
                      "--reason",
                      "keyCompromise")
                  .exit())
          .isZero();
      // --staple-cache 1: the server staples its cached "good" for up to a second more, then asks
      // the responder again. Wait until it staples the revocation, as openssl sees it.
      awaitStapled(port, certs, "Cert Status: revoked");
      Process client =
          new ProcessBuilder(
                  labCommand("client", "--port", port, "--ca", certs.resolve("ca.pem").toString()))
              .redirectErrorStream(true)
              .start();
      client.getOutputStream().close();
      String refused = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(client.exitValue()).as(refused).isEqualTo(ExitCode.NETWORK);
      assertThat(refused).contains("was REVOKED by its CA").contains("KEY_COMPROMISE");
    } finally {
      for (Process p : started) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        p.destroyForcibly();
      }
    }
  }

  /** What openssl s_client -status prints of one TLS 1.2 handshake with the server. */
  private static String stapled(String port, Path certs) throws Exception {
    return run(
        List.of(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + port,
            "-CAfile",
            certs.resolve("ca.pem").toString(),
            "-status",
            "-tls1_2"),
        "");
  }

  /**
   * Waits until openssl sees {@code status} in what the server staples, at most 30 s (a bound for a
   * loaded machine, not a pace), asking again every 100 ms.
   */
  private static void awaitStapled(String port, Path certs, String status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last;
    do {
      last = stapled(port, certs);
      if (last.contains(status)) return;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    Matcher m = Pattern.compile("Cert Status: \\w+").matcher(last);
    throw new AssertionError(
        "the server did not staple '"
            + status
            + "' within 30 s of the revocation; openssl saw: "
            + (m.find()
                ? m.group()
                : last.contains("OCSP response: no response") ? "no OCSP response" : last));
  }

  private static List<String> labCommand(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-opens",
                "java.base/sun.security.ssl=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Process start(List<Process> started, String... args) throws IOException {
    Process p = new ProcessBuilder(labCommand(args)).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads lines until one contains {@code text} (the process prints it once ready). */
  private static String readUntil(BufferedReader r, String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    String l;
    while ((l = r.readLine()) != null) {
      seen.append(l).append('\n');
      if (l.contains(text)) {
        return l;
      }
    }
    throw new AssertionError("process ended before printing '" + text + "': " + seen);
  }

  private static String run(List<String> cmd, String input) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    return out;
  }
}
