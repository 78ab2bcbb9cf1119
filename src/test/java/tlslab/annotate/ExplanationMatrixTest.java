package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.wire.HandshakeMode;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;

/**
 * The explanation matrix on real handshakes between openssl s_server and s_client (captured by
 * tcpdump on loopback): each message type, in TLS 1.0, 1.2 full, 1.2 resumed by session id, 1.2
 * resumed by ticket, 1.3 full, 1.3 with a Hello Retry Request and 1.3 PSK resumption, from each
 * sender, must cite the RFC section of that version and make the claim that holds there. TLS 1.3
 * handshakes are read with the key log so that their encrypted messages are seen too; without it,
 * the "Application Data" notes must say what those records hide.
 */
@Tag("slow")
class ExplanationMatrixTest {

  static LoopbackCaptures.Capture tls10() throws Exception {
    return LoopbackCaptures.openssl(
        "tls10", "-cipher DEFAULT@SECLEVEL=0", List.of("-tls1 -cipher DEFAULT@SECLEVEL=0"), 0);
  }

  static LoopbackCaptures.Capture tls10Rsa() throws Exception {
    return LoopbackCaptures.openssl(
        "tls10-rsa",
        "-cipher AES128-SHA@SECLEVEL=0",
        List.of("-tls1 -cipher AES128-SHA@SECLEVEL=0"),
        0);
  }

  /** One message as the annotator modelled it, with its connection and frame. */
  record Seen(int connection, long frame, TlsMessage m) {}

  /** The annotation of a capture: every message, and the facts of each connection. */
  record Annotated(List<Seen> messages, List<ConnectionFacts> facts) {
    /** The notes of the messages of {@code type} from {@code sender} on connection {@code conn}. */
    List<String> notes(int conn, Sender sender, Predicate<TlsMessage> type) {
      List<String> out = new ArrayList<>();
      for (Seen s : messages)
        if (s.connection == conn && s.m.sender() == sender && type.test(s.m)) out.add(s.m.note());
      return out;
    }

    /** The first note, asserting there is one. */
    String note(int conn, Sender sender, Predicate<TlsMessage> type, String what) {
      List<String> n = notes(conn, sender, type);
      assertThat(n).as("%s from the %s on connection %d", what, sender.label(), conn).isNotEmpty();
      return n.get(0);
    }

    String hs(int conn, Sender sender, HandshakeType t) {
      return note(conn, sender, m -> m.handshakeType() == t.code(), t.label());
    }

    String kind(int conn, Sender sender, TlsMessage.Kind k) {
      return note(conn, sender, m -> m.type() == k, k.name());
    }

    List<String> allNotes() {
      return messages.stream().map(s -> s.m.note()).filter(n -> !n.isEmpty()).toList();
    }
  }

  static Annotated annotate(LoopbackCaptures.Capture c, KeyMaterial keys, boolean report) {
    Annotator an = new Annotator(keys, new Annotator.Options(true, true, report, false));
    List<Seen> seen = new ArrayList<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      while (r.next(f)) {
        Row row = an.annotate(f);
        for (TlsMessage m : row.messages()) seen.add(new Seen(row.connection, row.number, m));
      }
    }
    assertThat(an.problems()).as("internal problems").isEmpty();
    return new Annotated(seen, an.facts());
  }

  private static final Sender C = Sender.CLIENT;
  private static final Sender S = Sender.SERVER;

  /** On anyone's traffic: no aside about the student report, no "chat lines". */
  private static void noReportAsides(Annotated a) {
    assertThat(a.allNotes())
        .isNotEmpty()
        .noneSatisfy(n -> assertThat(n).containsIgnoringCase("report"))
        .noneSatisfy(n -> assertThat(n).contains("chat lines"));
  }

  @Test
  void tls10CitesRfc2246AndSaysItIsDeprecated() throws Exception {
    Annotated a = annotate(tls10(), KeyMaterial.none(), false);
    assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
        .startsWith("Client Hello (RFC 2246 7.4.1.2)")
        .contains("up to TLS 1.0")
        .contains("deprecated (RFC 8996)");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .startsWith("Server Hello (RFC 2246 7.4.1.3)")
        .contains("chooses TLS 1.0")
        .contains("A full handshake")
        .contains("Key exchange: ECDHE (RFC 8422)")
        .contains("TLS 1.0 is deprecated (RFC 8996");
    assertThat(a.hs(1, S, HandshakeType.CERTIFICATE)).startsWith("Certificate (RFC 2246 7.4.2)");
    assertThat(a.hs(1, S, HandshakeType.SERVER_KEY_EXCHANGE))
        .startsWith("Server Key Exchange (RFC 2246 7.4.3, RFC 8422 5.4)")
        .contains("never encrypted with the server's public key");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO_DONE))
        .startsWith("Server Hello Done (RFC 2246 7.4.5)");
    assertThat(a.hs(1, C, HandshakeType.CLIENT_KEY_EXCHANGE))
        .startsWith("Client Key Exchange (RFC 2246 7.4.7, RFC 8422 5.7)")
        .contains("ephemeral elliptic-curve public key");
    for (Sender s : List.of(C, S)) {
      assertThat(a.kind(1, s, TlsMessage.Kind.CHANGE_CIPHER_SPEC))
          .startsWith("Change Cipher Spec (RFC 2246 7.1)")
          .contains("the " + s.label() + "'s records are protected with the newly agreed keys");
      assertThat(a.kind(1, s, TlsMessage.Kind.ENCRYPTED_HANDSHAKE))
          .contains("is its Finished (RFC 2246 7.4.9)");
      assertThat(a.kind(1, s, TlsMessage.Kind.APPLICATION_DATA))
          .startsWith("Application Data (RFC 2246 6.2.3)");
      assertThat(a.kind(1, s, TlsMessage.Kind.ENCRYPTED_ALERT)).contains("(RFC 2246 7.2)");
    }
    assertThat(a.hs(1, S, HandshakeType.NEW_SESSION_TICKET))
        .startsWith("New Session Ticket (RFC 5077 3.3)")
        .contains("ticket_lifetime_hint");
    noReportAsides(a);
  }

  @Test
  void rsaKeyTransportIsSaidInTls10AndTls12() throws Exception {
    for (LoopbackCaptures.Capture c : List.of(tls10Rsa(), Scenarios.tls12Rsa())) {
      Annotated a = annotate(c, KeyMaterial.none(), false);
      String rfc = c.name().startsWith("tls10") ? "RFC 2246" : "RFC 5246";
      assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
          .contains("TLS_RSA_WITH_AES_128_CBC_SHA")
          .contains("Key exchange: RSA key transport (" + rfc + " 7.4.7.1)")
          .contains("No forward secrecy");
      assertThat(a.hs(1, C, HandshakeType.CLIENT_KEY_EXCHANGE))
          .startsWith("Client Key Exchange (" + rfc + " 7.4.7.1)")
          .contains("48-byte premaster secret encrypted with the RSA public key")
          .doesNotContain("ephemeral");
      assertThat(a.hs(1, S, HandshakeType.CERTIFICATE))
          .contains("the one the premaster secret will be encrypted to");
      assertThat(a.facts().get(0).keyExchange()).isEqualTo(KeyExchangeKind.RSA_TRANSPORT);
      assertThat(a.facts().get(0).forwardSecret()).isFalse();
      noReportAsides(a);
    }
  }

  @Test
  void tls12FullHandshakeCitesRfc5246() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls12Gcm();
    Annotated a = annotate(c, KeyMaterial.none(), false);
    assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
        .startsWith("Client Hello (RFC 5246 7.4.1.2)")
        .contains(
            "The record header says TLS 1.0 (a lower record version for old servers, RFC"
                + " 5246 E.1)")
        .doesNotContain("RFC 8446");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .startsWith("Server Hello (RFC 5246 7.4.1.3)")
        .contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        .contains("A full handshake")
        .contains("Key exchange: ECDHE (RFC 8422)")
        .contains("Forward secret");
    assertThat(a.hs(1, S, HandshakeType.CERTIFICATE))
        .startsWith("Certificate (RFC 5246 7.4.2): the server's certificate chain")
        .contains("used only to sign");
    assertThat(a.hs(1, S, HandshakeType.SERVER_KEY_EXCHANGE))
        .startsWith("Server Key Exchange (RFC 5246 7.4.3, RFC 8422 5.4)")
        .contains("on x25519");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO_DONE))
        .startsWith("Server Hello Done (RFC 5246 7.4.5)");
    assertThat(a.hs(1, C, HandshakeType.CLIENT_KEY_EXCHANGE))
        .startsWith("Client Key Exchange (RFC 5246 7.4.7, RFC 8422 5.7)");
    for (Sender s : List.of(C, S)) {
      assertThat(a.kind(1, s, TlsMessage.Kind.CHANGE_CIPHER_SPEC))
          .startsWith("Change Cipher Spec (RFC 5246 7.1)")
          .contains("the next one is its Finished");
      assertThat(a.kind(1, s, TlsMessage.Kind.ENCRYPTED_HANDSHAKE))
          .contains("is its Finished (RFC 5246 7.4.9)");
      assertThat(a.kind(1, s, TlsMessage.Kind.APPLICATION_DATA))
          .startsWith("Application Data (RFC 5246 6.2.3)");
    }
    assertThat(a.hs(1, S, HandshakeType.NEW_SESSION_TICKET))
        .startsWith("New Session Ticket (RFC 5077 3.3)")
        .contains("ticket_lifetime_hint 7200 s, a hint");
    noReportAsides(a);

    // With the key log the Finished messages are read: the note says what Wireshark shows
    // without keys in TLS 1.2.
    Annotated k = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()), false);
    for (Sender s : List.of(C, S))
      assertThat(k.hs(1, s, HandshakeType.FINISHED))
          .startsWith("Finished (RFC 5246 7.4.9): the " + s.label() + "'s MAC")
          .contains("\"Encrypted Handshake Message\"");
  }

  @Test
  void applicationDataIsExplainedOncePerConnectionAndSender() throws Exception {
    Annotated a = annotate(Scenarios.bigRecords(), KeyMaterial.none(), false);
    List<String> client = a.notes(1, C, m -> m.type() == TlsMessage.Kind.APPLICATION_DATA);
    assertThat(client).as("client Application Data records").hasSizeGreaterThan(2);
    assertThat(client.stream().filter(n -> !n.isEmpty()))
        .singleElement()
        .asString()
        .contains("Said once per connection and sender");
  }

  @Test
  void tls12ResumedBySessionIdHasNoKeyExchange() throws Exception {
    Annotated a = annotate(Scenarios.tls12RsaResumedById(), KeyMaterial.none(), false);
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .contains("Its session id names an earlier session it wants to resume (RFC 5246 7.4.1.2)");
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .contains(
            "echoes the session id the client offered: an abbreviated handshake (RFC 5246"
                + " 7.3)")
        .contains("no Certificate and no key exchange")
        .doesNotContain("Key exchange:")
        .doesNotContain("premaster");
    assertThat(a.kind(2, S, TlsMessage.Kind.CHANGE_CIPHER_SPEC))
        .contains("In an abbreviated handshake the server sends it first");
    assertThat(a.notes(2, C, m -> m.handshakeType() == HandshakeType.CLIENT_KEY_EXCHANGE.code()))
        .isEmpty();
    ConnectionFacts f = a.facts().get(1);
    assertThat(f.mode()).isEqualTo(HandshakeMode.RESUMED_SESSION_ID);
    assertThat(ConnectionSummary.of(f, false).lines())
        .contains("handshake: resumed by session id (abbreviated handshake)")
        .anySatisfy(l -> assertThat(l).startsWith("key exchange: none in this abbreviated"));
    noReportAsides(a);
  }

  @Test
  void tls12ResumedByTicket() throws Exception {
    Annotated a = annotate(Scenarios.resumed(), KeyMaterial.none(), false);
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .contains("It presents a session ticket (RFC 5077 3.1)");
    // openssl's client offers the ticket with a session id it made up, which the server echoes:
    // that echo is the same for a ticket and for the session cache (RFC 5077 3.4). It was "it
    // accepted the ticket".
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .contains("the capture cannot tell by which")
        .doesNotContain("accepted the ticket")
        .contains("no Certificate and no key exchange")
        .doesNotContain("ephemeral")
        .doesNotContain("Key exchange");
    for (Sender s : List.of(C, S))
      assertThat(a.kind(2, s, TlsMessage.Kind.ENCRYPTED_HANDSHAKE))
          .contains("is its Finished (RFC 5246 7.4.9)");
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.RESUMED_TICKET_OR_SESSION_ID);
    assertThat(a.facts().get(0).mode()).isEqualTo(HandshakeMode.FULL);
    noReportAsides(a);
  }

  @Test
  void tls13FullHandshakeCitesRfc8446Throughout() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13();
    Annotated a = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()), false);
    assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
        .startsWith("Client Hello (RFC 8446 4.1.2)")
        .contains("supported_versions (RFC 8446 4.2.1")
        .contains("key_share (RFC 8446 4.2.8)")
        .contains("The record header says TLS 1.0 (legacy_record_version")
        .contains("RFC 8446 5.1");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .startsWith("Server Hello (RFC 8446 4.1.3)")
        .contains("chooses TLS 1.3")
        .contains("ephemeral (EC)DHE exchange (RFC 8446 4.2.8): forward secret")
        .doesNotContain("TLS13")
        .doesNotContain("does not carry the certificate");
    for (Sender s : List.of(C, S)) {
      assertThat(a.kind(1, s, TlsMessage.Kind.CHANGE_CIPHER_SPEC))
          .startsWith("Change Cipher Spec in TLS 1.3 (RFC 8446 5, D.4)")
          .contains("no effect on the keys")
          .doesNotContain("from the next record on");
      assertThat(a.hs(1, s, HandshakeType.FINISHED))
          .startsWith("Finished (RFC 8446 4.4.4)")
          .contains("shows this record as \"Application Data\"")
          .doesNotContain("Encrypted Handshake Message");
      assertThat(a.kind(1, s, TlsMessage.Kind.APPLICATION_DATA))
          .startsWith("Application Data (RFC 8446 5.2)");
      assertThat(a.kind(1, s, TlsMessage.Kind.ALERT))
          .contains("Close Notify")
          .contains("(RFC 8446 6.1)")
          .contains("not an error");
    }
    assertThat(a.hs(1, S, HandshakeType.ENCRYPTED_EXTENSIONS))
        .startsWith("Encrypted Extensions (RFC 8446 4.3.1)");
    assertThat(a.hs(1, S, HandshakeType.CERTIFICATE))
        .startsWith("Certificate (RFC 8446 4.4.2)")
        .contains("travels encrypted");
    assertThat(a.hs(1, S, HandshakeType.CERTIFICATE_VERIFY))
        .startsWith("Certificate Verify (RFC 8446 4.4.3): the server's signature");
    assertThat(a.hs(1, S, HandshakeType.NEW_SESSION_TICKET))
        .startsWith("New Session Ticket (RFC 8446 4.6.1)")
        .contains("ticket_lifetime 7200 s")
        .doesNotContain("hint");
    // No TLS 1.3 message cites the TLS 1.2 RFC.
    assertThat(a.messages())
        .filteredOn(s -> !s.m().note().isEmpty())
        .filteredOn(s -> s.m().handshakeType() != HandshakeType.CLIENT_HELLO.code())
        .allSatisfy(s -> assertThat(s.m().note()).doesNotContain("RFC 5246"));
    noReportAsides(a);

    // Without keys: what the encrypted records hide, per sender; alerts are not claimed absent.
    Annotated n = annotate(c, KeyMaterial.none(), false);
    assertThat(n.kind(1, S, TlsMessage.Kind.APPLICATION_DATA))
        .contains("Encrypted Extensions, Certificate")
        .contains("Certificate Verify and Finished (RFC 8446 2)");
    assertThat(n.kind(1, C, TlsMessage.Kind.APPLICATION_DATA))
        .contains("handshake flight starts here: its Finished (RFC 8446 4.4.4)");
    assertThat(ConnectionSummary.of(n.facts().get(0), false).lines())
        .contains("alerts: none visible (TLS 1.3 alerts are encrypted; a key log shows them)")
        .doesNotContain("alerts: none");
  }

  @Test
  void tls13HelloRetryRequestAndTheSecondClientHello() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13Hrr();
    Annotated a = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()), false);
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .startsWith("Hello Retry Request (RFC 8446 4.1.4)")
        .contains("(secp256r1)")
        .contains("second Client Hello");
    List<String> hellos = a.notes(1, C, m -> m.handshakeType() == 1);
    assertThat(hellos).hasSize(2);
    assertThat(hellos.get(0)).startsWith("Client Hello (RFC 8446 4.1.2)");
    assertThat(hellos.get(1))
        .startsWith("Second Client Hello (RFC 8446 4.1.2, 4.1.4)")
        .contains("key share on the group the server named (secp256r1)");
    // The client's CCS after the HRR: the next record is a plaintext Client Hello, not encrypted.
    assertThat(a.kind(1, C, TlsMessage.Kind.CHANGE_CIPHER_SPEC))
        .contains("next client record is its second Client Hello, still in the clear")
        .doesNotContain("encrypts with the new keys");
    List<String> serverHellos = a.notes(1, S, m -> m.handshakeType() == 2);
    assertThat(serverHellos).hasSize(2);
    assertThat(serverHellos.get(1)).startsWith("Server Hello (RFC 8446 4.1.3)");
    assertThat(a.facts().get(0).helloRetryRequest()).isTrue();
    assertThat(a.facts().get(0).mode()).isEqualTo(HandshakeMode.FULL);
    noReportAsides(a);
  }

  @Test
  void tls13PskResumptionHasNoCertificate() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13Resumed();
    Annotated a = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()), false);
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .contains("pre_shared_key (RFC 8446 4.2.11): it offers to resume");
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .startsWith("Server Hello (RFC 8446 4.1.3)")
        .contains("accepts the client's pre-shared key (RFC 8446 4.2.11, 2.2)")
        .contains("no Certificate or Certificate Verify follows")
        .contains("psk_dhe_ke")
        .doesNotContain("does not carry the certificate");
    assertThat(a.notes(2, S, m -> m.handshakeType() == HandshakeType.CERTIFICATE.code()))
        .as("a PSK handshake has no Certificate")
        .isEmpty();
    assertThat(a.hs(2, S, HandshakeType.FINISHED)).startsWith("Finished (RFC 8446 4.4.4)");
    ConnectionFacts f = a.facts().get(1);
    assertThat(f.mode()).isEqualTo(HandshakeMode.TLS13_PSK);
    assertThat(f.keyExchange()).isEqualTo(KeyExchangeKind.PSK_ECDHE);
    assertThat(f.forwardSecret()).isTrue();
    assertThat(ConnectionSummary.of(f, true).lines())
        .noneSatisfy(l -> assertThat(l).startsWith("certificates: encrypted"));

    // Without keys, the server's encrypted flight is described without a Certificate.
    Annotated n = annotate(c, KeyMaterial.none(), false);
    assertThat(n.kind(2, S, TlsMessage.Kind.APPLICATION_DATA))
        .contains("no Certificate, since the handshake uses a pre-shared key (RFC 8446 2.2)")
        .doesNotContain("Certificate Verify");
    noReportAsides(a);
  }

  @Test
  void theReportsCorrectionsAppearOnlyWhenAskedFor() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls12Gcm();
    Annotated lab = annotate(c, KeyMaterial.none(), true);
    assertThat(lab.hs(1, S, HandshakeType.SERVER_HELLO)).contains("The report says");
    assertThat(lab.hs(1, S, HandshakeType.NEW_SESSION_TICKET))
        .contains("not about allowing \"multiple communication within one session\"");
    assertThat(lab.kind(1, C, TlsMessage.Kind.APPLICATION_DATA)).contains("Here: chat lines.");
    noReportAsides(annotate(c, KeyMaterial.none(), false));
  }
}
