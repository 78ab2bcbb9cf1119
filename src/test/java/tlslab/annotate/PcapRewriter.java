package tlslab.annotate;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pcap.PacketDecoder;
import tlslab.pcap.TcpPacket;

/**
 * Test tool: rewrites an Ethernet/IPv4 pcap, splitting every TCP payload into small segments or
 * dropping one data-carrying segment, to produce captures that exercise reassembly and loss.
 */
final class PcapRewriter {
  /** What to do with each data-carrying TCP frame. */
  interface Rewrite {
    /** Returns payload chunk sizes to emit (empty: drop the frame). {@code index} is 1-based. */
    int[] chunks(int index, int payloadLength);
  }

  static Rewrite splitInto(int size) {
    return (i, len) -> {
      int n = (len + size - 1) / size;
      int[] c = new int[n];
      for (int k = 0; k < n; k++) c[k] = Math.min(size, len - k * size);
      return c;
    };
  }

  static Rewrite dropDataSegment(int which) {
    return (i, len) -> i == which ? new int[0] : new int[] {len};
  }

  private PcapRewriter() {}

  static void rewrite(Path in, Path out, Rewrite rw) throws IOException {
    try (CaptureReader r = CaptureReader.open(in);
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
      ByteBuffer gh = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      gh.putInt(0xa1b2c3d4)
          .putShort((short) 2)
          .putShort((short) 4)
          .putInt(0)
          .putInt(0)
          .putInt(262144)
          .putInt(1);
      os.write(gh.array());
      Frame f = new Frame();
      TcpPacket p = new TcpPacket();
      int dataIndex = 0;
      while (r.next(f)) {
        byte[] b = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        if (!PacketDecoder.decode(f, p) || p.payloadLength == 0 || f.linkType != 1) {
          write(os, f.timeNanos, b, b.length, f.wireLength);
          continue;
        }
        dataIndex++;
        int hdr = p.payloadOffset - f.offset;
        int ipOff = 14;
        int tcpOff = ipOff + (b[ipOff] & 0x0f) * 4;
        int pos = 0;
        for (int chunk : rw.chunks(dataIndex, p.payloadLength)) {
          byte[] seg = new byte[hdr + chunk];
          System.arraycopy(b, 0, seg, 0, hdr);
          System.arraycopy(b, hdr + pos, seg, hdr, chunk);
          int ipLen = seg.length - ipOff;
          seg[ipOff + 2] = (byte) (ipLen >> 8);
          seg[ipOff + 3] = (byte) ipLen;
          int seq = p.seq + pos;
          seg[tcpOff + 4] = (byte) (seq >>> 24);
          seg[tcpOff + 5] = (byte) (seq >>> 16);
          seg[tcpOff + 6] = (byte) (seq >>> 8);
          seg[tcpOff + 7] = (byte) seq;
          write(os, f.timeNanos, seg, seg.length, seg.length);
          pos += chunk;
        }
      }
    }
  }

  /**
   * Moves the {@code k}-th data-carrying frame after the next one (out-of-order arrival), or, with
   * {@code duplicate}, sends it again after the next frame (a retransmission).
   */
  static void reorder(Path in, Path out, int k, boolean duplicate) throws IOException {
    java.util.List<byte[]> frames = new java.util.ArrayList<>();
    java.util.List<long[]> meta = new java.util.ArrayList<>();
    java.util.List<Integer> data = new java.util.ArrayList<>();
    try (CaptureReader r = CaptureReader.open(in)) {
      Frame f = new Frame();
      TcpPacket p = new TcpPacket();
      while (r.next(f)) {
        if (PacketDecoder.decode(f, p) && p.payloadLength > 0) data.add(frames.size());
        frames.add(java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength));
        meta.add(new long[] {f.timeNanos, f.wireLength});
      }
    }
    int i = data.get(k - 1);
    if (duplicate) {
      frames.add(i + 2, frames.get(i));
      meta.add(i + 2, meta.get(i));
    } else {
      int j = data.get(k);
      byte[] t = frames.get(i);
      frames.set(i, frames.get(j));
      frames.set(j, t);
    }
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
      ByteBuffer gh = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      gh.putInt(0xa1b2c3d4)
          .putShort((short) 2)
          .putShort((short) 4)
          .putInt(0)
          .putInt(0)
          .putInt(262144)
          .putInt(1);
      os.write(gh.array());
      for (int n = 0; n < frames.size(); n++) {
        byte[] b = frames.get(n);
        write(os, meta.get(n)[0], b, b.length, (int) Math.max(b.length, meta.get(n)[1]));
      }
    }
  }

  /**
   * Overwrites the first bytes of the {@code which}-th data-carrying frame's TCP payload (1-based)
   * with {@code bytes}: e.g. makes the ciphertext at the start of a segment that follows a lost one
   * look like a record header, as real ciphertext sometimes does by chance.
   */
  static void patchPayload(Path in, Path out, int which, byte[] bytes) throws IOException {
    try (CaptureReader r = CaptureReader.open(in);
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
      ByteBuffer gh = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      gh.putInt(0xa1b2c3d4)
          .putShort((short) 2)
          .putShort((short) 4)
          .putInt(0)
          .putInt(0)
          .putInt(262144)
          .putInt(1);
      os.write(gh.array());
      Frame f = new Frame();
      TcpPacket p = new TcpPacket();
      int dataIndex = 0;
      while (r.next(f)) {
        byte[] b = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        if (PacketDecoder.decode(f, p) && p.payloadLength > 0 && ++dataIndex == which) {
          if (bytes.length > p.payloadCaptured)
            throw new IOException("patch longer than the payload");
          System.arraycopy(bytes, 0, b, p.payloadOffset - f.offset, bytes.length);
        }
        write(os, f.timeNanos, b, b.length, f.wireLength);
      }
    }
  }

  /** Drops the first {@code n} frames: a capture started in the middle of a connection. */
  static void dropFirst(Path in, Path out, int n) throws IOException {
    try (CaptureReader r = CaptureReader.open(in);
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
      ByteBuffer gh = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      gh.putInt(0xa1b2c3d4)
          .putShort((short) 2)
          .putShort((short) 4)
          .putInt(0)
          .putInt(0)
          .putInt(262144)
          .putInt(1);
      os.write(gh.array());
      Frame f = new Frame();
      while (r.next(f)) {
        if (f.number <= n) continue;
        byte[] b = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        write(os, f.timeNanos, b, b.length, f.wireLength);
      }
    }
  }

  /**
   * Re-encapsulates an Ethernet pcap: link type 101 (raw IP), 113 (Linux cooked v1) or 1, in
   * little- or big-endian byte order.
   */
  static void relink(Path in, Path out, int linkType, boolean bigEndian) throws IOException {
    ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    try (CaptureReader r = CaptureReader.open(in);
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
      ByteBuffer gh = ByteBuffer.allocate(24).order(order);
      gh.putInt(0xa1b2c3d4)
          .putShort((short) 2)
          .putShort((short) 4)
          .putInt(0)
          .putInt(0)
          .putInt(262144)
          .putInt(linkType);
      os.write(gh.array());
      Frame f = new Frame();
      while (r.next(f)) {
        byte[] b = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        byte[] body;
        if (linkType == 101) {
          body = java.util.Arrays.copyOfRange(b, 14, b.length);
        } else if (linkType == 113) {
          body = new byte[b.length + 2];
          body[1] = 0; // packet type: to us
          body[3] = 1; // ARPHRD_ETHER
          body[5] = 6; // address length
          System.arraycopy(b, 6, body, 6, 6);
          body[14] = b[12];
          body[15] = b[13];
          System.arraycopy(b, 14, body, 16, b.length - 14);
        } else {
          body = b;
        }
        int delta = body.length - b.length;
        ByteBuffer h = ByteBuffer.allocate(16).order(order);
        h.putInt((int) (f.timeNanos / 1_000_000_000L))
            .putInt((int) (f.timeNanos % 1_000_000_000L / 1000))
            .putInt(body.length)
            .putInt(f.wireLength + delta);
        os.write(h.array());
        os.write(body);
      }
    }
  }

  private static void write(OutputStream os, long tNanos, byte[] b, int cap, int orig)
      throws IOException {
    ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt((int) (tNanos / 1_000_000_000L))
        .putInt((int) (tNanos % 1_000_000_000L / 1000))
        .putInt(cap)
        .putInt(orig);
    os.write(h.array());
    os.write(b, 0, cap);
  }
}
