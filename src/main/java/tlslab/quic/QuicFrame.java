package tlslab.quic;

import java.util.ArrayList;
import java.util.List;

/**
 * One frame of a decrypted QUIC payload (RFC 9000 section 19). {@code label} is what Wireshark
 * appends to the Info column for it ("CRYPTO", "STREAM(3)", "NCI", "CC"...). For CRYPTO and STREAM
 * frames {@code offset}/{@code dataOffset}/{@code dataLength} locate the carried bytes in the
 * payload array.
 *
 * @param type the frame type (0x06 CRYPTO, 0x08..0x0f STREAM...); a run of PADDING bytes is one
 *     frame
 * @param streamId for STREAM, RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA, STREAM_DATA_BLOCKED; -1
 *     otherwise
 * @param errorCode for CONNECTION_CLOSE, -1 otherwise
 */
public record QuicFrame(
    int type,
    String label,
    long streamId,
    long offset,
    int dataOffset,
    int dataLength,
    boolean fin,
    long errorCode) {

  public static final int PADDING = 0x00;
  public static final int CRYPTO = 0x06;

  public boolean isStream() {
    return type >= 0x08 && type <= 0x0f;
  }

  /** The frames of a payload, and whether it ended in a frame that could not be read. */
  public record Frames(List<QuicFrame> frames, String problem) {}

  /** Parses every frame of {@code p[0..p.length)}. */
  public static Frames parse(byte[] p) {
    List<QuicFrame> out = new ArrayList<>();
    int i = 0;
    int end = p.length;
    while (i < end) {
      int start = i;
      long type = Varint.read(p, i, end);
      if (type < 0) return new Frames(out, "frame type cut short at offset " + start);
      i += Varint.length(p[i]);
      int t = (int) Math.min(type, Integer.MAX_VALUE);
      try {
        i = frame(p, i, end, t, out);
      } catch (Short e) {
        return new Frames(out, "frame 0x" + Long.toHexString(type) + " cut short at " + start);
      }
      if (i < 0) return new Frames(out, "unknown frame type 0x" + Long.toHexString(type));
    }
    return new Frames(out, null);
  }

  private static final class Short extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Short() {
      super(null, null, false, false);
    }
  }

  private static long v(byte[] p, int[] at, int end) {
    long x = Varint.read(p, at[0], end);
    if (x < 0) throw new Short();
    at[0] += Varint.length(p[at[0]]);
    return x;
  }

  private static int frame(byte[] p, int i, int end, int t, List<QuicFrame> out) {
    int[] at = {i};
    switch (t) {
      case 0x00 -> {
        while (at[0] < end && p[at[0]] == 0) at[0]++;
        out.add(simple(t, "PADDING"));
      }
      case 0x01 -> out.add(simple(t, "PING"));
      case 0x02, 0x03 -> {
        v(p, at, end); // largest acknowledged
        v(p, at, end); // ack delay
        long ranges = v(p, at, end);
        v(p, at, end); // first range
        for (long r = 0; r < ranges; r++) {
          v(p, at, end);
          v(p, at, end);
        }
        if (t == 0x03) {
          v(p, at, end);
          v(p, at, end);
          v(p, at, end);
        }
        out.add(simple(t, t == 0x02 ? "ACK" : "ACK_ECN"));
      }
      case 0x04 -> {
        long id = v(p, at, end);
        v(p, at, end);
        v(p, at, end);
        out.add(withStream(t, "RS", id));
      }
      case 0x05 -> {
        long id = v(p, at, end);
        v(p, at, end);
        out.add(withStream(t, "SS", id));
      }
      case 0x06 -> {
        long off = v(p, at, end);
        long len = v(p, at, end);
        if (len > end - at[0]) throw new Short();
        out.add(new QuicFrame(t, "CRYPTO", -1, off, at[0], (int) len, false, -1));
        at[0] += (int) len;
      }
      case 0x07 -> {
        long len = v(p, at, end);
        if (len > end - at[0]) throw new Short();
        at[0] += (int) len;
        out.add(simple(t, "NT"));
      }
      case 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f -> {
        long id = v(p, at, end);
        long off = (t & 0x04) != 0 ? v(p, at, end) : 0;
        long len = (t & 0x02) != 0 ? v(p, at, end) : end - at[0];
        if (len > end - at[0]) throw new Short();
        out.add(
            new QuicFrame(t, "STREAM(" + id + ")", id, off, at[0], (int) len, (t & 1) != 0, -1));
        at[0] += (int) len;
      }
      case 0x10 -> {
        v(p, at, end);
        out.add(simple(t, "MD"));
      }
      case 0x11 -> {
        long id = v(p, at, end);
        v(p, at, end);
        out.add(withStream(t, "MSD", id));
      }
      case 0x12, 0x13 -> {
        v(p, at, end);
        out.add(simple(t, "MS"));
      }
      case 0x14 -> {
        v(p, at, end);
        out.add(simple(t, "DB"));
      }
      case 0x15 -> {
        long id = v(p, at, end);
        v(p, at, end);
        out.add(withStream(t, "SDB", id));
      }
      case 0x16, 0x17 -> {
        v(p, at, end);
        out.add(simple(t, "SB"));
      }
      case 0x18 -> {
        v(p, at, end);
        v(p, at, end);
        if (at[0] >= end) throw new Short();
        int l = p[at[0]++] & 0xff;
        if (at[0] + l + 16 > end) throw new Short();
        at[0] += l + 16;
        out.add(simple(t, "NCI"));
      }
      case 0x19 -> {
        v(p, at, end);
        out.add(simple(t, "RC"));
      }
      case 0x1a, 0x1b -> {
        if (at[0] + 8 > end) throw new Short();
        at[0] += 8;
        out.add(simple(t, t == 0x1a ? "PC" : "PR"));
      }
      case 0x1c, 0x1d -> {
        long code = v(p, at, end);
        if (t == 0x1c) v(p, at, end); // frame type
        long len = v(p, at, end);
        if (len > end - at[0]) throw new Short();
        at[0] += (int) len;
        out.add(new QuicFrame(t, "CC", -1, 0, 0, 0, false, code));
      }
      case 0x1e -> out.add(simple(t, "DONE"));
      case 0x30, 0x31 -> {
        long len = t == 0x31 ? v(p, at, end) : end - at[0];
        if (len > end - at[0]) throw new Short();
        at[0] += (int) len;
        out.add(simple(t, "DG"));
      }
      default -> {
        return -1;
      }
    }
    return at[0];
  }

  private static QuicFrame simple(int t, String label) {
    return new QuicFrame(t, label, -1, 0, 0, 0, false, -1);
  }

  private static QuicFrame withStream(int t, String label, long id) {
    return new QuicFrame(t, label + "(" + id + ")", id, 0, 0, 0, false, -1);
  }
}
