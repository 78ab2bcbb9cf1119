package tlslab.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into text lines: the chat's framing layer, between TLS (which delivers
 * arbitrary chunks of plaintext, one TLS record or less at a time) and the chat logic (which wants
 * whole lines).
 *
 * <p>A line is UTF-8 text ending in {@code \n}; a {@code \r} right before the {@code \n} is
 * dropped, so {@code \r\n} works too (what {@code openssl s_client -crlf} and many terminals send).
 * Invalid UTF-8 becomes U+FFFD rather than an error: the chat carries text, not bytes.
 *
 * <p>A maximum line length protects the server: a peer that sends a megabyte without a newline must
 * not make it buffer a megabyte. As soon as the buffered bytes exceed the maximum, {@link #feed}
 * reports {@link Result#TOO_LONG} and the framer refuses further input. While no partial line is
 * buffered the framer holds no buffer at all, so an idle connection costs nothing here.
 */
public final class LineFramer {
  /** What {@link #feed} found. */
  public enum Result {
    /** All bytes were consumed; complete lines went to the consumer, a partial one is kept. */
    OK,
    /** A line exceeded the maximum length; the framer is now unusable. */
    TOO_LONG
  }

  private final int maxLineBytes;
  private byte[] partial; // null while no partial line is buffered
  private int partialLength;
  private boolean poisoned;

  /**
   * @param maxLineBytes the longest line accepted, in bytes, not counting the terminator
   */
  public LineFramer(int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be >= 1, got " + maxLineBytes);
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** The longest line accepted, in bytes. */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  /**
   * Consumes all remaining bytes of {@code bytes} and passes each complete line, without its
   * terminator, to {@code lines}.
   */
  public Result feed(ByteBuffer bytes, Consumer<String> lines) {
    if (poisoned) {
      bytes.position(bytes.limit());
      return Result.TOO_LONG;
    }
    while (bytes.hasRemaining()) {
      int start = bytes.position();
      int newline = indexOf(bytes, (byte) '\n');
      int end = newline < 0 ? bytes.limit() : newline;
      int chunk = end - start;
      if (partialLength + chunk > maxLineBytes + 1) {
        // +1 leaves room for the '\r' of a "\r\n" terminator, stripped in takeLine.
        return poison(bytes);
      }
      if (newline < 0) {
        append(bytes, chunk);
        return Result.OK;
      }
      String line = takeLine(bytes, chunk);
      bytes.position(newline + 1);
      if (line == null) {
        return poison(bytes);
      }
      lines.accept(line);
    }
    return Result.OK;
  }

  /** Bytes of an unfinished line held back until its newline arrives. */
  public int buffered() {
    return partialLength;
  }

  private Result poison(ByteBuffer bytes) {
    poisoned = true;
    partial = null;
    partialLength = 0;
    bytes.position(bytes.limit());
    return Result.TOO_LONG;
  }

  private String takeLine(ByteBuffer bytes, int chunk) {
    byte[] all;
    int length;
    if (partialLength == 0) {
      if (bytes.hasArray()) {
        all = bytes.array();
        int off = bytes.arrayOffset() + bytes.position();
        length = stripCr(all, off, chunk);
        return length > maxLineBytes ? null : new String(all, off, length, StandardCharsets.UTF_8);
      }
      all = new byte[chunk];
      bytes.get(bytes.position(), all);
      length = stripCr(all, 0, chunk);
    } else {
      append(bytes, chunk);
      all = partial;
      length = stripCr(all, 0, partialLength);
      partial = null;
      partialLength = 0;
    }
    return length > maxLineBytes ? null : new String(all, 0, length, StandardCharsets.UTF_8);
  }

  private static int stripCr(byte[] b, int off, int len) {
    return len > 0 && b[off + len - 1] == '\r' ? len - 1 : len;
  }

  private void append(ByteBuffer bytes, int chunk) {
    if (partial == null) {
      partial = new byte[Math.max(64, chunk)];
    } else if (partialLength + chunk > partial.length) {
      partial = Arrays.copyOf(partial, Math.max(partialLength + chunk, partial.length * 2));
    }
    bytes.get(bytes.position(), partial, partialLength, chunk);
    bytes.position(bytes.position() + chunk);
    partialLength += chunk;
  }

  private static int indexOf(ByteBuffer b, byte value) {
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) == value) {
        return i;
      }
    }
    return -1;
  }
}
