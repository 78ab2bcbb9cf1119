package tlslab.wire;

/**
 * Protocol versions as they appear on the wire (RFC 8446 appendix B.3.1: a major and a minor byte)
 * with Wireshark's short labels, which it uses for the Protocol column ("TLSv1" for 0x0301,
 * "TLSv1.2" for 0x0303).
 *
 * <p>The record-layer version is not the negotiated version: TLS 1.3 keeps 0x0303 in its record
 * headers and negotiates 1.3 in the supported_versions extension (RFC 8446 section 4.2.1), and a
 * ClientHello record usually says 0x0301 for compatibility with old middleboxes.
 */
public enum ProtocolVersion {
  SSL_2(0x0002, "SSL 2.0", "SSLv2"),
  SSL_3(0x0300, "SSL 3.0", "SSLv3"),
  TLS_1_0(0x0301, "TLS 1.0", "TLSv1"),
  TLS_1_1(0x0302, "TLS 1.1", "TLSv1.1"),
  TLS_1_2(0x0303, "TLS 1.2", "TLSv1.2"),
  TLS_1_3(0x0304, "TLS 1.3", "TLSv1.3"),
  UNKNOWN(-1, "unknown", "SSL");

  private final int code;
  private final String rfcName;
  private final String label;

  ProtocolVersion(int code, String rfcName, String label) {
    this.code = code;
    this.rfcName = rfcName;
    this.label = label;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  /** Wireshark's short name, as shown in its Protocol column. */
  public String label() {
    return label;
  }

  public static ProtocolVersion of(int code) {
    switch (code) {
      case 0x0002:
        return SSL_2;
      case 0x0300:
        return SSL_3;
      case 0x0301:
        return TLS_1_0;
      case 0x0302:
        return TLS_1_1;
      case 0x0303:
        return TLS_1_2;
      case 0x0304:
        return TLS_1_3;
      default:
        // TLS 1.3 drafts (0x7fNN) and Facebook's variant (0xfbNN) are TLS 1.3 for labelling.
        if ((code & 0xff00) == 0x7f00 || (code & 0xff00) == 0xfb00) return TLS_1_3;
        return UNKNOWN;
    }
  }

  /**
   * Whether a code is TLS 1.3: the RFC's 0x0304, an IETF draft (0x7fNN, draft NN) or Facebook's
   * variant of a draft (0xfbNN).
   */
  public static boolean isTls13(int code) {
    return code == 0x0304 || (code & 0xff00) == 0x7f00 || (code & 0xff00) == 0xfb00;
  }

  /**
   * The name of a code as the RFC (or the draft) calls it: "TLS 1.2", "TLS 1.3", "TLS 1.3 draft
   * 23", "TLS 1.3 Facebook draft 23"; "unknown (0xNNNN)" otherwise.
   */
  public static String nameOf(int code) {
    if ((code & 0xff00) == 0x7f00) return "TLS 1.3 draft " + (code & 0xff);
    if ((code & 0xff00) == 0xfb00) return "TLS 1.3 Facebook draft " + (code & 0xff);
    ProtocolVersion v = of(code);
    return v == UNKNOWN ? String.format("unknown (0x%04x)", code) : v.rfcName;
  }

  /**
   * Whether a TLS 1.3 ServerHello of this version has the draft layout without legacy_session_id
   * and compression (drafts before 22; draft 22 brought them back for middlebox compatibility).
   */
  public static boolean draftServerHelloLayout(int legacyVersion) {
    return legacyVersion == 0x0304
        || ((legacyVersion & 0xff00) == 0x7f00 && (legacyVersion & 0xff) < 22);
  }

  /**
   * The extension code of key_share for a negotiated version: 40 in the TLS 1.3 drafts before 23
   * (and in the early ones that wrote 0x0304 itself), 51 from draft 23 on and in RFC 8446 (4.2.8).
   *
   * @param version the version the Server Hello chose (supported_versions, else its version field)
   * @param legacyVersion the Server Hello's version field
   */
  public static int keyShareExtension(int version, int legacyVersion) {
    if (version == 0x0304 && legacyVersion == 0x0304) return 40;
    return keyShareExtension(version);
  }

  /** As {@link #keyShareExtension(int, int)} for a draft code or an RFC version. */
  public static int keyShareExtension(int version) {
    if ((version & 0xff00) == 0x7f00 && (version & 0xff) < 23) return 40;
    return 51;
  }

  /**
   * The name of the version a Server Hello chose: as {@link #nameOf}, and for an early TLS 1.3
   * draft that wrote 0x0304 in its version field (RFC 8446 keeps that field at TLS 1.2, 4.1.3) a
   * name that says it is a draft whose number is not on the wire.
   */
  public static String nameOf(int version, int legacyVersion) {
    if (version == 0x0304 && legacyVersion == 0x0304)
      return "a TLS 1.3 draft (its Server Hello's version field says TLS 1.3 itself, as early"
          + " drafts did; RFC 8446 keeps that field at TLS 1.2, and the draft's number is not on the"
          + " wire)";
    return nameOf(version);
  }

  /**
   * Whether a Server Hello chose a draft of TLS 1.3 rather than RFC 8446: a draft code, or 0x0304
   * in its version field itself.
   */
  public static boolean tls13Draft(int version, int legacyVersion) {
    return isTls13(version) && (version != 0x0304 || legacyVersion == 0x0304);
  }

  /** The label for any code; unknown codes give "SSL" as in Wireshark. */
  public static String labelOf(int code) {
    return of(code).label;
  }
}
