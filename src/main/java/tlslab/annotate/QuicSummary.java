package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.quic.PacketType;
import tlslab.quic.QuicVersion;
import tlslab.wire.CipherSuite;

/**
 * The end-of-report summary of one QUIC connection: what its handshake showed, what was opened and
 * what stayed sealed, and how that differs from TLS over TCP. Each line is chosen from what this
 * connection's packets held: nothing is said about 0-RTT, Retry, a key update or HTTP/3 unless the
 * capture showed it.
 *
 * @param index the QUIC connection's number (its own count, beside the TCP connections')
 * @param client the client's address and port
 * @param server the server's address and port
 * @param facts the handshake's values (version, SNI, ALPN, cipher suite, certificates)
 * @param packets per packet type, seen and opened
 * @param lines the summary sentences, in order
 */
public record QuicSummary(
    int index,
    String client,
    String server,
    QuicConnectionFacts facts,
    List<PacketCount> packets,
    List<String> lines) {

  /** Packets of one type in this connection, and how many of them opened. */
  public record PacketCount(String type, int seen, int opened) {}

  static QuicSummary of(QuicConnection c, boolean haveKeyLog) {
    Connection tls = c.tls;
    List<String> l = new ArrayList<>();
    l.add(version(c));
    if (c.versionsOffered.length > 0) {
      l.add(
          "The server answered with Version Negotiation (RFC 9000 section 6), offering "
              + QuicNotes.versions(c.versionsOffered)
              + ". Version Negotiation is not protected at all.");
    }
    int initials = c.packets[PacketType.INITIAL.ordinal()];
    int initialsOpened = c.opened[PacketType.INITIAL.ordinal()];
    boolean hello = c.messages.contains("Client Hello");
    if (hello) {
      l.add(
          (tls.serverName != null
                  ? "Server name (SNI) " + tls.serverName
                  : "No server name (SNI) in the Client Hello")
              + "; ALPN offered: "
              + (c.alpnOffered.isEmpty() ? "none" : String.join(", ", c.alpnOffered))
              + ". Read from the Client Hello in the client's Initial packets, with no key log:"
              + " Initial keys come from the client's first Destination Connection ID and a"
              + " published salt ("
              + (c.version == QuicVersion.V2 ? "RFC 9369 section 3.3.1" : "RFC 9001 section 5.2")
              + "), so anyone on the path reads them. An on-path attacker can also forge Initial"
              + " packets, but not usefully: the Finished messages cover every handshake message"
              + " and the transport parameters, so a changed Client Hello makes the handshake"
              + " fail.");
    } else if (initials > 0) {
      l.add(
          "No Client Hello was read: "
              + (c.version.known()
                  ? "the client's first Initial packet is not in the capture or did not open."
                  : "this tool cannot open Initial packets of this version."));
    }
    if (tls.cipherSuite >= 0) {
      l.add(
          "Cipher suite "
              + CipherSuite.of(tls.cipherSuite).label()
              + " (from the Server Hello): it protects the Handshake and 1-RTT packets; Initial"
              + " packets always use AES-128-GCM.");
    }
    if (tls.pskAccepted) {
      l.add(
          "The server accepted a pre-shared key: this handshake resumes an earlier session, so"
              + " the server sent no Certificate.");
    }
    if (!c.alpnChosen.isEmpty()) {
      l.add(
          "ALPN chosen by the server: "
              + c.alpnChosen.get(0)
              + (c.h3() ? " (HTTP/3, RFC 9114)" : "")
              + ", read from Encrypted Extensions in a Handshake packet opened with the key log.");
    } else if (c.messages.contains("Encrypted Extensions")) {
      l.add("The server's Encrypted Extensions chose no ALPN protocol.");
    } else if (hello && c.alpnOffered.contains("h3")) {
      l.add(
          "The client offered h3 (HTTP/3, RFC 9114). The ALPN the server chose is in Encrypted"
              + " Extensions, inside Handshake packets, which "
              + (haveKeyLog ? "the key log did not open." : "need a key log to open."));
    }
    if (!tls.serverChain.isEmpty()) {
      l.add(
          "Server certificate: "
              + tls.serverChain.get(0).getSubjectX500Principal().getName()
              + (tls.serverChain.size() > 1 ? " and " + (tls.serverChain.size() - 1) + " more" : "")
              + ", from a Handshake packet opened with the key log.");
    }
    l.add(opened(c, haveKeyLog));
    int hidden = 0;
    for (PacketType t : List.of(PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT)) {
      hidden += c.packets[t.ordinal()] - c.opened[t.ordinal()];
    }
    if (hidden > 0) {
      l.add(
          "Header protection (RFC 9001 section 5.4) hid the packet number and key phase of the "
              + hidden
              + " packets that did not open: they are masked with bytes computed from the"
              + " ciphertext, so without keys not even the packet number can be read.");
    }
    if (hello || initialsOpened > 0) {
      l.add(
          "There is no TLS record layer and no Change Cipher Spec (RFC 9001 sections 4 and"
              + " 8.4): the TLS messages ride in CRYPTO frames at stream offsets, and each packet"
              + " type has its own keys.");
    }
    int zeroRtt = c.packets[PacketType.ZERO_RTT.ordinal()];
    if (zeroRtt > 0) {
      l.add(
          zeroRtt
              + " 0-RTT packet"
              + (zeroRtt == 1 ? "" : "s")
              + ": early data sent before the handshake completed, with keys from an earlier"
              + " session. It can be replayed by anyone who captured it (RFC 9001 section 4.6,"
              + " RFC 8446 section 8).");
    }
    if (c.retries > 0) {
      l.add(
          "The server sent "
              + (c.retries == 1 ? "a Retry" : c.retries + " Retry packets")
              + " (RFC 9000 section 8.1.2) to validate the client's address before keeping any"
              + " state"
              + (c.badRetries > 0
                  ? "; " + c.badRetries + " of them failed the Retry Integrity Tag."
                  : c.goodRetries == c.retries
                      ? "; the Retry Integrity Tag verified (a published key: off-path"
                          + " protection only)."
                      : "; its Retry Integrity Tag was not checked (unknown version)."));
    }
    if (c.keyUpdates > 0) {
      l.add(
          "Key update (RFC 9001 section 6): the client's 1-RTT keys changed "
              + times(c.clientKeyUpdates)
              + " and the server's "
              + times(c.serverKeyUpdates)
              + ". Each time the Key Phase bit flipped and the next keys were derived from the"
              + " previous application secret; TLS 1.3 over TCP sends a KeyUpdate message"
              + " instead.");
    }
    List<PacketCount> counts = new ArrayList<>();
    for (PacketType t : PacketType.values()) {
      if (c.packets[t.ordinal()] > 0) {
        counts.add(new PacketCount(t.label(), c.packets[t.ordinal()], c.opened[t.ordinal()]));
      }
    }
    return new QuicSummary(
        c.index,
        ConnectionFacts.endpoint(tls.addrA, tls.portA, tls.ipVersion),
        ConnectionFacts.endpoint(tls.addrB, tls.portB, tls.ipVersion),
        QuicConnectionFacts.of(c),
        List.copyOf(counts),
        List.copyOf(l));
  }

  private static String times(int n) {
    return n == 1 ? "once" : n + " times";
  }

  private static String version(QuicConnection c) {
    return switch (c.version) {
      case V1 -> "QUIC version 1 (RFC 9000), TLS 1.3 inside (RFC 9001).";
      case V2 -> "QUIC version 2 (RFC 9369), TLS 1.3 inside (RFC 9001).";
      case DRAFT_29 -> "QUIC draft-29 (a pre-RFC version), TLS 1.3 inside.";
      case UNKNOWN ->
          String.format(
              "QUIC version 0x%08x, which this tool does not know: only the headers (RFC 8999"
                  + " invariants) can be read.",
              c.versionWire);
    };
  }

  /** Which packet types opened: counts per type, and why the rest did not. */
  private static String opened(QuicConnection c, boolean haveKeyLog) {
    StringBuilder sb = new StringBuilder("Opened: ");
    List<String> parts = new ArrayList<>();
    boolean missing = false;
    for (PacketType t :
        List.of(
            PacketType.INITIAL, PacketType.HANDSHAKE, PacketType.ZERO_RTT, PacketType.ONE_RTT)) {
      int n = c.packets[t.ordinal()];
      if (n == 0) continue;
      int o = c.opened[t.ordinal()];
      parts.add(o + " of " + n + " " + t.label());
      if (o < n && t != PacketType.INITIAL) missing = true;
    }
    sb.append(parts.isEmpty() ? "no protected packets" : String.join(", ", parts)).append('.');
    if (missing) {
      sb.append(
          haveKeyLog
              ? " The rest need secrets the key log does not hold for this connection's Client"
                  + " Hello random."
              : " Handshake, 0-RTT and 1-RTT keys come from the (EC)DHE exchange or an earlier"
                  + " session: without a key log (SSLKEYLOGFILE) they stay sealed.");
    }
    return sb.toString();
  }

  /** The QUIC connections as a JSON array (the report's {@code "quicConnections"}). */
  static void json(List<QuicSummary> all, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < all.size(); i++) {
      QuicSummary s = all.get(i);
      QuicConnectionFacts f = s.facts();
      out.append(i > 0 ? ",\n  " : "\n  ")
          .append("{\"quicConnection\": ")
          .append(s.index())
          .append(", \"client\": ")
          .append(AnnotateReport.q(s.client()))
          .append(", \"server\": ")
          .append(AnnotateReport.q(s.server()))
          .append(", \"versionCode\": ")
          .append(f.version() & 0xffffffffL)
          .append(", \"version\": ")
          .append(AnnotateReport.q(QuicVersion.of(f.version()).label()))
          .append(", \"serverName\": ")
          .append(f.serverName() == null ? "null" : AnnotateReport.q(f.serverName()))
          .append(", \"alpnOffered\": ")
          .append(strings(f.alpnOffered()))
          .append(", \"alpnChosen\": ")
          .append(f.alpnChosen().isEmpty() ? "null" : AnnotateReport.q(f.alpnChosen().get(0)))
          .append(", \"cipherSuite\": ")
          .append(
              f.cipherSuite() < 0
                  ? "null"
                  : AnnotateReport.q(CipherSuite.of(f.cipherSuite()).label()))
          .append(", \"messages\": ")
          .append(strings(f.messages()))
          .append(", \"serverCertificates\": [");
      for (int k = 0; k < f.serverChain().size(); k++) {
        out.append(k > 0 ? ", " : "")
            .append(AnnotateReport.q(f.serverChain().get(k).getSubjectX500Principal().getName()));
      }
      out.append("], \"packets\": [");
      for (int k = 0; k < s.packets().size(); k++) {
        PacketCount p = s.packets().get(k);
        out.append(k > 0 ? ", " : "")
            .append("{\"type\": ")
            .append(AnnotateReport.q(p.type()))
            .append(", \"seen\": ")
            .append(p.seen())
            .append(", \"opened\": ")
            .append(p.opened())
            .append('}');
      }
      out.append("], \"retries\": ")
          .append(f.retries())
          .append(", \"keyUpdates\": ")
          .append(f.keyUpdates())
          .append(", \"facts\": ")
          .append(strings(s.lines()))
          .append('}');
    }
    out.append(all.isEmpty() ? "]" : "\n]");
  }

  private static String strings(List<String> l) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < l.size(); i++)
      sb.append(i > 0 ? ", " : "").append(AnnotateReport.q(l.get(i)));
    return sb.append(']').toString();
  }
}
