package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * One inspector watching a chat server and two of its clients in the same process, as {@code lab
 * demo} does: every TLS 1.3 message shows up exactly once on each side of each connection, however
 * the Selector threads, the delegated-task threads and JSSE's locks interleave. The post-handshake
 * messages (New Session Ticket, the closing alerts) are the ones at risk: the driver makes no more
 * handshake callbacks by then, so only JSSE's engine lock tells which connection logged them.
 * Repeated because a misattribution would depend on thread timing.
 */
@Tag("jdk")
class SharedInspectorTest {
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  private static void await(List<String> received, String line) throws InterruptedException {
    for (int i = 0; i < 1000 && !received.contains(line); i++) {
      Thread.sleep(10);
    }
    assertThat(received).contains(line);
  }

  @RepeatedTest(5)
  void eachMessageAppearsOncePerSideWithServerAndClientsSharingOneInspector(@TempDir Path tmp)
      throws Exception {
    List<TraceEvent> events = new CopyOnWriteArrayList<>();
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    try (NssKeyLog keyLog = NssKeyLog.open(tmp.resolve("keys"));
        HandshakeInspector inspector =
            HandshakeInspector.builder().trace(events::add).keyLog(keyLog).build()) {
      HandshakeObserver observer = inspector.observer();
      try (ChatServer server =
          ChatServer.builder()
              .context(TlsContexts.server(certs))
              .bind("127.0.0.1")
              .port(0)
              .profile(TlsProfile.TLS13)
              .clientAuth(ClientAuth.NONE)
              .observers(e -> observer)
              .log(line -> {})
              .build()
              .start()) {
        List<ChatClient> clients = new ArrayList<>();
        for (String name : List.of("alice", "bob")) {
          ChatClient c =
              ChatClient.builder()
                  .host("localhost")
                  .port(server.port())
                  .context(TlsContexts.client(certs.resolve("ca.pem"), null, false))
                  .profile(TlsProfile.TLS13)
                  .name(name)
                  .handshakeTimeout(Duration.ofSeconds(20))
                  .observers(e -> observer)
                  .onLine(line -> received.add(name + ": " + line))
                  .build();
          c.connect();
          clients.add(c);
          // As in the demo: each client has its /nick acknowledged, so alice has her ticket (a
          // post-handshake message) before bob connects, and bob's handshake resumes with it.
          c.send("/nick " + name);
          await(received, name + ": * you are now " + name);
        }
        clients.get(0).send("hello");
        for (ChatClient c : clients) {
          c.close();
        }
      }
      assertThat(inspector.problems()).isEmpty();
    }
    // 2 clients + 2 server-side engines, each one connection of its own in the trace.
    assertThat(events.stream().map(TraceEvent::connection).distinct()).hasSize(4);
    Map<String, Long> counts =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    e ->
                        e.connection()
                            + " "
                            + e.side()
                            + " "
                            + e.direction().arrow()
                            + " "
                            + e.message().label(),
                    Collectors.counting()));
    assertThat(counts).as("%s", events).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
    // On engines too (the server's Certificate is produced in a delegated task), each Certificate
    // carries the fingerprint of the server's certificate, on both sides.
    String server = TraceFixtures.sha256("server.pem");
    assertThat(events)
        .filteredOn(e -> e.message() == MessageType.CERTIFICATE)
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.fields().certificateSha256()).first().isEqualTo(server));
    for (int id : events.stream().map(TraceEvent::connection).distinct().toList()) {
      Side side = events.stream().filter(e -> e.connection() == id).findFirst().get().side();
      List<String> seq = TraceFixtures.sequence(events, id, side);
      assertThat(seq)
          .as("connection %d (%s)", id, side)
          .contains(side == Side.SERVER ? "→ New Session Ticket" : "← New Session Ticket");
      assertThat(events).filteredOn(e -> e.connection() == id).allMatch(e -> e.side() == side);
    }
  }
}
