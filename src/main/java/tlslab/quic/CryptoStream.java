package tlslab.quic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tlslab.wire.ReceivedRanges;

/**
 * One direction of one packet number space's CRYPTO stream (RFC 9000 section 19.6), reassembled
 * into TLS handshake messages. TLS in QUIC has no record layer: CRYPTO frames carry the handshake
 * messages' bytes at stream offsets, and a sender may split, repeat and reorder them (Chrome sends
 * its Client Hello in many small CRYPTO frames out of order, to keep middleboxes from relying on
 * the layout). Bytes are placed at their offset; each time the contiguous prefix grows, the
 * complete messages in it are returned.
 */
public final class CryptoStream {
  /** More than any handshake flight; beyond it data is dropped and {@link #overflowed()} set. */
  public static final int MAX_BYTES = 1 << 20;

  private byte[] buf = new byte[0];
  private final ReceivedRanges ranges = new ReceivedRanges();
  private int delivered; // bytes already returned as messages
  private boolean overflowed;

  /** One complete handshake message: type, and the message with its 4-byte header. */
  public record Message(int type, byte[] bytes, long offset) {}

  /** Adds {@code len} bytes at stream offset {@code offset}; returns messages now complete. */
  public List<Message> add(long offset, byte[] b, int off, int len) {
    if (len <= 0) return List.of();
    if (offset + len > MAX_BYTES) {
      overflowed = true;
      return List.of();
    }
    int o = (int) offset;
    if (o + len > buf.length) buf = Arrays.copyOf(buf, Math.max(o + len, buf.length * 2));
    System.arraycopy(b, off, buf, o, len);
    ranges.add(o, o + len);
    int contiguous = ranges.contiguous();
    List<Message> out = new ArrayList<>(2);
    while (contiguous - delivered >= 4) {
      int l =
          ((buf[delivered + 1] & 0xff) << 16)
              | ((buf[delivered + 2] & 0xff) << 8)
              | (buf[delivered + 3] & 0xff);
      if (contiguous - delivered < 4 + l) break;
      out.add(
          new Message(
              buf[delivered] & 0xff,
              Arrays.copyOfRange(buf, delivered, delivered + 4 + l),
              delivered));
      delivered += 4 + l;
    }
    return out;
  }

  /** Bytes received at the start of the stream without a gap. */
  public long contiguousBytes() {
    return ranges.contiguous();
  }

  /** True when data beyond {@link #MAX_BYTES} was dropped. */
  public boolean overflowed() {
    return overflowed;
  }

  /** True when bytes were received beyond a gap (a CRYPTO frame not seen, or not yet). */
  public boolean hasGap() {
    return ranges.hasGap();
  }
}
