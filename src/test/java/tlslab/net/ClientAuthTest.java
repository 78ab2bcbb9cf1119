package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;
import tlslab.pki.ClientFiles;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code --client-auth need}: only lab-CA certificates get in; the nick is the certificate's CN.
 */
class ClientAuthTest {
  @TempDir static Path certs;
  @TempDir static Path otherCa;
  static ChatServer server;
  static final List<String> log = new CopyOnWriteArrayList<>();
  static ClientFiles carol;
  static ClientFiles mallory;

  @BeforeAll
  static void start() {
    Fixtures.certs(certs);
    Fixtures.certs(otherCa);
    carol = LabCertificates.issueClient(certs, "carol", false);
    mallory = LabCertificates.issueClient(otherCa, "mallory", false);
    server = Fixtures.server(certs, TlsProfile.MODERN, ClientAuth.NEED, log);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private ChatClient.Builder client(Path keyStore, Fixtures.Lines lines) {
    return ChatClient.builder()
        .host("localhost")
        .port(server.port())
        .context(TlsContexts.client(certs.resolve("ca.pem"), keyStore, false))
        .onLine(lines::add);
  }

  @Test
  void labCertificateGetsInWithItsCommonNameAsNick() {
    Fixtures.Lines lines = new Fixtures.Lines();
    ChatClient c = client(carol.keyStore(), lines).build().connect();
    try {
      lines.awaitStartsWith("* welcome carol");
      c.send("/whoami");
      assertThat(lines.awaitStartsWith("* you are carol"))
          .contains("certificate ")
          .contains("CN=carol");
    } finally {
      c.close();
    }
  }

  @Test
  void noCertificateOrAForeignOneIsRefused() {
    for (Path ks : new Path[] {null, mallory.keyStore()}) {
      Fixtures.Lines lines = new Fixtures.Lines();
      assertThatThrownBy(() -> client(ks, lines).build().connect())
          .isInstanceOf(LabException.class)
          .hasMessageContaining("localhost:" + server.port());
      assertThat(lines.all).isEmpty();
    }
    assertThat(log).noneMatch(l -> l.contains("mallory joined"));
  }
}
