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
@org.junit.jupiter.api.Tag("jdk")
class ObserverHookTest {
  @TempDir Path certs;

  static final class Recorder implements HandshakeObserver {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onRecords(SSLEngine engine, boolean outbound, ByteBuffer records) {
      // Records (RFC 8446 §5.1): type(1) version(2) length(2) fragment; a handshake fragment
      // starts with msg_type(1). One wrap may produce several records.
      int p = records.position();
      while (p + 5 <= records.limit()) {
        int type = records.get(p);
        int length = ((records.get(p + 3) & 0xff) << 8) | (records.get(p + 4) & 0xff);
        int msg = type == 22 && p + 5 < records.limit() ? records.get(p + 5) : -1;
        events.add((outbound ? "out " : "in ") + type + (type == 22 ? "/" + msg : ""));
        p += 5 + length;
      }
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
    try (ChatServer server =
        ChatServer.builder()
            .context(Fixtures.serverContext(certs))
            .port(0)
            .profile(TlsProfile.TLS13)
            .handshakeTimeout(Duration.ofSeconds(5))
            .observers(
                engine -> {
                  Recorder r = new Recorder();
                  serverSide.add(r);
                  return r;
                })
            .build()
            .start()) {
      Fixtures.Lines lines = new Fixtures.Lines();
      ChatClient c =
          ChatClient.builder()
              .host("localhost")
              .port(server.port())
              .context(Fixtures.clientContext(certs))
              .profile(TlsProfile.TLS13)
              .observers(engine -> clientSide)
              .onLine(lines::add)
              .build()
              .connect();
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

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(
      value = TlsProfile.class,
      names = {"MODERN", "REPORT"})
  void tls12ServerSendsTheNewSessionTicketOfTheReportsCapture(TlsProfile profile) {
    Fixtures.certs(certs);
    Recorder server = new Recorder();
    try (ChatServer s =
        ChatServer.builder()
            .context(Fixtures.serverContext(certs))
            .port(0)
            .profile(profile)
            .observers(e -> server)
            .build()
            .start()) {
      Fixtures.Lines lines = new Fixtures.Lines();
      ChatClient c =
          ChatClient.builder()
              .host("localhost")
              .port(s.port())
              .context(Fixtures.clientContext(certs))
              .profile(profile)
              .onLine(lines::add)
              .build()
              .connect();
      lines.awaitStartsWith("* welcome");
      c.close();
    }
    // "New Session Ticket, Change Cipher Spec, Encrypted Handshake Message" (RFC 5077 §3.3):
    // handshake type 4 in clear, then ChangeCipherSpec (20), then the encrypted Finished (22).
    List<String> out = server.events.stream().filter(e -> e.startsWith("out ")).toList();
    int nst = out.indexOf("out 22/4");
    assertThat(nst).as(out.toString()).isPositive();
    assertThat(out.get(nst + 1)).isEqualTo("out 20");
    assertThat(out.get(nst + 2)).startsWith("out 22/");
  }
}
