package tlslab.quic;

/**
 * QUIC's variable-length integers (RFC 9000 section 16): the two high bits of the first byte give
 * the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian.
 */
public final class Varint {
  private Varint() {}

  /** Length in bytes of the varint whose first byte is {@code first}. */
  public static int length(byte first) {
    return 1 << ((first & 0xc0) >> 6);
  }

  /** The value at {@code b[p]}, or -1 if it runs past {@code end}. */
  public static long read(byte[] b, int p, int end) {
    if (p >= end) return -1;
    int n = length(b[p]);
    if (p + n > end) return -1;
    long v = b[p] & 0x3f;
    for (int i = 1; i < n; i++) v = (v << 8) | (b[p + i] & 0xff);
    return v;
  }
}
