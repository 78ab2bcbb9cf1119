package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.trace.Direction.CONSUMED;
import static tlslab.trace.Direction.PRODUCED;
import static tlslab.trace.MessageType.CERTIFICATE;
import static tlslab.trace.MessageType.CLIENT_HELLO;
import static tlslab.trace.MessageType.CLIENT_KEY_EXCHANGE;
import static tlslab.trace.MessageType.NEW_SESSION_TICKET;
import static tlslab.trace.MessageType.SERVER_HELLO;
import static tlslab.trace.MessageType.SERVER_KEY_EXCHANGE;
import static tlslab.trace.Side.CLIENT;
import static tlslab.trace.Side.SERVER;
import static tlslab.trace.TraceFixtures.first;
import static tlslab.trace.TraceFixtures.hex;
import static tlslab.trace.TraceFixtures.sequence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * The exact message sequence JSSE reports, per side, for each kind of handshake the lab teaches,
 * and the key fields checked against the session and the bytes on the wire. JDK-dependent: JSSE's
 * record texts are internal, so this runs on JDK 17 and JDK 25.
 */
@Tag("jdk")
class HandshakeSequenceTest {
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  private static TraceRun.Result run(TlsProfile profile, ClientAuth auth, boolean resume) {
    return TraceRun.run(
        new TraceRun.Options(profile, auth, resume, certs, null, "sequence test", null), null);
  }

  @Test
  void fullTls12EcdheHandshakeShowsEveryMessageOnBothSides() throws Exception {
    TraceRun.Result r = run(TlsProfile.MODERN, ClientAuth.NONE, false);

    assertThat(sequence(r.events(), 1, CLIENT))
        .containsExactly(
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
    assertThat(sequence(r.events(), 1, SERVER))
        .containsExactly(
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

    TraceRun.Connection c = r.connections().get(0);
    assertThat(c.protocol()).isEqualTo("TLSv1.2");
    assertThat(c.resumed()).isFalse();
    HandshakeFields hello = first(r.events(), 1, CLIENT, PRODUCED, CLIENT_HELLO).fields();
    HandshakeFields chosen = first(r.events(), 1, SERVER, PRODUCED, SERVER_HELLO).fields();
    // The suite the trace shows is the suite the session uses, and one the client offered.
    assertThat(chosen.cipherSuite()).isEqualTo(c.cipherSuite());
    assertThat(hello.cipherSuites()).contains(c.cipherSuite());
    assertThat(TlsProfile.MODERN.cipherSuites()).containsAll(hello.cipherSuites());
    assertThat(chosen.versions()).containsExactly("TLSv1.2");
    // The client random in the trace is the one in the Client Hello bytes on the wire.
    assertThat(c.wireClientRandom()).isNotNull();
    assertThat(hello.random()).isEqualTo(hex(c.wireClientRandom()));
    assertThat(first(r.events(), 1, SERVER, CONSUMED, CLIENT_HELLO).fields().random())
        .isEqualTo(hello.random());
    assertThat(hello.serverName()).isEqualTo("localhost");
    assertThat(hello.extensions()).contains("server_name", "supported_groups", "session_ticket");
    HandshakeFields ske = first(r.events(), 1, CLIENT, CONSUMED, SERVER_KEY_EXCHANGE).fields();
    assertThat(ske.namedGroup()).isNotBlank();
    assertThat(ske.signatureScheme()).startsWith("rsa_");
    assertThat(first(r.events(), 1, CLIENT, CONSUMED, CERTIFICATE).fields().certificateSubjects())
        .hasSize(2)
        .first()
        .asString()
        .contains("CN=localhost");
    // Fingerprints: the server's certificate then the CA's, as sent and as received.
    List<String> chain =
        List.of(TraceFixtures.sha256("server.pem"), TraceFixtures.sha256("ca.pem"));
    assertThat(first(r.events(), 1, CLIENT, CONSUMED, CERTIFICATE).fields().certificateSha256())
        .isEqualTo(chain);
    assertThat(first(r.events(), 1, SERVER, PRODUCED, CERTIFICATE).fields().certificateSha256())
        .isEqualTo(chain);
    assertThat(chain.get(0)).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(r.events())
        .filteredOn(e -> e.message() != CERTIFICATE)
        .allMatch(e -> e.fields().certificateSha256().isEmpty());
    assertThat(first(r.events(), 1, CLIENT, PRODUCED, CLIENT_KEY_EXCHANGE).variant())
        .isEqualTo("ECDHE");
    assertThat(
            first(r.events(), 1, SERVER, PRODUCED, NEW_SESSION_TICKET)
                .fields()
                .ticketLifetimeSeconds())
        .isPositive();
    // Closing sends close_notify (RFC 5246 §7.2.1), and the other side reports receiving it.
    assertThat(r.events())
        .anyMatch(
            e ->
                e.side() == CLIENT
                    && e.direction() == PRODUCED
                    && e.message() == MessageType.ALERT
                    && "close_notify".equals(e.fields().alert()))
        .anyMatch(
            e ->
                e.side() == SERVER
                    && e.direction() == CONSUMED
                    && e.message() == MessageType.ALERT);
    assertThat(r.echoed()).containsExactly("echo: sequence test");
  }

  @Test
  void clientAuthAddsCertificateRequestClientCertificateAndCertificateVerify() throws Exception {
    TraceRun.Result r = run(TlsProfile.MODERN, ClientAuth.NEED, false);

    assertThat(sequence(r.events(), 1, CLIENT))
        .containsExactly(
            "→ Client Hello",
            "← Server Hello",
            "← Certificate",
            "← Server Key Exchange",
            "← Certificate Request",
            "← Server Hello Done",
            "→ Certificate",
            "→ Client Key Exchange",
            "→ Certificate Verify",
            "→ Change Cipher Spec",
            "→ Finished",
            "← New Session Ticket",
            "← Change Cipher Spec",
            "← Finished");
    assertThat(sequence(r.events(), 1, SERVER))
        .containsExactly(
            "← Client Hello",
            "→ Server Hello",
            "→ Certificate",
            "→ Server Key Exchange",
            "→ Certificate Request",
            "→ Server Hello Done",
            "← Certificate",
            "← Client Key Exchange",
            "← Certificate Verify",
            "← Change Cipher Spec",
            "← Finished",
            "→ New Session Ticket",
            "→ Change Cipher Spec",
            "→ Finished");
    assertThat(first(r.events(), 1, CLIENT, PRODUCED, CERTIFICATE).fields().certificateSubjects())
        .first()
        .asString()
        .contains("CN=" + TraceRun.CLIENT_NAME);
    String client = TraceFixtures.sha256("client-" + TraceRun.CLIENT_NAME + ".pem");
    assertThat(first(r.events(), 1, CLIENT, PRODUCED, CERTIFICATE).fields().certificateSha256())
        .first()
        .isEqualTo(client);
    assertThat(first(r.events(), 1, SERVER, CONSUMED, CERTIFICATE).fields().certificateSha256())
        .first()
        .isEqualTo(client);
    assertThat(
            first(r.events(), 1, SERVER, CONSUMED, MessageType.CERTIFICATE_VERIFY)
                .fields()
                .signatureScheme())
        .isNotBlank();
  }

  @Test
  void resumedTls12SessionSkipsCertificateAndKeyExchange() {
    TraceRun.Result r = run(TlsProfile.MODERN, ClientAuth.NONE, true);

    // RFC 5077 §3.1: the server accepts the ticket, sends a fresh one, then its Finished first.
    assertThat(sequence(r.events(), 2, CLIENT))
        .containsExactly(
            "→ Client Hello",
            "← Server Hello",
            "← New Session Ticket",
            "← Change Cipher Spec",
            "← Finished",
            "→ Change Cipher Spec",
            "→ Finished");
    assertThat(sequence(r.events(), 2, SERVER))
        .containsExactly(
            "← Client Hello",
            "→ Server Hello",
            "→ New Session Ticket",
            "→ Change Cipher Spec",
            "→ Finished",
            "← Change Cipher Spec",
            "← Finished");
    assertThat(r.connections().get(0).resumed()).isFalse();
    assertThat(r.connections().get(1).resumed()).isTrue();
    assertThat(first(r.events(), 2, SERVER, PRODUCED, SERVER_HELLO).fields().cipherSuite())
        .isEqualTo(r.connections().get(1).cipherSuite());
    // Each connection has its own client random, even when the session is the same.
    assertThat(first(r.events(), 2, CLIENT, PRODUCED, CLIENT_HELLO).fields().random())
        .isEqualTo(hex(r.connections().get(1).wireClientRandom()))
        .isNotEqualTo(first(r.events(), 1, CLIENT, PRODUCED, CLIENT_HELLO).fields().random());
  }

  /**
   * JSSE logs the TLS 1.3 compatibility Change Cipher Spec it receives, never the one it sends: the
   * timeline says so on the received line, so that a "←" line with no sender is not left
   * unexplained. If a JDK ever logs the sent one, the note would be false and this fails.
   */
  @Test
  void timelineExplainsTheTls13CompatibilityChangeCipherSpecThatJsseLogsOnlyOnReceipt()
      throws Exception {
    TraceRun.Result r13 = run(TlsProfile.TLS13, ClientAuth.NONE, false);
    List<String> timeline13 = timeline(r13.events());
    assertThat(timeline13).noneMatch(l -> l.contains("→ Change Cipher Spec"));
    List<String> received =
        timeline13.stream().filter(l -> l.contains("← Change Cipher Spec")).toList();
    assertThat(received)
        .hasSize(2) // the server's after its Server Hello, the client's before its Finished
        .allMatch(l -> l.endsWith("middlebox compatibility, RFC 8446 §D.4,"));
    assertThat(String.join("\n", timeline13))
        .contains("not a cipher change,\n" + " ".repeat(38) + "sender's → line not logged by JSSE");

    TraceRun.Result r12 = run(TlsProfile.MODERN, ClientAuth.NONE, false);
    List<String> timeline12 = timeline(r12.events());
    assertThat(timeline12).anyMatch(l -> l.contains("→ Change Cipher Spec"));
    assertThat(String.join("\n", timeline12)).doesNotContain("middlebox");
  }

  private static List<String> timeline(List<TraceEvent> events) {
    TimelineFormatter f = new TimelineFormatter(true);
    List<String> lines = new ArrayList<>();
    for (TraceEvent e : events) {
      lines.addAll(f.format(e));
    }
    return lines;
  }

  @Test
  void tls13FullThenResumedWithPsk() throws Exception {
    TraceRun.Result r = run(TlsProfile.TLS13, ClientAuth.NONE, true);

    assertThat(sequence(r.events(), 1, CLIENT))
        .containsExactly(
            "→ Client Hello",
            "← Server Hello",
            "← Change Cipher Spec",
            "← Encrypted Extensions",
            "← Certificate",
            "← Certificate Verify",
            "← Finished",
            "→ Finished",
            "← New Session Ticket");
    assertThat(sequence(r.events(), 1, SERVER))
        .containsExactly(
            "← Client Hello",
            "→ Server Hello",
            "→ Encrypted Extensions",
            "→ Certificate",
            "→ Certificate Verify",
            "→ Finished",
            "← Change Cipher Spec",
            "← Finished",
            "→ New Session Ticket");
    assertThat(sequence(r.events(), 2, CLIENT))
        .containsExactly(
            "→ Client Hello",
            "← Server Hello",
            "← Change Cipher Spec",
            "← Encrypted Extensions",
            "← Finished",
            "→ Finished",
            "← New Session Ticket");
    assertThat(sequence(r.events(), 2, SERVER))
        .containsExactly(
            "← Client Hello",
            "→ Server Hello",
            "→ Encrypted Extensions",
            "→ Finished",
            "← Change Cipher Spec",
            "← Finished",
            "→ New Session Ticket");

    HandshakeFields hello = first(r.events(), 1, CLIENT, PRODUCED, CLIENT_HELLO).fields();
    HandshakeFields sh = first(r.events(), 1, CLIENT, CONSUMED, SERVER_HELLO).fields();
    assertThat(hello.versions()).containsExactly("TLSv1.3");
    assertThat(sh.versions()).containsExactly("TLSv1.3");
    assertThat(sh.cipherSuite()).isEqualTo(r.connections().get(0).cipherSuite());
    assertThat(sh.namedGroup()).isNotBlank();
    assertThat(hello.random()).isEqualTo(hex(r.connections().get(0).wireClientRandom()));
    assertThat(first(r.events(), 2, CLIENT, PRODUCED, CLIENT_HELLO).fields().extensions())
        .contains("pre_shared_key", "psk_key_exchange_modes");
    assertThat(first(r.events(), 2, SERVER, PRODUCED, SERVER_HELLO).fields().extensions())
        .contains("pre_shared_key");
    // The TLS 1.3 Certificate is encrypted on the wire; the fingerprints come from the session.
    String server = TraceFixtures.sha256("server.pem");
    assertThat(first(r.events(), 1, CLIENT, CONSUMED, CERTIFICATE).fields().certificateSha256())
        .first()
        .isEqualTo(server);
    assertThat(first(r.events(), 1, SERVER, PRODUCED, CERTIFICATE).fields().certificateSha256())
        .first()
        .isEqualTo(server);
    assertThat(r.connections().get(1).resumed()).isTrue();
    assertThat(r.connections()).allMatch(c -> c.protocol().equals("TLSv1.3"));
  }

  /**
   * The report's suite runs in a JVM of its own: JDK 25 disables TLS_RSA and JSSE reads that
   * setting once per process, so it must be re-enabled before anything in the JVM uses TLS.
   */
  @Test
  void reportProfileUsesRsaKeyTransportWithoutServerKeyExchange(@TempDir Path tmp)
      throws Exception {
    Path json = tmp.resolve("trace.jsonl");
    TraceFixtures.Cli cli =
        TraceFixtures.lab(
            true,
            "trace",
            "--profile",
            "report",
            "--certs",
            certs.toString(),
            "--trace-json",
            json.toString());

    assertThat(cli.exit()).as(cli.err()).isZero();
    assertThat(cli.err()).contains("WARNING: profile 'report'");
    assertThat(cli.out())
        .contains("connection 1: TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA, full handshake");
    List<String> lines = Files.readAllLines(json);
    List<String> client = new ArrayList<>();
    for (String line : lines) {
      assertThat(line).startsWith("{").endsWith("}");
      if (line.contains("\"side\":\"client\"") && !line.contains("\"message\":\"Alert\"")) {
        client.add(
            (line.contains("\"direction\":\"produced\"") ? "→ " : "← ") + value(line, "message"));
      }
    }
    assertThat(client)
        .containsExactly(
            "→ Client Hello",
            "← Server Hello",
            "← Certificate",
            "← Server Hello Done",
            "→ Client Key Exchange",
            "→ Change Cipher Spec",
            "→ Finished",
            "← New Session Ticket",
            "← Change Cipher Spec",
            "← Finished");
    assertThat(lines)
        .anyMatch(
            l ->
                l.contains("\"message\":\"Client Hello\"")
                    && l.contains("\"cipher_suites\":[\"TLS_RSA_WITH_AES_128_CBC_SHA\"]"))
        .anyMatch(
            l ->
                l.contains("\"message\":\"Server Hello\"")
                    && l.contains("\"cipher_suite\":\"TLS_RSA_WITH_AES_128_CBC_SHA\""))
        .anyMatch(
            l ->
                l.contains("\"message\":\"Client Key Exchange\"")
                    && l.contains("\"variant\":\"RSA\""));
  }

  private static String value(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }
}
