package tlslab.wire;

/**
 * Key exchange groups (RFC 8446 section 4.2.7, RFC 8422, RFC 7919, and the IANA "TLS Supported
 * Groups" registry), with their IANA names, what kind of exchange each is, and the label Wireshark
 * 4.0 gives them.
 *
 * <p>Two names, on purpose. {@link #labelOf} is what Wireshark/tshark 4.0 prints, for the columns
 * that must read as Wireshark does; it knows no post-quantum hybrid ({@code Unknown (0x11ec)} for
 * X25519MLKEM768, the group Chrome and Firefox offer first since 2024) and prints the old
 * experimental names for the codes now assigned to ML-KEM ({@code 0x0201} is "frodo640shake" to
 * it). {@link #nameOf} is the registry's name, for sentences.
 */
public enum NamedGroup {
  SECP256R1(23, "secp256r1", Kind.ECDHE, "secp256r1", null, "RFC 8422"),
  SECP384R1(24, "secp384r1", Kind.ECDHE, "secp384r1", null, "RFC 8422"),
  SECP521R1(25, "secp521r1", Kind.ECDHE, "secp521r1", null, "RFC 8422"),
  X25519(29, "x25519", Kind.ECDHE, "x25519", null, "RFC 7748"),
  X448(30, "x448", Kind.ECDHE, "x448", null, "RFC 7748"),
  FFDHE2048(256, "ffdhe2048", Kind.FFDHE, "ffdhe2048", null, "RFC 7919"),
  FFDHE3072(257, "ffdhe3072", Kind.FFDHE, "ffdhe3072", null, "RFC 7919"),
  FFDHE4096(258, "ffdhe4096", Kind.FFDHE, "ffdhe4096", null, "RFC 7919"),
  FFDHE6144(259, "ffdhe6144", Kind.FFDHE, "ffdhe6144", null, "RFC 7919"),
  FFDHE8192(260, "ffdhe8192", Kind.FFDHE, "ffdhe8192", null, "RFC 7919"),
  // draft-connolly-tls-mlkem-key-agreement: ML-KEM alone (FIPS 203).
  MLKEM512(
      0x0200,
      "MLKEM512",
      Kind.KEM,
      "frodo640aes",
      "ML-KEM-512",
      "draft-connolly-tls-mlkem-key-agreement"),
  MLKEM768(
      0x0201,
      "MLKEM768",
      Kind.KEM,
      "frodo640shake",
      "ML-KEM-768",
      "draft-connolly-tls-mlkem-key-agreement"),
  MLKEM1024(
      0x0202,
      "MLKEM1024",
      Kind.KEM,
      "frodo976aes",
      "ML-KEM-1024",
      "draft-connolly-tls-mlkem-key-agreement"),
  // draft-ietf-tls-ecdhe-mlkem: an ECDHE share and an ML-KEM share in one key_share entry.
  SECP256R1MLKEM768(
      0x11eb,
      "SecP256r1MLKEM768",
      Kind.HYBRID,
      null,
      "secp256r1 and ML-KEM-768",
      "draft-ietf-tls-ecdhe-mlkem"),
  X25519MLKEM768(
      0x11ec,
      "X25519MLKEM768",
      Kind.HYBRID,
      null,
      "ML-KEM-768 and X25519",
      "draft-ietf-tls-ecdhe-mlkem"),
  SECP384R1MLKEM1024(
      0x11ed,
      "SecP384r1MLKEM1024",
      Kind.HYBRID,
      null,
      "secp384r1 and ML-KEM-1024",
      "draft-ietf-tls-ecdhe-mlkem"),
  // draft-tls-westerbaan-xyber768d00: Chrome 124-130's pre-standard hybrid (Kyber, not ML-KEM).
  X25519KYBER768DRAFT00(
      0x6399,
      "X25519Kyber768Draft00",
      Kind.HYBRID,
      null,
      "X25519 and Kyber-768",
      "draft-tls-westerbaan-xyber768d00"),
  UNKNOWN(-1, "unknown", Kind.UNKNOWN, null, null, null);

  /** What kind of key exchange a group is. */
  public enum Kind {
    /** Elliptic-curve Diffie-Hellman. */
    ECDHE,
    /** Finite-field Diffie-Hellman (RFC 7919). */
    FFDHE,
    /**
     * An (EC)DHE share and an ML-KEM (or Kyber) share together; the shared secret joins both, so it
     * holds while either does (draft-ietf-tls-ecdhe-mlkem).
     */
    HYBRID,
    /** A key encapsulation mechanism alone (ML-KEM, FIPS 203). */
    KEM,
    UNKNOWN
  }

  private final int code;
  private final String rfcName;
  private final Kind kind;
  private final String wiresharkLabel;
  private final String parts;
  private final String spec;

  NamedGroup(
      int code, String rfcName, Kind kind, String wiresharkLabel, String parts, String spec) {
    this.code = code;
    this.rfcName = rfcName;
    this.kind = kind;
    this.wiresharkLabel = wiresharkLabel;
    this.parts = parts;
    this.spec = spec;
  }

  /** Where the group is defined, e.g. "RFC 7748" or "draft-ietf-tls-ecdhe-mlkem". */
  public String spec() {
    return spec;
  }

  public int code() {
    return code;
  }

  /** The IANA registry's name, e.g. "x25519" or "X25519MLKEM768". */
  public String rfcName() {
    return rfcName;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * What the group is made of, for a sentence ("ML-KEM-768 and X25519", in the order of the key
   * share's bytes); null for a plain (EC)DHE group.
   */
  public String parts() {
    return parts;
  }

  public static NamedGroup of(int code) {
    for (NamedGroup g : values()) if (g.code == code) return g;
    return UNKNOWN;
  }

  /** Wireshark 4.0's label for the code, e.g. "x25519" or "Unknown (0x11ec)". */
  public static String labelOf(int code) {
    NamedGroup g = of(code);
    return g.wiresharkLabel == null ? String.format("Unknown (0x%04x)", code) : g.wiresharkLabel;
  }

  /**
   * The group's name for a sentence: the registry's name, with what Wireshark 4.0 shows where that
   * differs, so that the student can find it there: "x25519", "X25519MLKEM768 (Wireshark 4.0:
   * Unknown (0x11ec))", "unknown group 0x1234".
   */
  public static String nameOf(int code) {
    NamedGroup g = of(code);
    if (g == UNKNOWN) return String.format("unknown group 0x%04x", code);
    String wireshark = labelOf(code);
    return wireshark.equals(g.rfcName)
        ? g.rfcName
        : String.format("%s (Wireshark 4.0: %s)", g.rfcName, wireshark);
  }
}
