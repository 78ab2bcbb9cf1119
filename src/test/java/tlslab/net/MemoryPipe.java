package tlslab.net;

import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayDeque;

/**
 * Two connected in-memory channels, non-blocking: a read returns 0 when nothing is there. Every
 * read and write moves at most {@code chunk} bytes, so TLS records arrive in pieces (like TCP
 * segments), and a side's buffer holds at most {@code capacity} bytes (like a full socket).
 */
final class MemoryPipe {
  final End a;
  final End b;

  MemoryPipe(int chunk, int capacity) {
    ArrayDeque<Byte> ab = new ArrayDeque<>();
    ArrayDeque<Byte> ba = new ArrayDeque<>();
    a = new End(ba, ab, chunk, capacity);
    b = new End(ab, ba, chunk, capacity);
    a.peer = b;
    b.peer = a;
  }

  static final class End implements ByteChannel {
    private final ArrayDeque<Byte> in;
    private final ArrayDeque<Byte> out;
    int chunk;
    private final int capacity;
    End peer;
    boolean open = true;
    boolean eofSent;
    int reads;
    int lastReadBytes;

    End(ArrayDeque<Byte> in, ArrayDeque<Byte> out, int chunk, int capacity) {
      this.in = in;
      this.out = out;
      this.chunk = chunk;
      this.capacity = capacity;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (in.isEmpty()) {
        return peer.eofSent ? -1 : 0;
      }
      int n = 0;
      while (n < chunk && dst.hasRemaining() && !in.isEmpty()) {
        dst.put(in.poll());
        n++;
      }
      reads++;
      lastReadBytes = n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = 0;
      while (n < chunk && src.hasRemaining() && out.size() < capacity) {
        out.add(src.get());
        n++;
      }
      return n;
    }

    /** Bytes waiting for this end to read. */
    int available() {
      return in.size();
    }

    /** Simulates the peer closing TCP without close_notify. */
    void shutdownOutput() {
      eofSent = true;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
      eofSent = true;
    }
  }
}
