package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import picocli.CommandLine;

/**
 * {@code lab certs revoke}, {@code lab certs crl}, {@code lab ca ocsp}, {@code lab server --staple}
 * and {@code lab client} as a user runs them: separate processes, openssl as the other peer, exit
 * codes from the README's table.
 */
class RevocationCommandsTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return new Run(cmd.execute(args), out.toString(), err.toString());
  }

  @Test
  void revokeAndCrlSayWhatTheyDidAndRefuseMistakesWithDocumentedCodes() throws IOException {
    String certs = dir.resolve("certs").toString();
    assertThat(lab("certs", "init", "--dir", certs, "--key", "ec-p256").exit()).isZero();
    assertThat(
            lab("certs", "init", "--dir", dir.resolve("x").toString(), "--ocsp-url", "ftp://x/")
                .err())
        .contains("must be an absolute http:// URL");

    Run revoked =
        lab("certs", "revoke", certs + "/server.pem", "--reason", "key-compromise", "--dir", certs);
    assertThat(revoked.exit()).isEqualTo(ExitCode.OK);
    assertThat(revoked.out()).contains("revoked serial").contains("reason keyCompromise");
    assertThat(lab("certs", "revoke", certs + "/server.pem", "--dir", certs).exit())
        .isEqualTo(ExitCode.REFUSED);
    Run badReason = lab("certs", "revoke", "--serial", "AB", "--reason", "bored", "--dir", certs);
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
    Run noCa =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> lab("ca", "ocsp", "--dir", dir.resolve("nothing").toString(), "--port", "0"));
    assertThat(noCa.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(noCa.err()).contains("no lab CA in");

    Run crl = lab("certs", "crl", "--dir", certs);
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

      String good =
          run(
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
      assertThat(good).contains("Cert Status: good");
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
      Thread.sleep(1500); // --staple-cache 1: the server's cached "good" expires
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
