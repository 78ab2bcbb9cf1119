package tlslab.wire;

/**
 * The 5-byte TLS record header (RFC 5246 section 6.2.1):
 *
 * <pre>
 * struct { ContentType type; ProtocolVersion version; uint16 length; opaque fragment[length]; }
 * </pre>
 *
 * @param type content type code
 * @param version record-layer version
 * @param length fragment length
 */
public record TlsRecordHeader(int type, int version, int length) {
  /** Largest fragment RFC 5246 allows after encryption (2^14 + 2048). */
  public static final int MAX_CIPHERTEXT = 16384 + 2048;

  /** Reads a header at {@code off}; NeedMore when fewer than 5 bytes are available. */
  public static WireResult<TlsRecordHeader> read(byte[] b, int off, int end) {
    if (end - off < 5) return new WireResult.NeedMore<>(5 - (end - off));
    return new WireResult.Ok<>(
        new TlsRecordHeader(
            b[off] & 0xff,
            ((b[off + 1] & 0xff) << 8) | (b[off + 2] & 0xff),
            ((b[off + 3] & 0xff) << 8) | (b[off + 4] & 0xff)));
  }

  /**
   * "This TCP payload starts a TLS stream": Wireshark's heuristic (handshake or application data,
   * SSL 3.0..TLS 1.2 record version, length 1..2^14+2047), widened to a ChangeCipherSpec (length 1,
   * value 1) or an alert, so that a capture started mid-handshake is still recognised.
   */
  public static boolean looksLikeTlsStart(byte[] b, int off, int end) {
    if (end - off < 5) return false;
    int ct = b[off] & 0xff;
    int v = ((b[off + 1] & 0xff) << 8) | (b[off + 2] & 0xff);
    int len = ((b[off + 3] & 0xff) << 8) | (b[off + 4] & 0xff);
    if (v < 0x0300 || v > 0x0303) return false;
    if (ct == 20) return len == 1 && end - off >= 6 && b[off + 5] == 1;
    if (ct == 21) return len >= 2 && len < MAX_CIPHERTEXT;
    if (ct != 22 && ct != 23) return false;
    return len > 0 && len < MAX_CIPHERTEXT;
  }

  /** Alert body (RFC 5246 7.2): level then description. */
  public static String alertLabel(int level, int description) {
    return "Alert (Level: "
        + AlertDescription.levelLabel(level)
        + ", Description: "
        + AlertDescription.of(description).label()
        + ")";
  }
}
