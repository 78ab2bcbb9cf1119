package tlslab.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** Writes Ethernet/IPv4/TCP frames of a TLS session into a classic little-endian pcap. */
final class PcapFrames {
  private static final int MSS = 65483; // loopback MTU 65536 minus headers
  private final OutputStream os;
  private long bytes;
  private long timeMicros = 1_764_000_000L * 1_000_000L;
  private final byte[] hdr = new byte[16 + 14 + 20 + 32];

  PcapFrames(OutputStream os) {
    this.os = os;
  }

  long bytes() {
    return bytes;
  }

  void header() throws IOException {
    byte[] h = new byte[24];
    le32(h, 0, 0xa1b2c3d4);
    h[4] = 2;
    h[6] = 4;
    le32(h, 16, 262144);
    le32(h, 20, 1);
    os.write(h);
    bytes += 24;
  }

  /** Writes one Ethernet frame as it is (a frame copied from another capture). */
  void raw(byte[] frame) throws IOException {
    byte[] rec = new byte[16];
    timeMicros += 10;
    le32(rec, 0, (int) (timeMicros / 1_000_000L));
    le32(rec, 4, (int) (timeMicros % 1_000_000L));
    le32(rec, 8, frame.length);
    le32(rec, 12, frame.length);
    os.write(rec);
    os.write(frame);
    bytes += 16 + frame.length;
  }

  /** Writes one whole connection; returns the number of frames. */
  long session(List<SyntheticTlsSessions.Chunk> chunks, int cport, int sport, int cisn, int sisn)
      throws IOException {
    long n = 0;
    int cseq = cisn;
    int sseq = sisn;
    frame(true, cport, sport, cseq, 0, 0x02, null, 0, 0);
    frame(false, cport, sport, sseq, cseq + 1, 0x12, null, 0, 0);
    cseq++;
    sseq++;
    frame(true, cport, sport, cseq, sseq, 0x10, null, 0, 0);
    n += 3;
    for (SyntheticTlsSessions.Chunk c : chunks) {
      byte[] b = c.bytes();
      for (int off = 0; off < b.length; off += MSS) {
        int len = Math.min(MSS, b.length - off);
        if (c.fromClient()) {
          frame(true, cport, sport, cseq, sseq, 0x18, b, off, len);
          cseq += len;
        } else {
          frame(false, cport, sport, sseq, cseq, 0x18, b, off, len);
          sseq += len;
        }
        n++;
      }
      frame(
          !c.fromClient(),
          cport,
          sport,
          c.fromClient() ? sseq : cseq,
          c.fromClient() ? cseq : sseq,
          0x10,
          null,
          0,
          0);
      n++;
    }
    frame(true, cport, sport, cseq, sseq, 0x11, null, 0, 0);
    frame(false, cport, sport, sseq, cseq + 1, 0x11, null, 0, 0);
    frame(true, cport, sport, cseq + 1, sseq + 1, 0x10, null, 0, 0);
    return n + 3;
  }

  private void frame(
      boolean fromClient,
      int cport,
      int sport,
      int seq,
      int ack,
      int flags,
      byte[] data,
      int off,
      int len)
      throws IOException {
    timeMicros += 37;
    int frameLen = 14 + 20 + 32 + len;
    byte[] h = hdr;
    java.util.Arrays.fill(h, (byte) 0);
    le32(h, 0, (int) (timeMicros / 1_000_000L));
    le32(h, 4, (int) (timeMicros % 1_000_000L));
    le32(h, 8, frameLen);
    le32(h, 12, frameLen);
    int e = 16;
    h[e + 12] = 0x08; // IPv4
    int ip = e + 14;
    h[ip] = 0x45;
    be16(h, ip + 2, 20 + 32 + len);
    h[ip + 8] = 64;
    h[ip + 9] = 6;
    h[ip + 12] = 127;
    h[ip + 15] = 1;
    h[ip + 16] = 127;
    h[ip + 19] = 1;
    int t = ip + 20;
    be16(h, t, fromClient ? cport : sport);
    be16(h, t + 2, fromClient ? sport : cport);
    be32(h, t + 4, seq);
    be32(h, t + 8, ack);
    h[t + 12] = (byte) 0x80; // 32-byte header: timestamps option
    h[t + 13] = (byte) flags;
    be16(h, t + 14, 512);
    h[t + 20] = 1;
    h[t + 21] = 1;
    h[t + 22] = 8;
    h[t + 23] = 10;
    be32(h, t + 24, (int) (timeMicros / 1000));
    be32(h, t + 28, (int) (timeMicros / 1000) - 1);
    os.write(h, 0, 16 + 14 + 20 + 32);
    if (len > 0) os.write(data, off, len);
    bytes += 16 + frameLen;
  }

  private static void le32(byte[] b, int o, int v) {
    b[o] = (byte) v;
    b[o + 1] = (byte) (v >> 8);
    b[o + 2] = (byte) (v >> 16);
    b[o + 3] = (byte) (v >> 24);
  }

  private static void be16(byte[] b, int o, int v) {
    b[o] = (byte) (v >> 8);
    b[o + 1] = (byte) v;
  }

  private static void be32(byte[] b, int o, int v) {
    b[o] = (byte) (v >> 24);
    b[o + 1] = (byte) (v >> 16);
    b[o + 2] = (byte) (v >> 8);
    b[o + 3] = (byte) v;
  }
}
