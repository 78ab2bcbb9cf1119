package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pcap.TcpPacket;
import tlslab.wire.KeyExchangeKind;

/**
 * Notes and the model on crafted handshakes for what loopback peers here cannot produce: a Client
 * Hello with GREASE and a non-ASCII ALPN value (as Chrome sends), an RC4 suite of TLS 1.0 (RFC
 * 7465), an HTTP CONNECT tunnel before TLS; and the JSON and classroom renderings of the model.
 */
class CraftedHandshakeTest {
  @TempDir Path dir;

  private final Annotator an = new Annotator(KeyMaterial.none(), true);
  private long frameNo;
  private int clientSeq = 1;
  private int serverSeq = 1;
  private final SyntheticCapture file = new SyntheticCapture();

  private Row client(byte[] payload) {
    byte[] p =
        SyntheticCapture.packet(
            true, clientSeq, serverSeq, TcpPacket.ACK | TcpPacket.PSH, payload, 0, payload.length);
    clientSeq += payload.length;
    file.add(p);
    return an.annotate(SyntheticCapture.frame(++frameNo, p)).copy();
  }

  private Row server(byte[] payload) {
    byte[] p =
        SyntheticCapture.packet(
            false, serverSeq, clientSeq, TcpPacket.ACK | TcpPacket.PSH, payload, 0, payload.length);
    serverSeq += payload.length;
    file.add(p);
    return an.annotate(SyntheticCapture.frame(++frameNo, p)).copy();
  }

  /** A Client Hello: legacy_version, suites, and extensions as (type, body) pairs. */
  static byte[] clientHello(int version, int[] suites, byte[]... extensions) {
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    for (byte[] e : extensions) ext.writeBytes(e);
    ByteBuffer b = ByteBuffer.allocate(2 + 32 + 1 + 2 + 2 * suites.length + 2 + 2 + ext.size());
    b.putShort((short) version).put(new byte[32]).put((byte) 0);
    b.putShort((short) (2 * suites.length));
    for (int s : suites) b.putShort((short) s);
    b.put((byte) 1).put((byte) 0).putShort((short) ext.size()).put(ext.toByteArray());
    return handshake(1, b.array());
  }

  static byte[] serverHello(int version, int suite, byte[] sessionId) {
    ByteBuffer b = ByteBuffer.allocate(2 + 32 + 1 + sessionId.length + 2 + 1);
    b.putShort((short) version).put(new byte[32]).put((byte) sessionId.length).put(sessionId);
    b.putShort((short) suite).put((byte) 0);
    return handshake(2, b.array());
  }

  static byte[] handshake(int type, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + body.length);
    b.put((byte) type).put((byte) (body.length >> 16)).putShort((short) body.length).put(body);
    return b.array();
  }

  static byte[] extension(int type, byte[] body) {
    return ByteBuffer.allocate(4 + body.length)
        .putShort((short) type)
        .putShort((short) body.length)
        .put(body)
        .array();
  }

  /** ALPN (RFC 7301 3.1): a list of length-prefixed names. */
  static byte[] alpn(byte[]... names) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (byte[] n : names) {
      list.write(n.length);
      list.writeBytes(n);
    }
    byte[] l = list.toByteArray();
    return extension(
        16, ByteBuffer.allocate(2 + l.length).putShort((short) l.length).put(l).array());
  }

  @Test
  void greaseAndNonAsciiAlpnAreNamedForWhatTheyAre() {
    byte[] ch =
        clientHello(
            0x0303,
            new int[] {0x3a3a, 0x1301, 0xc02f},
            extension(0x5a5a, new byte[0]),
            alpn(new byte[] {(byte) 0xba, (byte) 0xba}, "h2".getBytes(StandardCharsets.US_ASCII)),
            extension(43, new byte[] {4, 0x7a, 0x7a, 0x03, 0x04}));
    Row r = client(SyntheticCapture.record(22, 0x0301, ch));
    assertThat(r.info).isEqualTo("Client Hello");
    assertThat(r.notes.get(0))
        .startsWith("Client Hello (RFC 8446 4.1.2)")
        .contains("offers 2 cipher suites") // the GREASE suite is not counted
        .contains("the version TLS 1.3 in supported_versions")
        .contains("ALPN (RFC 7301 3.1) offers \\xba\\xba, h2")
        .contains("GREASE (RFC 8701)")
        .contains("The record header says TLS 1.0");
    ConnectionFacts f = an.liveFacts(1);
    assertThat(f.alpnOffered()).containsExactly("\\xba\\xba", "h2");
    TlsMessage m = r.messages().get(0);
    assertThat(m.fields())
        .anySatisfy(
            fl -> {
              assertThat(fl.name()).isEqualTo("extension application_layer_protocol_negotiation");
              assertThat(fl.value()).isEqualTo("\\xba\\xba, h2");
              // the byte range points at the extension inside the message: type 0x0010
              assertThat(ch[fl.offset()]).isZero();
              assertThat(ch[fl.offset() + 1]).isEqualTo((byte) 16);
            })
        .anySatisfy(fl -> assertThat(fl.name()).isEqualTo("extension GREASE"))
        .anySatisfy(
            fl -> {
              assertThat(fl.name()).isEqualTo("cipher_suites");
              assertThat(fl.value()).startsWith("3 suites: GREASE, TLS_AES_128_GCM_SHA256");
            });
    assertThat(m.range().space()).isEqualTo(ByteRange.Space.FRAME);
    assertThat(m.range().length()).isEqualTo(ch.length);
  }

  @Test
  void rc4InTls10IsRsaKeyTransportAndProhibited() {
    client(
        SyntheticCapture.record(
            22, 0x0301, clientHello(0x0301, new int[] {0x0005, 0x002f}, new byte[0][])));
    byte[] sid = new byte[32];
    sid[0] = 7;
    Row r = server(SyntheticCapture.record(22, 0x0301, serverHello(0x0301, 0x0005, sid)));
    assertThat(r.info).isEqualTo("Server Hello");
    assertThat(r.notes.get(0))
        .startsWith("Server Hello (RFC 2246 7.4.1.3)")
        .contains("TLS_RSA_WITH_RC4_128_SHA")
        .contains("Key exchange: RSA key transport (RFC 2246 7.4.7.1)")
        .contains("RC4 is prohibited in every TLS version (RFC 7465)")
        .contains("TLS 1.0 is deprecated (RFC 8996")
        .doesNotContain("Unknown key exchange");
    // Client Key Exchange of that suite: the encrypted premaster secret, not an (EC)DH key.
    byte[] cke = handshake(16, new byte[130]);
    cke[4] = 0;
    cke[5] = (byte) 128;
    Row k = client(SyntheticCapture.record(22, 0x0301, cke));
    assertThat(k.notes.get(0))
        .startsWith("Client Key Exchange (RFC 2246 7.4.7.1)")
        .contains("48-byte premaster secret encrypted with the RSA public key")
        .doesNotContain("ephemeral");
    assertThat(an.liveFacts(1).keyExchange()).isEqualTo(KeyExchangeKind.RSA_TRANSPORT);
  }

  /**
   * A TLS 1.2 client that presents a session ticket with an empty session id (RFC 5077 3.4 allows
   * it; openssl, curl and JSSE send an id of their own, so no loopback peer here makes one): at the
   * Server Hello nothing yet tells a full handshake from an accepted ticket. The note said "the
   * server will send an ephemeral elliptic-curve key ... in a Server Key Exchange. Forward secret."
   * flatly, false when the server's next message is its Change Cipher Spec, as here.
   */
  @Test
  void aTicketWithAnEmptySessionIdLeavesTheKeyExchangeOpenAtTheServerHello() {
    byte[] ticket = new byte[48];
    ticket[0] = 1;
    client(
        SyntheticCapture.record(
            22, 0x0301, clientHello(0x0303, new int[] {0xc02f}, extension(35, ticket))));
    Row sh = server(SyntheticCapture.record(22, 0x0303, serverHello(0x0303, 0xc02f, new byte[0])));
    assertThat(sh.notes.get(0))
        .contains("only the next server message tells (RFC 5077 3.4)")
        .contains(
            "(If it is a full handshake:) Key exchange: ECDHE (RFC 8422): the server will send")
        .doesNotContain("Certificate a full handshake. Key exchange");
    server(SyntheticCapture.record(20, 0x0303, new byte[] {1}));
    ConnectionFacts f = an.liveFacts(1);
    assertThat(f.mode()).isEqualTo(tlslab.wire.HandshakeMode.RESUMED_TICKET);
  }

  @Test
  void anHttpConnectTunnelNamesTheRealPeer() {
    client("CONNECT chat.example:8443 HTTP/1.1\r\nHost: chat.example:8443\r\n\r\n".getBytes());
    server("HTTP/1.1 200 Connection established\r\n\r\n".getBytes());
    Row r =
        client(
            SyntheticCapture.record(
                22, 0x0301, clientHello(0x0303, new int[] {0xc02f}, new byte[0][])));
    assertThat(r.info).isEqualTo("Client Hello");
    assertThat(r.notes.get(0))
        .contains("goes through a proxy (HTTP CONNECT in frame 1)")
        .contains("the TLS server is chat.example:8443 behind it");
    assertThat(an.liveFacts(1).proxy()).isEqualTo("chat.example:8443");
  }

  @Test
  void aSocks5TunnelNamesTheRealPeer() {
    client(new byte[] {5, 1, 0}); // greeting: one method, "no authentication" (RFC 1928 3)
    server(new byte[] {5, 0});
    byte[] host = "chat.example".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer req = ByteBuffer.allocate(5 + host.length + 2);
    req.put((byte) 5).put((byte) 1).put((byte) 0).put((byte) 3).put((byte) host.length).put(host);
    req.putShort((short) 443);
    client(req.array()); // CONNECT chat.example:443 (RFC 1928 4)
    server(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    Row r =
        client(
            SyntheticCapture.record(
                22, 0x0301, clientHello(0x0303, new int[] {0xc02f}, new byte[0][])));
    assertThat(r.notes.get(0))
        .contains("goes through a proxy (SOCKS 5 in frame 3)")
        .contains("the TLS server is chat.example:443 behind it");
  }

  @Test
  void jsonCarriesTheWholeModelAndTheClassroomViewFitsTheScreen() throws Exception {
    byte[] ch =
        clientHello(
            0x0303, new int[] {0xc02f}, alpn("http/1.1".getBytes(StandardCharsets.US_ASCII)));
    client(SyntheticCapture.record(22, 0x0301, ch));
    byte[] sid = new byte[32];
    server(SyntheticCapture.record(22, 0x0303, serverHello(0x0303, 0xc02f, sid)));
    Path pcap = dir.resolve("crafted.pcap");
    Files.write(pcap, file.bytes());

    StringWriter json = new StringWriter();
    AnnotateReport.run(pcap, KeyMaterial.none(), OutputFormat.JSON, true, new PrintWriter(json));
    assertThat(json.toString())
        .contains("\"records\": [{\"contentType\": 22, \"version\": 769, \"sender\": \"client\"")
        .contains("\"messages\": [{\"label\": \"Client Hello\", \"type\": \"HANDSHAKE\"")
        .contains("\"handshakeType\": 1")
        .contains("\"range\": {\"in\": \"frame\", \"offset\": 45, \"length\": " + ch.length + "}")
        .contains("{\"name\": \"random\"")
        .contains("\"note\": \"Client Hello (RFC 5246 7.4.1.2)")
        .contains("\"keyExchange\": \"ECDHE\"")
        .contains("\"mode\": \"FULL\"")
        .contains("\"forwardSecret\": true")
        .contains("\"alpnOffered\": [\"http/1.1\"]")
        .contains("\"rolesKnown\": true");

    StringWriter table = new StringWriter();
    AnnotateReport.run(
        pcap,
        KeyMaterial.none(),
        OutputFormat.TABLE,
        AnnotateReport.View.classroom(80),
        new PrintWriter(table));
    String t = table.toString();
    assertThat(t)
        .contains("-- connection 1: client 10.0.0.1:40000, server 10.0.0.2:5555")
        .contains("#1 client:40000 -> server:5555")
        .contains("#1 server:5555 -> client:40000")
        .doesNotContain("10.0.0.1 -> 10.0.0.2"); // addresses once per connection, not per row
    for (String line : t.split("\n")) assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    assertThat(t).doesNotContain("TCP"); // the TLS-only view
    assertThat(an.liveFacts(1).mode()).isEqualTo(tlslab.wire.HandshakeMode.FULL);
  }
}
