package tlslab.wire;

/** (EC)DHE groups (RFC 8446 section 4.2.7, RFC 8422) with Wireshark's labels. */
public enum NamedGroup {
  SECP256R1(23, "secp256r1"),
  SECP384R1(24, "secp384r1"),
  SECP521R1(25, "secp521r1"),
  X25519(29, "x25519"),
  X448(30, "x448"),
  FFDHE2048(256, "ffdhe2048"),
  FFDHE3072(257, "ffdhe3072"),
  UNKNOWN(-1, "unknown");

  private final int code;
  private final String rfcName;

  NamedGroup(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  public String label() {
    return rfcName;
  }

  public static NamedGroup of(int code) {
    for (NamedGroup g : values()) if (g.code == code) return g;
    return UNKNOWN;
  }

  public static String labelOf(int code) {
    NamedGroup g = of(code);
    return g == UNKNOWN ? String.format("Unknown (0x%04x)", code) : g.rfcName;
  }
}
