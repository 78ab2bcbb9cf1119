package tlslab.wire;

/** Hello extensions (IANA "TLS ExtensionType Values") that the lab reads or explains. */
public enum ExtensionType {
  SERVER_NAME(0, "server_name"),
  STATUS_REQUEST(5, "status_request"),
  SUPPORTED_GROUPS(10, "supported_groups"),
  EC_POINT_FORMATS(11, "ec_point_formats"),
  SIGNATURE_ALGORITHMS(13, "signature_algorithms"),
  ALPN(16, "application_layer_protocol_negotiation"),
  ENCRYPT_THEN_MAC(22, "encrypt_then_mac"),
  EXTENDED_MASTER_SECRET(23, "extended_master_secret"),
  SESSION_TICKET(35, "session_ticket"),
  PRE_SHARED_KEY(41, "pre_shared_key"),
  EARLY_DATA(42, "early_data"),
  SUPPORTED_VERSIONS(43, "supported_versions"),
  PSK_KEY_EXCHANGE_MODES(45, "psk_key_exchange_modes"),
  POST_HANDSHAKE_AUTH(49, "post_handshake_auth"),
  KEY_SHARE(51, "key_share"),
  RENEGOTIATION_INFO(0xff01, "renegotiation_info"),
  UNKNOWN(-1, "unknown");

  private final int code;
  private final String rfcName;

  ExtensionType(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  /** Wireshark labels extensions by their RFC name. */
  public String label() {
    return rfcName;
  }

  public static ExtensionType of(int code) {
    for (ExtensionType t : values()) if (t.code == code) return t;
    return UNKNOWN;
  }
}
