package tlslab.quic;

import java.util.Arrays;
import java.util.HexFormat;
import tlslab.wire.WireResult;

/**
 * The unprotected part of one QUIC packet, as anyone on the path can read it (RFC 9000 section 17,
 * RFC 8999 for the version-independent invariants). Header protection (RFC 9001 section 5.4) still
 * hides the low bits of the first byte and the packet number, which start at {@link #pnOffset()}.
 *
 * <pre>
 * Long Header Packet {                 Short Header (1-RTT) Packet {
 *   Header Form (1) = 1,                 Header Form (1) = 0,
 *   Fixed Bit (1) = 1,                   Fixed Bit (1) = 1,
 *   Long Packet Type (2),                Spin Bit (1), Reserved Bits (2),  [protected]
 *   Type-Specific Bits (4),  [protected] Key Phase (1),                    [protected]
 *   Version (32),                        Packet Number Length (2),         [protected]
 *   Destination Connection ID Length (8),Destination Connection ID (0..160),
 *   Destination Connection ID (0..160),  Packet Number (8..32),            [protected]
 *   Source Connection ID Length (8),     Packet Payload (8..),
 *   Source Connection ID (0..160),     }
 *   [Initial: Token Length (i), Token], Length (i), Packet Number, Payload
 * }
 * </pre>
 *
 * @param start offset of the first byte in the datagram array
 * @param end offset just past this packet (the next coalesced packet starts there)
 * @param pnOffset offset of the (protected) packet number; -1 for Retry and Version Negotiation
 * @param versions the versions a Version Negotiation packet offers (empty otherwise)
 */
public record QuicHeader(
    PacketType type,
    int version,
    byte[] dcid,
    byte[] scid,
    byte[] token,
    int start,
    int pnOffset,
    int end,
    int[] versions) {

  /** The largest connection ID QUIC v1 allows (RFC 9000 section 17.2). */
  public static final int MAX_CID = 20;

  public QuicVersion quicVersion() {
    return QuicVersion.of(version);
  }

  public boolean longHeader() {
    return type != PacketType.ONE_RTT;
  }

  public String dcidHex() {
    return HexFormat.of().formatHex(dcid);
  }

  public String scidHex() {
    return HexFormat.of().formatHex(scid);
  }

  /**
   * Parses the packet at {@code b[off..end)} (the rest of the datagram). A short header needs the
   * length of its Destination Connection ID, which is not on the wire: the receiver chose it, and
   * an observer learns it from the long headers seen earlier ({@code shortDcidLength}).
   */
  public static WireResult<QuicHeader> parse(byte[] b, int off, int end, int shortDcidLength) {
    if (end - off < 1) return new WireResult.NeedMore<>(1);
    int first = b[off] & 0xff;
    if ((first & 0x80) == 0) {
      int dl = Math.max(0, shortDcidLength);
      if (end - off < 1 + dl) return new WireResult.NeedMore<>(1 + dl - (end - off));
      byte[] dcid = Arrays.copyOfRange(b, off + 1, off + 1 + dl);
      return ok(PacketType.ONE_RTT, 0, dcid, new byte[0], null, off, off + 1 + dl, end, null);
    }
    if (end - off < 7) return new WireResult.NeedMore<>(7 - (end - off));
    int version = i32(b, off + 1);
    int p = off + 5;
    int dl = b[p++] & 0xff;
    if (p + dl + 1 > end) return more(p + dl + 1 - end);
    byte[] dcid = Arrays.copyOfRange(b, p, p + dl);
    p += dl;
    int sl = b[p++] & 0xff;
    if (p + sl > end) return more(p + sl - end);
    byte[] scid = Arrays.copyOfRange(b, p, p + sl);
    p += sl;
    if (version == 0) {
      int n = (end - p) / 4;
      int[] vs = new int[n];
      for (int i = 0; i < n; i++) vs[i] = i32(b, p + 4 * i);
      return ok(PacketType.VERSION_NEGOTIATION, 0, dcid, scid, null, off, -1, end, vs);
    }
    if (dl > MAX_CID || sl > MAX_CID) {
      return malformed(b, off, end, off + 5, "connection ID longer than 20 bytes");
    }
    QuicVersion qv = QuicVersion.of(version);
    PacketType type = qv.longType(first);
    if (type == PacketType.RETRY) {
      int tokenEnd = Math.max(p, end - 16); // the last 16 bytes are the Retry Integrity Tag
      byte[] token = Arrays.copyOfRange(b, p, tokenEnd);
      return ok(type, version, dcid, scid, token, off, -1, end, null);
    }
    byte[] token = null;
    if (type == PacketType.INITIAL) {
      long tl = Varint.read(b, p, end);
      if (tl < 0) return more(1);
      p += Varint.length(b[p]);
      if (tl > end - p) return malformed(b, off, end, p, "token longer than the datagram");
      token = Arrays.copyOfRange(b, p, p + (int) tl);
      p += (int) tl;
    }
    long len = Varint.read(b, p, end);
    if (len < 0) return more(1);
    p += Varint.length(b[p]);
    if (len > end - p) return malformed(b, off, end, p, "Length field beyond the datagram");
    return ok(type, version, dcid, scid, token, off, p, p + (int) len, null);
  }

  private static WireResult<QuicHeader> ok(
      PacketType t,
      int version,
      byte[] dcid,
      byte[] scid,
      byte[] token,
      int start,
      int pn,
      int end,
      int[] vs) {
    return new WireResult.Ok<>(
        new QuicHeader(
            t,
            version,
            dcid,
            scid,
            token == null ? new byte[0] : token,
            start,
            pn,
            end,
            vs == null ? new int[0] : vs));
  }

  private static WireResult<QuicHeader> more(int n) {
    return new WireResult.NeedMore<>(Math.max(1, n));
  }

  private static WireResult<QuicHeader> malformed(byte[] b, int from, int to, int at, String why) {
    return new WireResult.Malformed<>(at - from, why, WireResult.excerpt(b, from, to, at));
  }

  static int i32(byte[] b, int o) {
    return ((b[o] & 0xff) << 24)
        | ((b[o + 1] & 0xff) << 16)
        | ((b[o + 2] & 0xff) << 8)
        | (b[o + 3] & 0xff);
  }
}
