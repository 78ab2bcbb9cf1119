package tlslab.annotate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tlslab.quic.Varint;

/**
 * The HTTP/3 frame names (RFC 9114 section 7.2) tshark appends to the Info column after a decrypted
 * STREAM frame: "SETTINGS" on a control stream, "HEADERS" and "DATA" on request streams. QPACK
 * encoder and decoder streams (RFC 9204) add nothing. A frame is named in the packet that completes
 * it, as tshark's reassembly does; STREAM data must arrive in order (tshark 4.0 does not reorder
 * STREAM data either).
 */
final class Http3Labels {
  private static final class Stream {
    long next; // stream offset expected next
    int type = -2; // -2 unknown, -1 bidirectional, else the unidirectional stream type
    long skip; // payload bytes of the current frame still to come
    String pending; // label of the frame being skipped, said when it completes
    final byte[] hdr = new byte[16];
    java.util.TreeMap<Long, Long> ahead; // body ranges received beyond a gap: start -> end
    int hdrLen;
  }

  private final Map<Long, Stream> client = new HashMap<>();
  private final Map<Long, Stream> server = new HashMap<>();

  /**
   * Adds the labels completed by this STREAM frame's data to {@code out}. False only when all of
   * the data lies inside the body of an HTTP/3 frame that it does not complete (the middle of a
   * large DATA frame): tshark reassembles such a frame first and shows those packets as plain QUIC;
   * any other STREAM data of an h3 connection makes tshark's Protocol column "HTTP3".
   */
  boolean feed(
      boolean fromServer, long id, long offset, byte[] b, int off, int len, List<String> out) {
    Map<Long, Stream> m = fromServer ? server : client;
    Stream s = m.get(id);
    if (s == null) {
      if (m.size() > 10_000) return true;
      s = new Stream();
      s.type = (id & 0x2) == 0 ? -1 : -2;
      m.put(id, s);
    }
    if (offset == 0 && s.next != 0) {
      // The stream's start again (a retransmission): tshark dissects it afresh.
      Stream fresh = new Stream();
      fresh.type = (id & 0x2) == 0 ? -1 : -2;
      m.put(id, fresh);
      s = fresh;
    }
    if (s.next >= 0 && s.skip > 0 && s.skip != Long.MAX_VALUE && offset + len <= s.next + s.skip) {
      // Inside the body of the frame being skipped: no bytes needed, only which ranges came. A
      // range ahead of a gap waits; the frame completes (and is named) when the gap is filled,
      // as in tshark's reassembly.
      long bodyEnd = s.next + s.skip;
      if (offset > s.next) {
        if (s.ahead == null) s.ahead = new java.util.TreeMap<>();
        if (s.ahead.size() < 10_000) s.ahead.merge(offset, offset + len, Math::max);
        return len == 0;
      }
      long next = Math.max(s.next, offset + len);
      while (s.ahead != null && !s.ahead.isEmpty() && s.ahead.firstKey() <= next) {
        next = Math.max(next, s.ahead.pollFirstEntry().getValue());
      }
      s.next = next;
      s.skip = bodyEnd - next;
      if (s.skip == 0 && s.pending != null) {
        out.add(s.pending);
        s.pending = null;
        return true;
      }
      return len == 0;
    }
    if (s.next >= 0 && offset < s.next && offset + len > s.next) {
      // Overlaps what came already (a retransmission with new data): the new part only.
      int seen = (int) (s.next - offset);
      off += seen;
      len -= seen;
      offset = s.next;
    }
    if (offset != s.next) {
      if (offset + len > s.next) s.next = -1; // a gap: stop naming frames on this stream
      return true;
    }
    boolean http3 = len == 0; // a FIN alone: as before any body
    s.next = offset + len;
    int i = off;
    int end = off + len;
    while (i < end) {
      if (s.skip > 0) {
        // A QPACK or unknown unidirectional stream goes to the HTTP/3 layer as it comes.
        if (s.skip == Long.MAX_VALUE) http3 = true;
        int n = (int) Math.min(s.skip, end - i);
        i += n;
        s.skip -= n;
        if (s.skip == 0 && s.pending != null) {
          http3 = true;
          out.add(s.pending);
          s.pending = null;
        }
        continue;
      }
      http3 = true;
      s.hdr[s.hdrLen++] = b[i++];
      if (s.type == -2) {
        long t = Varint.read(s.hdr, 0, s.hdrLen);
        if (t < 0) continue;
        s.type = (int) Math.min(t, Integer.MAX_VALUE);
        s.hdrLen = 0;
        continue;
      }
      if (s.type != -1 && s.type != 0 && s.type != 1) {
        s.hdrLen = 0; // QPACK streams and unknown stream types carry no HTTP/3 frames
        s.skip = Long.MAX_VALUE;
        continue;
      }
      long t = Varint.read(s.hdr, 0, s.hdrLen);
      if (t < 0) continue;
      int tl = Varint.length(s.hdr[0]);
      long l = Varint.read(s.hdr, tl, s.hdrLen);
      if (l < 0) {
        if (s.hdrLen >= s.hdr.length) s.skip = Long.MAX_VALUE;
        continue;
      }
      s.hdrLen = 0;
      String name = name(t);
      if (l == 0) out.add(name);
      else {
        s.skip = l;
        s.pending = name;
      }
    }
    return http3;
  }

  static String name(long t) {
    if (t == 0x0) return "DATA";
    if (t == 0x1) return "HEADERS";
    if (t == 0x3) return "CANCEL_PUSH";
    if (t == 0x4) return "SETTINGS";
    if (t == 0x5) return "PUSH_PROMISE";
    if (t == 0x7) return "GOAWAY";
    if (t == 0xd) return "MAX_PUSH_ID";
    if (t == 0xf0700 || t == 0xf0701) return "PRIORITY_UPDATE";
    return "Reserved";
  }
}
