package tlslab.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Reusable heap buffers for one event loop (one thread: not thread-safe).
 *
 * <p>Why: a TLS connection needs a 16 KiB+ buffer for a whole incoming record and another for its
 * plaintext, but only while bytes are in flight. An idle chat connection has none in flight, so
 * {@link TlsDriver} borrows buffers from its loop's pool for the duration of one read or write and
 * gives them back when they are empty. Ten thousand idle connections then share a handful of
 * buffers instead of holding 320 MiB.
 */
public final class BufferPool {
  private final int bufferSize;
  private final int maxPooled;
  private final boolean capAtSize;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

  /**
   * @param bufferSize size of pooled buffers; bigger requests are allocated and not pooled
   * @param maxPooled how many free buffers to keep at most
   */
  public BufferPool(int bufferSize, int maxPooled) {
    this(bufferSize, maxPooled, false);
  }

  /**
   * A pool that may hand out buffers smaller than asked for ({@code capAtSize}): tests use it to
   * make the driver meet {@code BUFFER_OVERFLOW} and {@code BUFFER_UNDERFLOW} and grow buffers.
   */
  BufferPool(int bufferSize, int maxPooled, boolean capAtSize) {
    this.bufferSize = bufferSize;
    this.maxPooled = maxPooled;
    this.capAtSize = capAtSize;
  }

  /** A pool for TLS: buffers of 17 KiB, enough for any TLS 1.2/1.3 record (RFC 8446 §5.2). */
  public static BufferPool forTls() {
    return new BufferPool(17 * 1024 + 512, 16);
  }

  /** A cleared buffer of at least {@code minSize} bytes (except in a capped test pool). */
  public ByteBuffer acquire(int minSize) {
    if (minSize <= bufferSize || capAtSize) {
      ByteBuffer b = free.pollFirst();
      if (b != null) {
        b.clear();
        return b;
      }
      return ByteBuffer.allocate(bufferSize);
    }
    return ByteBuffer.allocate(minSize);
  }

  /** Returns a buffer; the caller must not use it afterwards. Null is ignored. */
  public void release(ByteBuffer b) {
    if (b != null && b.capacity() == bufferSize && free.size() < maxPooled) {
      free.addFirst(b);
    }
  }
}
