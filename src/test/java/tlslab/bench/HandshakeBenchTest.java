package tlslab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.net.ChatServer;
import tlslab.pki.KeyType;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsEngine;
import tlslab.tls.TlsProfile;

/**
 * The handshake bench compares like with like: {@code openssl s_server} as the bench starts it
 * sends the same certificates as the lab server (a client's work grows with the chain), and the lab
 * server is started as the launcher starts it.
 */
class HandshakeBenchTest {
  @Test
  void sServerAsTheBenchStartsItSendsTheLabServersChain() throws Exception {
    Path certs = ChatBench.tempCerts(KeyType.EC_P256);
    List<Process> started = new ArrayList<>();
    try (ChatServer lab =
        ChatServer.builder()
            .context(TlsContexts.server(certs, TlsEngine.JSSE, TlsProfile.TLS13))
            .port(0)
            .profile(TlsProfile.TLS13)
            .build()
            .start()) {
      int bench = sServer(HandshakeBench.sServerCommand(0, certs, TlsProfile.TLS13, null), started);
      List<String> leafOnly =
          new ArrayList<>(HandshakeBench.sServerCommand(0, certs, TlsProfile.TLS13, null));
      int chainAt = leafOnly.indexOf("-cert_chain");
      leafOnly.subList(chainAt, chainAt + 2).clear();
      int plain = sServer(leafOnly, started);

      int labSends = HandshakeBench.certificatesSent(lab.port(), TlsProfile.TLS13);
      assertThat(labSends).as("the lab server sends its certificate and the lab CA").isEqualTo(2);
      assertThat(HandshakeBench.certificatesSent(bench, TlsProfile.TLS13))
          .as("s_server as the bench starts it sends the same chain")
          .isEqualTo(labSends);
      assertThat(HandshakeBench.certificatesSent(plain, TlsProfile.TLS13))
          .as("without -cert_chain s_server sends only the server certificate")
          .isEqualTo(1);
    } finally {
      started.forEach(Process::destroy);
      ChatBench.deleteTree(certs);
    }
  }

  @Test
  void theLabServerStartsAsTheLauncherStartsIt() {
    HandshakeBench.Options o =
        new HandshakeBench.Options(
            TlsProfile.MODERN, 5, 1, KeyType.EC_P256, TlsEngine.BORINGSSL, "x25519", 2, 5);
    List<String> cmd = HandshakeBench.labServer(o, "x25519");
    assertThat(cmd)
        .contains("-XX:-TieredCompilation", "-Djdk.tls.namedGroups=x25519", "server")
        .containsSubsequence("--profile", "modern")
        .containsSubsequence("--engine", "boringssl")
        .containsSubsequence("--loops", "1");
    assertThat(cmd.indexOf("-XX:-TieredCompilation")).isLessThan(cmd.indexOf("server"));
    HandshakeBench.Options serverDefault =
        new HandshakeBench.Options(
            TlsProfile.TLS13, 5, -1, KeyType.EC_P256, TlsEngine.JSSE, null, 2, 5);
    assertThat(HandshakeBench.labServer(serverDefault, null))
        .as("without --loops the lab server keeps its own default")
        .doesNotContain("--loops")
        .noneMatch(a -> a.startsWith("-Djdk.tls.namedGroups"));
  }

  @Test
  void countsTheEntriesOfSClientsCertificateChain() {
    String out =
        "CONNECTED(00000003)\n---\nCertificate chain\n 0 s:CN = localhost\n   i:CN = TLS Lab CA\n"
            + "   a:PKEY: id-ecPublicKey, 256 (bit); sigalg: ecdsa-with-SHA256\n"
            + " 1 s:CN = TLS Lab CA\n   i:CN = TLS Lab CA\n---\nServer certificate\n";
    assertThat(HandshakeBench.countChainEntries(out)).isEqualTo(2);
    assertThat(HandshakeBench.countChainEntries("CONNECTED(00000003)\nno peer certificate\n"))
        .isZero();
  }

  /** Starts s_server from {@code cmd} (its port replaced by a free one); returns the port. */
  private static int sServer(List<String> cmd, List<Process> started) throws Exception {
    int port = HandshakeBench.freePort();
    List<String> c = new ArrayList<>(cmd);
    c.set(c.indexOf("-accept") + 1, String.valueOf(port));
    started.add(
        new ProcessBuilder(c)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start());
    HandshakeBench.awaitListening(port);
    return port;
  }
}
