package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.trace.Direction.PRODUCED;
import static tlslab.trace.MessageType.CLIENT_HELLO;
import static tlslab.trace.MessageType.SERVER_HELLO;
import static tlslab.trace.TraceFixtures.first;
import static tlslab.trace.TraceFixtures.hex;
import static tlslab.trace.TraceFixtures.sequence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * The inspector as a {@code HandshakeObserver} of the lab's real SSLEngine driver (chat server and
 * client, Selector loops, delegated tasks on a separate executor): each side, traced by itself,
 * sees its exact sequence, and the client and the server, each logging keys on its own, write the
 * same key log lines — the server included, whose TLS 1.3 handshake secret lives only inside one
 * delegated task.
 */
@Tag("jdk")
class ChatDriverTraceTest {
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  @ParameterizedTest
  @EnumSource(names = {"MODERN", "TLS13"})
  void eachSideTracesAndLogsKeysOnItsOwn(TlsProfile profile, @TempDir Path tmp) throws Exception {
    List<TraceEvent> serverEvents = Collections.synchronizedList(new ArrayList<>());
    List<TraceEvent> clientEvents = Collections.synchronizedList(new ArrayList<>());
    Path serverKeys = tmp.resolve("server.keys");
    Path clientKeys = tmp.resolve("client.keys");
    try (NssKeyLog serverLog = NssKeyLog.open(serverKeys);
        NssKeyLog clientLog = NssKeyLog.open(clientKeys);
        HandshakeInspector serverSide =
            HandshakeInspector.builder().trace(serverEvents::add).keyLog(serverLog).build();
        HandshakeInspector clientSide =
            HandshakeInspector.builder().trace(clientEvents::add).keyLog(clientLog).build()) {
      chat(
          profile,
          certs.resolve("ca.pem"),
          serverSide,
          clientSide,
          (server, client) -> {
            client.connect();
            client.send("/nick tracer");
            client.close();
          });
      assertThat(serverSide.problems()).isEmpty();
      assertThat(clientSide.problems()).isEmpty();

      List<String> expectedClient;
      List<String> expectedServer;
      if (profile == TlsProfile.TLS13) {
        expectedClient =
            List.of(
                "→ Client Hello",
                "← Server Hello",
                "← Change Cipher Spec",
                "← Encrypted Extensions",
                "← Certificate",
                "← Certificate Verify",
                "← Finished",
                "→ Finished",
                "← New Session Ticket");
        expectedServer =
            List.of(
                "← Client Hello",
                "→ Server Hello",
                "→ Encrypted Extensions",
                "→ Certificate",
                "→ Certificate Verify",
                "→ Finished",
                "← Change Cipher Spec",
                "← Finished",
                "→ New Session Ticket");
      } else {
        expectedClient =
            List.of(
                "→ Client Hello",
                "← Server Hello",
                "← Certificate",
                "← Server Key Exchange",
                "← Server Hello Done",
                "→ Client Key Exchange",
                "→ Change Cipher Spec",
                "→ Finished",
                "← New Session Ticket",
                "← Change Cipher Spec",
                "← Finished");
        expectedServer =
            List.of(
                "← Client Hello",
                "→ Server Hello",
                "→ Certificate",
                "→ Server Key Exchange",
                "→ Server Hello Done",
                "← Client Key Exchange",
                "← Change Cipher Spec",
                "← Finished",
                "→ New Session Ticket",
                "→ Change Cipher Spec",
                "→ Finished");
      }
      List<TraceEvent> client = sorted(clientEvents);
      List<TraceEvent> srv = sorted(serverEvents);
      assertThat(sequence(client, 1, Side.CLIENT)).containsExactlyElementsOf(expectedClient);
      assertThat(sequence(srv, 1, Side.SERVER)).containsExactlyElementsOf(expectedServer);
      assertThat(client).allMatch(e -> e.side() == Side.CLIENT && e.connection() == 1);
      assertThat(srv).allMatch(e -> e.side() == Side.SERVER && e.connection() == 1);

      // The Client Hello random in the trace is the one in the bytes the driver passed on.
      byte[] wire = clientSide.connections().get(0).wireClientRandom();
      assertThat(first(client, 1, Side.CLIENT, PRODUCED, CLIENT_HELLO).fields().random())
          .isEqualTo(hex(wire))
          .isEqualTo(hex(serverSide.connections().get(0).wireClientRandom()));
      assertThat(first(srv, 1, Side.SERVER, PRODUCED, SERVER_HELLO).fields().versions())
          .containsExactly(profile == TlsProfile.TLS13 ? "TLSv1.3" : "TLSv1.2");
    }
    List<String> fromClient = Files.readAllLines(clientKeys);
    List<String> fromServer = Files.readAllLines(serverKeys);
    assertThat(fromClient).hasSize(profile == TlsProfile.TLS13 ? 4 : 1);
    assertThat(new HashSet<>(fromServer)).isEqualTo(new HashSet<>(fromClient));
  }

  /**
   * The alerts each side sends are in its trace, named, like those it receives: an SSLEngine logs a
   * sent close_notify only as "WRITE: TLSv1.2 alert, length = 2", and the name comes from the
   * cipher's dump of the record (AES-GCM in modern and tls13, AES-CBC with its explicit IV in the
   * report profile). Before, the trace of the lab's own server and client had no sent alert at all.
   */
  @ParameterizedTest
  @EnumSource(names = {"REPORT", "MODERN", "TLS13"})
  void sentAlertsAreTracedAndNamed(TlsProfile profile) throws Exception {
    List<TraceEvent> serverEvents = Collections.synchronizedList(new ArrayList<>());
    List<TraceEvent> clientEvents = Collections.synchronizedList(new ArrayList<>());
    try (HandshakeInspector serverSide =
            HandshakeInspector.builder().trace(serverEvents::add).build();
        HandshakeInspector clientSide =
            HandshakeInspector.builder().trace(clientEvents::add).build()) {
      chat(
          profile,
          certs.resolve("ca.pem"),
          serverSide,
          clientSide,
          (server, client) -> {
            client.connect();
            client.close(); // close_notify, and waits for the server's (RFC 8446 §6.1)
          });
    }
    assertThat(sorted(clientEvents))
        .filteredOn(e -> e.message() == MessageType.ALERT)
        .extracting(e -> e.direction().label() + " " + e.fields().alert())
        .containsExactly("produced close_notify", "consumed close_notify");
    assertThat(sorted(serverEvents))
        .filteredOn(e -> e.message() == MessageType.ALERT)
        .extracting(e -> e.direction().label() + " " + e.fields().alert())
        .containsExactly("consumed close_notify", "produced close_notify");
  }

  /** A client that does not trust the server says why, and the trace shows the alert both ways. */
  @org.junit.jupiter.api.Test
  void untrustedServerShowsTheFatalAlertOnBothSides(@TempDir Path tmp) throws Exception {
    Path otherCa = tmp.resolve("other");
    tlslab.pki.LabCertificates.init(
        tlslab.pki.InitOptions.builder().dir(otherCa).keyType(tlslab.pki.KeyType.EC_P256).build());
    List<TraceEvent> serverEvents = Collections.synchronizedList(new ArrayList<>());
    List<TraceEvent> clientEvents = Collections.synchronizedList(new ArrayList<>());
    try (HandshakeInspector serverSide =
            HandshakeInspector.builder().trace(serverEvents::add).build();
        HandshakeInspector clientSide =
            HandshakeInspector.builder().trace(clientEvents::add).build()) {
      chat(
          TlsProfile.MODERN,
          otherCa.resolve("ca.pem"),
          serverSide,
          clientSide,
          (server, client) -> {
            org.assertj.core.api.Assertions.assertThatThrownBy(client::connect)
                .isInstanceOf(tlslab.common.LabException.class);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (serverEvents.stream().noneMatch(e -> e.message() == MessageType.ALERT)
                && System.nanoTime() < deadline) {
              Thread.sleep(20);
            }
          });
    }
    assertThat(sorted(clientEvents))
        .filteredOn(e -> e.message() == MessageType.ALERT)
        .extracting(e -> e.direction().label() + " " + e.fields().alert())
        .containsExactly("produced certificate_unknown");
    assertThat(sorted(serverEvents))
        .filteredOn(e -> e.message() == MessageType.ALERT)
        .extracting(e -> e.direction().label() + " " + e.fields().alert())
        .containsExactly("consumed certificate_unknown");
  }

  /**
   * A lab chat server and client of {@code profile}, each watched by its own inspector, the client
   * trusting {@code ca}; {@code body} gets both (the client not yet connected), and the server is
   * closed after it.
   */
  private static void chat(
      TlsProfile profile,
      Path ca,
      HandshakeInspector serverSide,
      HandshakeInspector clientSide,
      ChatBody body)
      throws Exception {
    ChatServer server =
        ChatServer.builder()
            .context(TlsContexts.server(certs))
            .bind("127.0.0.1")
            .port(0)
            .profile(profile)
            .clientAuth(ClientAuth.NONE)
            .observers(e -> serverSide.observer())
            .log(line -> {})
            .build()
            .start();
    try {
      ChatClient client =
          ChatClient.builder()
              .host("localhost")
              .port(server.port())
              .context(TlsContexts.client(ca, null, false))
              .profile(profile)
              .handshakeTimeout(Duration.ofSeconds(20))
              .observers(e -> clientSide.observer())
              .onLine(line -> {})
              .build();
      body.run(server, client);
    } finally {
      server.close();
    }
  }

  private interface ChatBody {
    void run(ChatServer server, ChatClient client) throws Exception;
  }

  private static List<TraceEvent> sorted(List<TraceEvent> events) {
    synchronized (events) {
      List<TraceEvent> copy = new ArrayList<>(events);
      copy.sort((a, b) -> a.time().compareTo(b.time()));
      return copy;
    }
  }
}
