package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.net.ChatServer;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;

/**
 * {@code lab client} checks the server: a certificate from another CA or for another host is
 * refused with a clear line and exit code 5; {@code --insecure} connects anyway, loudly.
 */
class ClientVerificationTest {
  @TempDir static Path lab; // the CA the client trusts, and a proper server
  @TempDir static Path rogue; // another CA, server cert for localhost
  @TempDir static Path elsewhere; // the lab CA's sibling: cert for another host name only
  static ChatServer good;
  static ChatServer rogueServer;
  static ChatServer wrongHost;

  @BeforeAll
  static void servers() {
    JsseSetup.prepare(true, false);
    LabCertificates.init(InitOptions.builder().dir(lab).build());
    LabCertificates.init(InitOptions.builder().dir(rogue).build());
    LabCertificates.init(
        InitOptions.builder()
            .dir(elsewhere)
            .commonName("chat.example")
            .sans(List.of("chat.example"))
            .build());
    good = start(lab);
    rogueServer = start(rogue);
    wrongHost = start(elsewhere);
  }

  private static ChatServer start(Path certs) {
    return ChatServer.builder()
        .context(TlsContexts.server(certs))
        .port(0)
        .loops(1)
        .handshakeTimeout(Duration.ofSeconds(5))
        .build()
        .start();
  }

  @AfterAll
  static void stop() {
    good.close();
    rogueServer.close();
    wrongHost.close();
  }

  private static CliRun.Result client(String stdin, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "client";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.withInput(stdin, all);
  }

  @Test
  void connectsToTheLabServerAndExitsAfterTheTlsClose() {
    CliRun.Result r =
        client(
            "/whoami\n",
            "--port",
            String.valueOf(good.port()),
            "--ca",
            lab.resolve("ca.pem").toString(),
            "--name",
            "tester");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("* you are now tester")
        .contains("* you are tester from 127.0.0.1:");
  }

  @Test
  void refusesAServerWhoseCertificateIsNotFromTheLabCa() {
    CliRun.Result r =
        client(
            "hello\n",
            "--port",
            String.valueOf(rogueServer.port()),
            "--ca",
            lab.resolve("ca.pem").toString());
    assertThat(r.exit()).isEqualTo(ExitCode.NETWORK);
    assertThat(r.err().strip())
        .startsWith("lab client: server certificate at localhost:")
        .contains("not issued by a trusted CA")
        .endsWith("(sent alert: fatal certificate_unknown)") // what a capture of it shows
        .doesNotContain("Exception")
        .hasLineCount(1);
  }

  @Test
  void refusesAServerWhoseCertificateNamesAnotherHost() {
    CliRun.Result r =
        client(
            "hello\n",
            "--port",
            String.valueOf(wrongHost.port()),
            "--ca",
            elsewhere.resolve("ca.pem").toString());
    assertThat(r.exit()).isEqualTo(ExitCode.NETWORK);
    assertThat(r.err().strip()).contains("is not valid for host 'localhost'").hasLineCount(1);
  }

  @Test
  void insecureConnectsToTheRogueServerWithALoudWarning() {
    CliRun.Result r =
        client(
            "/whoami\n",
            "--port",
            String.valueOf(rogueServer.port()),
            "--ca",
            lab.resolve("ca.pem").toString(),
            "--insecure");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("WARNING: --insecure").contains("NOT checked");
    assertThat(r.out()).contains("* you are guest");
  }

  @Test
  void quitInAScriptEndsTheRunWhenTheServerCloses() {
    CliRun.Result r =
        client(
            "/quit\n",
            "--port",
            String.valueOf(good.port()),
            "--ca",
            lab.resolve("ca.pem").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("* bye guest");
  }
}
