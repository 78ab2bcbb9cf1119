package tlslab.wire;

/**
 * The record-layer content type (RFC 5246 section 6.2.1, RFC 8446 section 5.1): the first byte of
 * every TLS record says which sub-protocol the record carries.
 *
 * <pre>
 * enum { change_cipher_spec(20), alert(21), handshake(22), application_data(23), (255) } ContentType;
 * </pre>
 *
 * In TLS 1.3 every encrypted record travels as {@code application_data}; the real type is hidden
 * inside the encrypted payload (RFC 8446 section 5.2), which is why Wireshark shows "Application
 * Data" for encrypted TLS 1.3 handshake messages.
 */
public enum ContentType {
  CHANGE_CIPHER_SPEC(20, "change_cipher_spec", "Change Cipher Spec"),
  ALERT(21, "alert", "Alert"),
  HANDSHAKE(22, "handshake", "Handshake"),
  APPLICATION_DATA(23, "application_data", "Application Data"),
  HEARTBEAT(24, "heartbeat", "Heartbeat"),
  /**
   * RFC 9146 section 4: a DTLS 1.2 record carrying a connection ID. Never sent over TLS, but
   * Wireshark 4.0 accepts it as a record header on TCP too, which matters when ciphertext after a
   * lost segment happens to start with byte 25.
   */
  TLS12_CID(25, "tls12_cid", "Connection ID"),
  /** Any other code: not a valid TLS record type. */
  UNKNOWN(-1, "unknown", "Unknown");

  private static final ContentType[] BY_CODE = new ContentType[256];

  static {
    for (int i = 0; i < 256; i++) BY_CODE[i] = UNKNOWN;
    for (ContentType t : values()) if (t.code >= 0) BY_CODE[t.code] = t;
  }

  private final int code;
  private final String rfcName;
  private final String label;

  ContentType(int code, String rfcName, String label) {
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

  /** Wireshark's display label. */
  public String label() {
    return label;
  }

  /** The type for a wire byte; never null ({@link #UNKNOWN} for codes no RFC defines). */
  public static ContentType of(int code) {
    return BY_CODE[code & 0xff];
  }

  /**
   * True for the types Wireshark 4.0 accepts as a record header (20..25, see
   * ssl_is_valid_content_type): any other first byte makes it print "Ignored Unknown Record" and
   * skip the rest of the segment.
   */
  public static boolean isValid(int code) {
    return code >= 20 && code <= 25;
  }
}
