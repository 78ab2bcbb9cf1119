package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsProfile;

/**
 * The hook the trace module plugs into: server and client call their observer factories once per
 * connection, and each observer sees the handshake's records, steps and its end.
 */
class ObserverHookTest {
  @TempDir Path certs;

  static final class Recorder implements HandshakeObserver {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onRecords(SSLEngine engine, boolean outbound, ByteBuffer records) {
      // Record header (RFC 8446 §5.1): type, version; then a handshake header: msg_type.
      int type = records.get(records.position());
      int msg = records.remaining() > 5 ? records.get(records.position() + 5) : -1;
      events.add((outbound ? "out " : "in ") + type + (type == 22 ? "/" + msg : ""));
    }

    @Override
    public void onHandshakeStep(SSLEngine engine) {
      events.add("step");
    }

    @Override
    public void onHandshakeFinished(SSLEngine engine) {
      events.add("finished " + engine.getSession().getProtocol());
    }
  }

  @Test
  void serverAndClientObserversSeeTheHandshake() {
    Fixtures.certs(certs);
    List<Recorder> serverSide = new CopyOnWriteArrayList<>();
    Recorder clientSide = new Recorder();
    try (ChatServer server = ChatServer.builder().context(Fixtures.serverContext(certs)).port(0)
        .profile(TlsProfile.TLS13).handshakeTimeout(Duration.ofSeconds(5))
        .observers(engine -> {
          Recorder r = new Recorder();
          serverSide.add(r);
          return r;
        }).build().start()) {
      Fixtures.Lines lines = new Fixtures.Lines();
      ChatClient c = ChatClient.builder().host("localhost").port(server.port())
          .context(Fixtures.clientContext(certs)).profile(TlsProfile.TLS13)
          .observers(engine -> clientSide).onLine(lines::add).build().connect();
      lines.awaitStartsWith("* welcome");
      c.close();
    }
    assertThat(serverSide).hasSize(1);
    List<String> s = serverSide.get(0).events;
    assertThat(s.get(0)).isEqualTo("in 22/1"); // ClientHello arrives first
    assertThat(s).contains("out 22/2"); // ServerHello (then encrypted records, type 23)
    assertThat(s).containsOnlyOnce("finished TLSv1.3");
    assertThat(clientSide.events.get(0)).isEqualTo("out 22/1");
    assertThat(clientSide.events).containsOnlyOnce("finished TLSv1.3").contains("step");
    // TLS 1.3: the NewSessionTicket comes after the client finished, still reported.
    int finished = clientSide.events.indexOf("finished TLSv1.3");
    assertThat(clientSide.events.subList(finished, clientSide.events.size())).contains("in 23");
  }
}
