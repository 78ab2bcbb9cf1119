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
   * Re-cuts every TCP payload so that the segment layout depends only on the TLS records, not on
   * how the kernel happened to segment the writes: each record starts a segment of its own and is
   * cut into {@code size}-byte segments from its first byte (the last one shorter). Which bytes a
   * sender wrote in one call, and whether the kernel sent two writes in one segment or one write in
   * two, no longer matters. Each new segment keeps the headers (ACK, flags, time) of the frame that
   * carried its first byte; a data frame whose bytes all went into earlier segments is left out,
   * unless it carries a FIN or RST, which then travels without data. The input must be one in-order
   * capture without loss (a loopback session): anything else is refused, since its byte stream
   * cannot be rebuilt.
   */
  static void recordAligned(Path in, Path out, int size) throws IOException {
    java.util.List<Seg> frames = new java.util.ArrayList<>();
    java.util.Map<String, java.io.ByteArrayOutputStream> streams = new java.util.HashMap<>();
    java.util.Map<String, Integer> isn = new java.util.HashMap<>();
    try (CaptureReader r = CaptureReader.open(in)) {
      Frame f = new Frame();
      TcpPacket p = new TcpPacket();
      while (r.next(f)) {
        byte[] b = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        if (!PacketDecoder.decode(f, p) || f.linkType != 1) {
          frames.add(new Seg(b, f.timeNanos, f.wireLength, null, 0, 0, 0, 0));
          continue;
        }
        String dir =
            TcpPacket.address(p.src, p.ipVersion)
                + ":"
                + p.srcPort
                + ">"
                + TcpPacket.address(p.dst, p.ipVersion)
                + ":"
                + p.dstPort;
        if ((p.flags & TcpPacket.SYN) != 0) isn.put(dir, p.seq + 1);
        Integer first = isn.get(dir);
        if (first == null) throw new IOException(in + ": no SYN from " + dir);
        int rel = p.seq - first;
        java.io.ByteArrayOutputStream s =
            streams.computeIfAbsent(dir, k -> new java.io.ByteArrayOutputStream());
        if (p.payloadLength > 0) {
          if (rel != s.size() || p.payloadCaptured != p.payloadLength)
            throw new IOException(
                in + ": frame " + f.number + " of " + dir + " is not the next bytes in order");
          s.write(f.data, p.payloadOffset, p.payloadLength);
        }
        int hdr = p.payloadOffset - f.offset;
        frames.add(
            new Seg(
                p.payloadLength > 0 ? java.util.Arrays.copyOf(b, hdr) : b,
                f.timeNanos,
                f.wireLength,
                dir,
                first,
                rel,
                p.payloadLength,
                p.flags));
      }
    }
    // Where each direction's segments start: every record's first byte, then every size bytes.
    java.util.Map<String, java.util.TreeSet<Integer>> cuts = new java.util.HashMap<>();
    java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
    streams.forEach(
        (dir, s) -> {
          byte[] d = s.toByteArray();
          java.util.TreeSet<Integer> c = new java.util.TreeSet<>();
          int pos = 0;
          while (pos < d.length) {
            int end =
                pos + 5 <= d.length
                    ? Math.min(d.length, pos + 5 + ((d[pos + 3] & 0xff) << 8 | (d[pos + 4] & 0xff)))
                    : d.length;
            for (int k = pos; k < end; k += size) c.add(k);
            pos = end;
          }
          c.add(d.length);
          cuts.put(dir, c);
          bytes.put(dir, d);
        });
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
      for (Seg s : frames) {
        if (s.dir() == null || s.len() == 0) {
          write(os, s.time(), s.frame(), s.frame().length, Math.max(s.frame().length, s.wire()));
          continue;
        }
        java.util.TreeSet<Integer> c = cuts.get(s.dir());
        byte[] d = bytes.get(s.dir());
        int end = s.rel() + s.len();
        boolean any = false;
        for (int start : c.subSet(s.rel(), true, end, false)) {
          int stop = c.higher(start);
          int flags = s.flags();
          if (stop != end) flags &= ~(TcpPacket.FIN | TcpPacket.RST);
          any = true;
          writeSegment(os, s, d, start, stop, flags);
        }
        if (!any && (s.flags() & (TcpPacket.FIN | TcpPacket.RST)) != 0) {
          writeSegment(os, s, d, end, end, s.flags());
        }
      }
    }
  }

  /** One data-carrying TCP frame: its place among them (1-based), ports and payload. */
  record Data(int index, int srcPort, int dstPort, byte[] payload) {}

  /** The data-carrying frames of a capture, numbered as {@link #dropDataSegment} counts them. */
  static java.util.List<Data> data(Path in) throws IOException {
    java.util.List<Data> out = new java.util.ArrayList<>();
    try (CaptureReader r = CaptureReader.open(in)) {
      Frame f = new Frame();
      TcpPacket p = new TcpPacket();
      while (r.next(f)) {
        if (!PacketDecoder.decode(f, p) || p.payloadLength == 0) continue;
        byte[] payload =
            java.util.Arrays.copyOfRange(
                f.data, p.payloadOffset, p.payloadOffset + p.payloadCaptured);
        out.add(new Data(out.size() + 1, p.srcPort, p.dstPort, payload));
      }
    }
    return out;
  }

  /**
   * A frame read by {@link #recordAligned}: its bytes (only the headers when it carries data), the
   * direction, the sequence number of the direction's first data byte, and where its data starts in
   * that stream.
   */
  private record Seg(
      byte[] frame, long time, int wire, String dir, int base, int rel, int len, int flags) {}

  /**
   * One frame of {@link #recordAligned}: {@code s}'s headers, bytes [start, stop) of its stream.
   */
  private static void writeSegment(
      OutputStream os, Seg s, byte[] stream, int start, int stop, int flags) throws IOException {
    int hdr = s.frame().length;
    byte[] seg = new byte[hdr + stop - start];
    System.arraycopy(s.frame(), 0, seg, 0, hdr);
    System.arraycopy(stream, start, seg, hdr, stop - start);
    int ipOff = 14;
    boolean v6 = (seg[ipOff] & 0xf0) == 0x60;
    int tcpOff = v6 ? ipOff + 40 : ipOff + (seg[ipOff] & 0x0f) * 4;
    int ipLen = v6 ? seg.length - ipOff - 40 : seg.length - ipOff;
    int lenAt = v6 ? ipOff + 4 : ipOff + 2;
    seg[lenAt] = (byte) (ipLen >> 8);
    seg[lenAt + 1] = (byte) ipLen;
    ByteBuffer.wrap(seg).putInt(tcpOff + 4, s.base() + start);
    seg[tcpOff + 13] = (byte) flags;
    write(os, s.time(), seg, seg.length, seg.length);
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
