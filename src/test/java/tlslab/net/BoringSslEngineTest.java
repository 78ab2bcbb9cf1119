package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsEngine;
import tlslab.tls.TlsProfile;

/**
 * The chat server with {@code --engine boringssl}: the same driver over netty's OpenSSL engine
 * (BoringSSL), talking to software no one here wrote (OpenSSL's s_client, Python's ssl) and to the
 * lab's own JSSE client, in every profile, with the profile's version and suite and the CA check
 * on. Tagged "jdk": runs on JDK 17 and 25.
 */
@Tag("jdk")
class BoringSslEngineTest {
  @TempDir static Path certs;
  @TempDir static Path ecCerts;

  @BeforeAll
  static void init() {
    Fixtures.certs(certs);
    LabCertificates.init(InitOptions.builder().dir(ecCerts).keyType(KeyType.EC_P256).build());
  }

  private static ChatServer server(Path dir, TlsProfile profile, List<String> log) {
    SSLContext ctx = TlsContexts.server(dir, TlsEngine.BORINGSSL, profile);
    assertThat(ctx.getProvider().getName()).isEqualTo("BoringSSL");
    return ChatServer.builder()
        .context(ctx)
        .port(0)
        .profile(profile)
        .clientAuth(ClientAuth.NONE)
        .loops(2)
        .log(log::add)
        .build()
        .start();
  }

  @ParameterizedTest(name = "{0} {3}")
  @CsvSource({
    "MODERN, TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rsa",
    "MODERN, TLSv1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ec",
    "REPORT, TLSv1.2, TLS_RSA_WITH_AES_128_CBC_SHA, rsa",
    // BoringSSL's TLS 1.3 suites cannot be ordered by the server: it takes the client's order,
    // and s_client puts AES-256-GCM first (JSSE, with the profile's order, picks AES-128-GCM).
    "TLS13,  TLSv1.3, TLS_AES_256_GCM_SHA384, rsa"
  })
  void opensslSClientChatsThroughBoringSsl(
      TlsProfile profile, String protocol, String suite, String key) {
    Path dir = key.equals("ec") ? ecCerts : certs;
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = server(dir, profile, log)) {
      Fixtures.assertOpensslChats(dir, server, profile, log, protocol, suite);
    }
  }

  @Test
  void pythonSslClientChatsThroughBoringSslAndClosesCleanly() throws Exception {
    Path script = certs.resolve("tls13_client.py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import socket, ssl, sys",
            "ctx = ssl.create_default_context(cafile=sys.argv[2])  # CA and hostname checks on",
            "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:",
            "    with ctx.wrap_socket(raw, server_hostname='localhost') as s:",
            "        print('version', s.version(), flush=True)",
            "        s.sendall(b'/nick py\\n/whoami\\n')",
            "        f = s.makefile('r', encoding='utf-8')",
            "        for line in f:",
            "            print(line.rstrip('\\n'), flush=True)",
            "            if line.startswith('* you are py'):",
            "                break",
            "        s.unwrap()  # close_notify, and wait for the server's",
            "        print('closed cleanly', flush=True)",
            ""));
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = server(certs, TlsProfile.TLS13, log);
        Peers python =
            new Peers(
                List.of(
                    "python3",
                    script.toString(),
                    String.valueOf(server.port()),
                    certs.resolve("ca.pem").toString()))) {
      python.await(l -> l.equals("version TLSv1.3"));
      assertThat(python.await(l -> l.startsWith("* you are py"))).contains("TLSv1.3, TLS_AES_");
      python.await(l -> l.equals("closed cleanly"));
      assertThat(python.awaitExit()).isZero();
    }
  }

  /** Like JSSE and s_server, the native engine issues a TLS 1.2 session ticket (RFC 5077). */
  @Test
  void issuesASessionTicket() {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = server(certs, TlsProfile.MODERN, log);
        Peers openssl =
            new Peers(
                Fixtures.sClient(
                    server, "-tls1_2", "-CAfile", certs.resolve("ca.pem").toString()))) {
      openssl.await(l -> l.contains("TLS session ticket lifetime hint"));
      openssl.closeInput();
      assertThat(openssl.awaitExit()).isZero();
    }
  }

  /** The report's weak suite stays behind the report profile: the modern one refuses it. */
  @Test
  void modernProfileRefusesTheReportsSuite() {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = server(certs, TlsProfile.MODERN, log);
        Peers openssl =
            new Peers(
                Fixtures.sClient(
                    server, "-tls1_2", "-cipher", "AES128-SHA", "-quiet", "-no_ign_eof"))) {
      openssl.closeInput();
      assertThat(openssl.awaitExit()).isNotZero();
      assertThat(String.join("\n", openssl.lines)).containsIgnoringCase("alert handshake failure");
    }
  }

  /**
   * A TLS 1.2-only client is refused. BoringSSL (through netty) answers handshake_failure where
   * JSSE answers protocol_version, the alert RFC 8446 §4.2.1 asks for: a difference documented in
   * docs/HANDSHAKES.md, asserted as it is so that a change shows.
   */
  @Test
  void tls12ClientIsRefusedByTheTls13Profile() {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = server(certs, TlsProfile.TLS13, log);
        Peers openssl = new Peers(Fixtures.sClient(server, "-tls1_2", "-quiet", "-no_ign_eof"))) {
      openssl.closeInput();
      assertThat(openssl.awaitExit()).isNotZero();
      assertThat(String.join("\n", openssl.lines)).containsIgnoringCase("alert handshake failure");
    }
  }
}
