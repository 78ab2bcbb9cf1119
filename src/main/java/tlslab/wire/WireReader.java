package tlslab.wire;

/**
 * A bounds-checked cursor over a byte range. It never reads outside {@code [from, to)}; running off
 * the end throws {@link Short}, which the public parsers turn into a {@link WireResult}. It never
 * modifies the caller's array.
 */
final class WireReader {
  /** Thrown when a length field points past the end of the structure. */
  static final class Short extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int offset;

    Short(int offset) {
      super(null, null, false, false);
      this.offset = offset;
    }
  }

  final byte[] b;
  int pos;
  final int end;

  WireReader(byte[] b, int from, int to) {
    this.b = b;
    this.pos = from;
    this.end = to;
  }

  int remaining() {
    return end - pos;
  }

  void need(int n) {
    if (n < 0 || end - pos < n) throw new Short(pos);
  }

  int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  int u16() {
    need(2);
    int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int u24() {
    need(3);
    int v = ((b[pos] & 0xff) << 16) | ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
    pos += 3;
    return v;
  }

  long u32() {
    need(4);
    long v =
        ((long) (b[pos] & 0xff) << 24)
            | ((b[pos + 1] & 0xff) << 16)
            | ((b[pos + 2] & 0xff) << 8)
            | (b[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  byte[] bytes(int n) {
    need(n);
    byte[] out = new byte[n];
    System.arraycopy(b, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A sub-reader over the next {@code n} bytes; this reader skips past them. */
  WireReader sub(int n) {
    need(n);
    WireReader r = new WireReader(b, pos, pos + n);
    pos += n;
    return r;
  }
}
