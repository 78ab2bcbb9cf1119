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
 *       psk_dhe_ke}). The key share's group says which exchange: (EC)DHE, a post-quantum hybrid of
 *       (EC)DHE and ML-KEM (draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768, what browsers offer first
 *       since 2024), or ML-KEM alone.
 * </ul>
 */
public enum KeyExchangeKind {
  RSA_TRANSPORT("RSA key transport", false),
  ECDHE("ECDHE", true),
  DHE("DHE", true),
  TLS13_ECDHE("TLS 1.3 (EC)DHE", true),
  /** An (EC)DHE share and an ML-KEM share in one key_share entry: both must break to expose it. */
  TLS13_HYBRID("TLS 1.3 hybrid (EC)DHE + ML-KEM", true),
  TLS13_KEM("TLS 1.3 ML-KEM", true),
  /** A key share on a group the lab does not know: TLS 1.3 key shares are ephemeral. */
  TLS13_OTHER("TLS 1.3 key share on a group the lab does not know", true),
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
    return of(version, suite, pskAccepted, keyShare, -1);
  }

  /**
   * As {@link #of(int, int, boolean, boolean)}, with the group of the Server Hello's key share
   * ({@code -1} when not known), which tells a TLS 1.3 (EC)DHE exchange from a hybrid or ML-KEM
   * one.
   */
  public static KeyExchangeKind of(
      int version, int suite, boolean pskAccepted, boolean keyShare, int group) {
    if (version < 0 || suite < 0) return UNKNOWN;
    if (version == 0x0304) {
      if (pskAccepted) return keyShare ? PSK_ECDHE : PSK;
      if (group < 0) return TLS13_ECDHE;
      return switch (NamedGroup.of(group).kind()) {
        case ECDHE, FFDHE -> TLS13_ECDHE;
        case HYBRID -> TLS13_HYBRID;
        case KEM -> TLS13_KEM;
        case UNKNOWN -> TLS13_OTHER;
      };
    }
    return switch (CipherSuite.of(suite).keyExchange()) {
      case RSA -> RSA_TRANSPORT;
      case ECDHE_RSA, ECDHE_ECDSA -> ECDHE;
      case DHE_RSA, DHE_DSS -> DHE;
      case TLS13, NULL -> UNKNOWN;
    };
  }
}
