package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * The chat server against software no one here wrote: OpenSSL's s_client and Python's ssl module.
 * Tagged "jdk": the report profile's suite is disabled by default on JDK 25, so this runs on JDK 17
 * and 25.
 */
@Tag("jdk")
class ServerWithRealPeersTest {
  @TempDir static Path certs;

  @BeforeAll
  static void init() {
    Fixtures.certs(certs);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "MODERN, TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "REPORT, TLSv1.2, TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS13,  TLSv1.3, TLS_AES_128_GCM_SHA256"
  })
  void opensslSClientChatsWithLabServer(TlsProfile profile, String protocol, String suite) {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = Fixtures.server(certs, profile, ClientAuth.NONE, log)) {
      Fixtures.assertOpensslChats(certs, server, profile, log, protocol, suite);
      Fixtures.awaitLog(log, l -> l.matches("guest\\d+ is now osl"));
      Fixtures.awaitLog(log, l -> l.startsWith("osl left (127.0.0.1:"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"MODERN", "REPORT", "TLS13"})
  void tls11IsRefused(TlsProfile profile) {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = Fixtures.server(certs, profile, ClientAuth.NONE, log)) {
      // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all: the refusal must come from our server.
      try (Peers openssl =
          new Peers(
              Fixtures.sClient(
                  server, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-quiet", "-no_ign_eof"))) {
        openssl.closeInput();
        assertThat(openssl.awaitExit()).isNotZero();
        assertThat(String.join("\n", openssl.lines)).containsIgnoringCase("alert protocol version");
      }
      Fixtures.awaitLog(log, l -> l.contains("dropped before joining") && l.contains("TLSv1.1"));
      Fixtures.assertChatWorks(certs, server, profile);
    }
  }

  @Test
  void pythonClientWithTheReportsAes128ShaChatsWithTheReportProfile() throws Exception {
    Path script = certs.resolve("report_client.py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import socket, ssl, sys",
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
            "ctx.minimum_version = ssl.TLSVersion.TLSv1_2",
            "ctx.maximum_version = ssl.TLSVersion.TLSv1_2",
            "ctx.set_ciphers('AES128-SHA')  # the report's setting",
            "ctx.load_verify_locations(sys.argv[2])",
            "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:",
            "    with ctx.wrap_socket(raw, server_hostname='localhost') as s:",
            "        print('cipher', s.cipher()[0], s.version(), flush=True)",
            "        s.sendall(b'/nick py\\nhello from python\\n/whoami\\n')",
            "        f = s.makefile('r', encoding='utf-8')",
            "        for line in f:",
            "            print(line.rstrip('\\n'), flush=True)",
            "            if line.startswith('* you are py'):",
            "                break",
            "        s.unwrap()  # close_notify, and wait for the server's",
            "        print('closed cleanly', flush=True)",
            ""));
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = Fixtures.server(certs, TlsProfile.REPORT, ClientAuth.NONE, log)) {
      Fixtures.Lines lab = Fixtures.client(certs, server, TlsProfile.REPORT, "lab");
      try (Peers python =
          new Peers(
              List.of(
                  "python3",
                  script.toString(),
                  String.valueOf(server.port()),
                  certs.resolve("ca.pem").toString()))) {
        python.await(l -> l.equals("cipher AES128-SHA TLSv1.2"));
        lab.await(l -> l.equals("<py> hello from python"));
        assertThat(python.await(l -> l.startsWith("* you are py")))
            .contains("TLSv1.2, TLS_RSA_WITH_AES_128_CBC_SHA");
        python.await(l -> l.equals("closed cleanly"));
        assertThat(python.awaitExit()).isZero();
      } finally {
        lab.client.close();
      }
    }
  }
}
