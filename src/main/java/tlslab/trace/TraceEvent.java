package tlslab.trace;

import java.time.Instant;
import java.util.List;

/**
 * One TLS message as JSSE reported it on one side of one connection: the unit of a handshake trace.
 *
 * <p>A full TLS 1.2 handshake seen from both sides yields each message twice, once {@link
 * Direction#PRODUCED} by the sender and once {@link Direction#CONSUMED} by the receiver; {@link
 * #time} tells which came first.
 *
 * @param time when JSSE logged the message
 * @param side the end that logged it
 * @param connection a small number identifying the connection within one trace (1, 2, …)
 * @param direction sent ({@code produced}) or received ({@code consumed}) by {@code side}
 * @param message what it is, with Wireshark's label
 * @param variant JSSE's qualifier when it gives one: the key exchange of a Client/Server Key
 *     Exchange ({@code ECDHE}, {@code RSA}), whose Certificate or Finished ({@code server}, {@code
 *     client}), the ticket kind ({@code stateless}, {@code post-handshake}); else {@code null}
 * @param fields the message's key fields
 */
public record TraceEvent(
    Instant time,
    Side side,
    int connection,
    Direction direction,
    MessageType message,
    String variant,
    HandshakeFields fields) {

  /** This event as one line of JSON (no trailing newline); absent fields are left out. */
  public String toJson() {
    StringBuilder b = new StringBuilder(256).append('{');
    field(b, "time", time.toString());
    field(b, "side", side.label());
    b.append(",\"connection\":").append(connection);
    field(b, "direction", direction.label());
    field(b, "message", message.label());
    field(b, "variant", variant);
    HandshakeFields f = fields;
    list(b, "versions", f.versions());
    field(b, "random", f.random());
    field(b, "session_id", f.sessionId());
    list(b, "cipher_suites", f.cipherSuites());
    field(b, "cipher_suite", f.cipherSuite());
    list(b, "extensions", f.extensions());
    field(b, "server_name", f.serverName());
    field(b, "named_group", f.namedGroup());
    field(b, "signature_scheme", f.signatureScheme());
    list(b, "certificate_subjects", f.certificateSubjects());
    list(b, "certificate_sha256", f.certificateSha256());
    if (f.sessionTicketOffered()) {
      // The same fact as the timeline's "session ticket offered" (RFC 5077 §3.1).
      b.append(",\"session_ticket_offered\":true");
    }
    if (f.ticketLifetimeSeconds() != null) {
      b.append(",\"ticket_lifetime\":").append(f.ticketLifetimeSeconds());
    }
    field(b, "alert", f.alert());
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    if (value == null) {
      return;
    }
    if (b.length() > 1) {
      b.append(',');
    }
    quote(b.append('"').append(name).append("\":"), value);
  }

  private static void list(StringBuilder b, String name, List<String> values) {
    if (values.isEmpty()) {
      return;
    }
    b.append(",\"").append(name).append("\":[");
    for (int i = 0; i < values.size(); i++) {
      quote(i == 0 ? b : b.append(','), values.get(i));
    }
    b.append(']');
  }

  /** JSON string escaping (RFC 8259 §7). */
  static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"');
  }
}
