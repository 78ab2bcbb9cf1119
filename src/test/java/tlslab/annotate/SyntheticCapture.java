package tlslab.annotate;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import tlslab.pcap.Frame;

/**
 * Test helper: raw-IPv4 TCP frames (link type 101) carrying given bytes, and pcap files of them.
 */
final class SyntheticCapture {
  private final ByteArrayOutputStream file = new ByteArrayOutputStream();
  private long n;

  SyntheticCapture() {
    file.writeBytes(
        ByteBuffer.allocate(24)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(0xa1b2c3d4)
            .putShort((short) 2)
            .putShort((short) 4)
            .putInt(0)
            .putInt(0)
            .putInt(262144)
            .putInt(101)
            .array());
  }

  static byte[] packet(
      boolean fromClient, int seq, int ack, int flags, byte[] payload, int off, int len) {
    byte[] p = new byte[40 + len];
    p[0] = 0x45;
    p[2] = (byte) (p.length >> 8);
    p[3] = (byte) p.length;
    p[9] = 6;
    byte[] c = {10, 0, 0, 1};
    byte[] s = {10, 0, 0, 2};
    System.arraycopy(fromClient ? c : s, 0, p, 12, 4);
    System.arraycopy(fromClient ? s : c, 0, p, 16, 4);
    int cport = 40000;
    int sport = 5555; // not a TLS port: detection is by content
    int sp = fromClient ? cport : sport;
    int dp = fromClient ? sport : cport;
    p[20] = (byte) (sp >> 8);
    p[21] = (byte) sp;
    p[22] = (byte) (dp >> 8);
    p[23] = (byte) dp;
    ByteBuffer.wrap(p).putInt(24, seq).putInt(28, ack);
    p[32] = 0x50;
    p[33] = (byte) flags;
    p[34] = 0x10;
    if (len > 0) System.arraycopy(payload, off, p, 40, len);
    return p;
  }

  SyntheticCapture add(byte[] packet) {
    n++;
    file.writeBytes(
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1_700_000_000)
            .putInt((int) n)
            .putInt(packet.length)
            .putInt(packet.length)
            .array());
    file.writeBytes(packet);
    return this;
  }

  byte[] bytes() {
    return file.toByteArray();
  }

  static Frame frame(long number, byte[] packet) {
    Frame f = new Frame();
    f.number = number;
    f.linkType = 101;
    f.data = packet;
    f.capturedLength = f.wireLength = packet.length;
    f.timeNanos = number * 1000;
    return f;
  }

  /** A TLS record: type, version 0x0301, the body. */
  static byte[] record(int type, int version, byte[] body) {
    byte[] r = new byte[5 + body.length];
    r[0] = (byte) type;
    r[1] = (byte) (version >> 8);
    r[2] = (byte) version;
    r[3] = (byte) (body.length >> 8);
    r[4] = (byte) body.length;
    System.arraycopy(body, 0, r, 5, body.length);
    return r;
  }

  /** A minimal but valid ClientHello handshake message (type 1). */
  static byte[] clientHelloMessage() {
    ByteBuffer b = ByteBuffer.allocate(4 + 2 + 32 + 1 + 2 + 4 + 2);
    b.put((byte) 1).put((byte) 0).putShort((short) (2 + 32 + 1 + 2 + 4 + 2));
    b.putShort((short) 0x0303)
        .put(new byte[32])
        .put((byte) 0)
        .putShort((short) 4)
        .putShort((short) 0xc02f)
        .putShort((short) 0x002f)
        .put((byte) 1)
        .put((byte) 0);
    return b.array();
  }
}
