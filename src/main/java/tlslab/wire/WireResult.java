package tlslab.wire;

/**
 * The outcome of parsing bytes: a value, "need more bytes" (not an error: the rest has not arrived
 * yet), or "malformed" with the offset and a hex excerpt of the offending bytes.
 *
 * @param <T> the parsed value
 */
public sealed interface WireResult<T> {

  /** Parsed successfully. */
  record Ok<T>(T value) implements WireResult<T> {}

  /** The input ends before the structure does; {@code needed} more bytes at least. */
  record NeedMore<T>(int needed) implements WireResult<T> {}

  /** The bytes cannot be this structure. */
  record Malformed<T>(int offset, String reason, String hexExcerpt) implements WireResult<T> {
    @Override
    public String toString() {
      return reason + " at offset " + offset + " [" + hexExcerpt + "]";
    }
  }

  /** The value, or null when not {@link Ok}. */
  default T valueOrNull() {
    return this instanceof Ok<T> ok ? ok.value() : null;
  }

  /** Hex of up to 16 bytes around {@code offset}, for error messages. */
  static String excerpt(byte[] b, int from, int to, int offset) {
    int start = Math.max(from, offset - 4);
    int end = Math.min(to, start + 16);
    StringBuilder sb = new StringBuilder();
    for (int i = start; i < end; i++) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16))
          .append(Character.forDigit(b[i] & 0xf, 16));
    }
    return sb.toString();
  }
}
