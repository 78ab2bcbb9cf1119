package tlslab.wire;

/**
 * Whether a handshake was full or abbreviated, and how the session was resumed. The choice decides
 * which messages appear: an abbreviated TLS 1.2 handshake (RFC 5246 §7.3) has no Certificate and no
 * key exchange at all; a TLS 1.3 PSK handshake (RFC 8446 §2.2) has no Certificate either.
 */
public enum HandshakeMode {
  FULL("full handshake"),
  /** TLS 1.0-1.2: the Server Hello echoes the session id the client offered (RFC 5246 §7.4.1.3). */
  RESUMED_SESSION_ID("resumed by session id (abbreviated handshake)"),
  /** TLS 1.0-1.2: the server accepted the client's session ticket (RFC 5077 §3.1). */
  RESUMED_TICKET("resumed by session ticket (abbreviated handshake, RFC 5077)"),
  /** TLS 1.3: the server accepted a pre_shared_key from an earlier ticket (RFC 8446 §2.2). */
  TLS13_PSK("TLS 1.3 resumption with a pre-shared key (RFC 8446 2.2)"),
  /** No Server Hello seen yet. */
  UNKNOWN("unknown (no Server Hello seen)");

  private final String label;

  HandshakeMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean resumed() {
    return this == RESUMED_SESSION_ID || this == RESUMED_TICKET || this == TLS13_PSK;
  }

  /**
   * The mode of a TLS 1.0-1.2 handshake that was seen to be abbreviated: by ticket when the client
   * offered a non-empty ticket (RFC 5077 §3.4: the server then echoes the client's session id, so
   * the echo alone does not tell), else by session id.
   */
  public static HandshakeMode resumedTls12(boolean ticketOffered) {
    return ticketOffered ? RESUMED_TICKET : RESUMED_SESSION_ID;
  }
}
