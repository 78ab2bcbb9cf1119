package tlslab.wire;

/**
 * How the two sides of one TLS handshake agreed on their secret: the fact behind "forward secrecy".
 * It follows from the negotiated version, the suite and, in TLS 1.3, the Server Hello's
 * pre_shared_key and key_share extensions. This is the only place the lab works it out; annotate,
 * demo and the exercise checkers read it from here.
 *
 * <ul>
 *   <li>TLS 1.0-1.2 (RFC 2246/4346/5246 §7.4.7): the suite names it: {@code TLS_RSA_*} is RSA key
 *       transport (the client encrypts the premaster secret to the server's certificate key),
 *       {@code TLS_ECDHE_*} / {@code TLS_DHE_*} ephemeral (EC)Diffie-Hellman signed by the server.
 *   <li>TLS 1.3 (RFC 8446 §2, §4.2.9): the suite names only cipher and hash; the key exchange is
 *       (EC)DHE, a resumption PSK alone ({@code psk_ke}) or a PSK with (EC)DHE ({@code
 *       psk_dhe_ke}).
 * </ul>
 */
public enum KeyExchangeKind {
  RSA_TRANSPORT("RSA key transport", false),
  ECDHE("ECDHE", true),
  DHE("DHE", true),
  TLS13_ECDHE("TLS 1.3 (EC)DHE", true),
  PSK("TLS 1.3 PSK only (psk_ke)", false),
  PSK_ECDHE("TLS 1.3 PSK with (EC)DHE (psk_dhe_ke)", true),
  /** No Server Hello seen, or a suite the lab does not know. */
  UNKNOWN("unknown", false);

  private final String label;
  private final boolean forwardSecret;

  KeyExchangeKind(String label, boolean forwardSecret) {
    this.label = label;
    this.forwardSecret = forwardSecret;
  }

  /** A short name, e.g. "ECDHE" or "RSA key transport". */
  public String label() {
    return label;
  }

  /**
   * Whether recorded traffic stays secret if the server's long-term key leaks later. PSK-only TLS
   * 1.3 resumption is not: whoever steals the ticket key can derive the session keys (RFC 8446
   * §2.2, E.5 of the same RFC on replay and forward secrecy).
   */
  public boolean forwardSecret() {
    return forwardSecret;
  }

  /**
   * The key exchange of a handshake.
   *
   * @param version negotiated version code (0x0304 TLS 1.3), -1 when unknown
   * @param suite negotiated suite code, -1 when unknown
   * @param pskAccepted whether a TLS 1.3 Server Hello carried pre_shared_key
   * @param keyShare whether a TLS 1.3 Server Hello carried key_share
   */
  public static KeyExchangeKind of(int version, int suite, boolean pskAccepted, boolean keyShare) {
    if (version < 0 || suite < 0) return UNKNOWN;
    if (version == 0x0304) {
      if (pskAccepted) return keyShare ? PSK_ECDHE : PSK;
      return TLS13_ECDHE;
    }
    return switch (CipherSuite.of(suite).keyExchange()) {
      case RSA -> RSA_TRANSPORT;
      case ECDHE_RSA, ECDHE_ECDSA -> ECDHE;
      case DHE_RSA, DHE_DSS -> DHE;
      case TLS13, NULL -> UNKNOWN;
    };
  }
}
