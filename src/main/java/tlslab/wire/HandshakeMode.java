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
  /**
   * TLS 1.0-1.2: abbreviated, and the client offered both a session ticket and a session id, which
   * the server echoes: it echoes the id when it accepts the ticket and when it resumes by id alone
   * (RFC 5077 §3.4), so the capture does not tell which.
   */
  RESUMED_TICKET_OR_SESSION_ID(
      "resumed (abbreviated handshake) by session ticket or by session id: the client offered"
          + " both, and the server echoes the session id either way (RFC 5077 3.4)"),
  /**
   * TLS 1.3: the server accepted a pre_shared_key from an earlier ticket (RFC 8446 §2.2): its
   * obfuscated_ticket_age is not 0.
   */
  TLS13_PSK("TLS 1.3 resumption with a pre-shared key (RFC 8446 2.2)"),
  /**
   * TLS 1.3: the server accepted a pre_shared_key whose obfuscated_ticket_age is 0, which RFC 8446
   * §4.2.11 asks for a key set up outside TLS (an external PSK); a ticket's age is masked with a
   * random 32-bit ticket_age_add (§4.6.1), so a ticket shows 0 only by a 1 in 2^32 chance.
   */
  TLS13_EXTERNAL_PSK(
      "TLS 1.3 handshake with an external pre-shared key (RFC 8446 2.2, 4.2.11: its"
          + " obfuscated_ticket_age is 0), not a resumption"),
  /** TLS 1.3: the server accepted a pre_shared_key whose identity could not be read. */
  TLS13_PSK_ORIGIN_UNKNOWN(
      "TLS 1.3 handshake with a pre-shared key (RFC 8446 2.2): a resumption ticket or a key set up"
          + " outside TLS, the hello does not tell"),
  /** No Server Hello seen yet. */
  UNKNOWN("unknown (no Server Hello seen)");

  private final String label;

  HandshakeMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** A session resumed from an earlier one (an external PSK is not: it resumes nothing). */
  public boolean resumed() {
    return this == RESUMED_SESSION_ID
        || this == RESUMED_TICKET
        || this == RESUMED_TICKET_OR_SESSION_ID
        || this == TLS13_PSK;
  }

  /** A TLS 1.3 handshake on a pre-shared key: no Certificate and no Certificate Verify. */
  public boolean psk() {
    return this == TLS13_PSK || this == TLS13_EXTERNAL_PSK || this == TLS13_PSK_ORIGIN_UNKNOWN;
  }

  /**
   * The mode of a TLS 1.3 handshake from its Server Hello.
   *
   * @param pskAccepted whether the Server Hello carried pre_shared_key
   * @param selectedAge the obfuscated_ticket_age of the identity it selected, or -1 when unknown
   */
  public static HandshakeMode tls13(boolean pskAccepted, long selectedAge) {
    if (!pskAccepted) return FULL;
    if (selectedAge < 0) return TLS13_PSK_ORIGIN_UNKNOWN;
    return selectedAge == 0 ? TLS13_EXTERNAL_PSK : TLS13_PSK;
  }

  /**
   * The mode of a TLS 1.0-1.2 handshake that was seen to be abbreviated. Without a ticket offered,
   * by session id. With one: RFC 5077 §3.4 has a server that accepts the ticket echo the client's
   * session id, and a server that resumes by id echoes it too, so an echoed id leaves both open; an
   * abbreviated handshake without the echo (the client sent an empty id, or the server answered
   * another one) can only have used the ticket.
   *
   * @param ticketOffered the client offered a non-empty session ticket
   * @param sessionIdEchoed the Server Hello echoes the non-empty session id the client offered
   */
  public static HandshakeMode resumedTls12(boolean ticketOffered, boolean sessionIdEchoed) {
    if (!ticketOffered) return RESUMED_SESSION_ID;
    return sessionIdEchoed ? RESUMED_TICKET_OR_SESSION_ID : RESUMED_TICKET;
  }
}
