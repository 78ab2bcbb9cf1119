package tlslab.quic;

import java.util.Arrays;

/**
 * Removes header protection and opens the AEAD of one QUIC packet (RFC 9001 sections 5.3 and 5.4),
 * and the reverse for building packets. Header protection masks the packet number and the low bits
 * of the first byte with bytes computed from a sample of the ciphertext, so an observer without
 * keys does not even learn the packet number.
 */
public final class PacketProtection {
  private PacketProtection() {}

  /** A packet whose protection was removed. */
  public record Opened(int firstByte, int packetNumberLength, long packetNumber, byte[] payload) {
    /** The Key Phase bit of a short header (RFC 9001 section 6). */
    public int keyPhase() {
      return (firstByte & 0x04) != 0 ? 1 : 0;
    }
  }

  /**
   * Opens the packet {@code h} in {@code b}; {@code largest} is the largest packet number received
   * so far in its space (-1 for none). Null if the keys do not fit (the AEAD tag fails) or the
   * packet is too short to carry a header-protection sample.
   */
  public static Opened open(PacketKeys k, byte[] b, QuicHeader h, long largest) {
    return open(k, b, h, largest, false);
  }

  /**
   * Removes header protection only (the packet number and the first byte's protected bits), with a
   * null payload: what tshark still shows of a packet whose AEAD tag fails. Null if the packet is
   * too short for a sample.
   */
  public static Opened unmask(PacketKeys k, byte[] b, QuicHeader h, long largest) {
    return open(k, b, h, largest, true);
  }

  private static Opened open(
      PacketKeys k, byte[] b, QuicHeader h, long largest, boolean headerOnly) {
    int pn = h.pnOffset();
    int end = h.end();
    if (pn < 0 || pn + 4 + 16 > end) return null;
    byte[] mask = k.mask(b, pn + 4); // the sample starts 4 bytes after the packet number start
    int first = (b[h.start()] & 0xff) ^ (mask[0] & (h.longHeader() ? 0x0f : 0x1f));
    int pnLen = (first & 3) + 1;
    byte[] header = Arrays.copyOfRange(b, h.start(), pn + pnLen);
    header[0] = (byte) first;
    long truncated = 0;
    int at = pn - h.start();
    for (int i = 0; i < pnLen; i++) {
      header[at + i] ^= mask[1 + i];
      truncated = (truncated << 8) | (header[at + i] & 0xff);
    }
    // Two readings of the truncated number (docs/QUIC.md, "Packet numbers"): RFC 9000 A.3's, the
    // one nearest the next expected number, and tshark 4.0's, which never goes below the
    // window-sized block holding that number. They differ only for a packet that looks older
    // than the largest one opened so far. The AEAD nonce is built from the full number, so a
    // successful open proves which reading is right; the RFC's is tried first, so every packet
    // that opens with it still does, and tshark's second, which opens a packet that arrives
    // after more than half a window of packets nobody could open (tshark opens it too). The
    // window itself only moves on a successful open (the caller's largest), as in RFC 9000 A.3
    // ("largest packet number successfully processed") and in tshark. A packet that opens with
    // neither shows tshark's reading: unauthenticated either way, and tshark's is what the
    // student compares with.
    int bits = pnLen * 8;
    long full = decodePacketNumber(largest, truncated, bits);
    long tshark = tsharkPacketNumber(largest, truncated, bits);
    if (headerOnly) return new Opened(first, pnLen, tshark, null);
    byte[] payload = k.open(full, header, b, pn + pnLen, end);
    if (payload == null && tshark != full) {
      payload = k.open(tshark, header, b, pn + pnLen, end);
      full = tshark;
    }
    return payload == null ? null : new Opened(first, pnLen, full, payload);
  }

  /**
   * Protects a packet: {@code header} is the unprotected header ending with the packet number of
   * {@code pnLength} bytes; returns header and ciphertext with header protection applied.
   */
  public static byte[] protect(
      PacketKeys k, byte[] header, int pnLength, long packetNumber, byte[] payload) {
    byte[] sealed = k.seal(packetNumber, header, payload);
    byte[] out = Arrays.copyOf(header, header.length + sealed.length);
    System.arraycopy(sealed, 0, out, header.length, sealed.length);
    int pn = header.length - pnLength;
    byte[] mask = k.mask(out, pn + 4);
    boolean longHeader = (out[0] & 0x80) != 0;
    out[0] ^= (byte) (mask[0] & (longHeader ? 0x0f : 0x1f));
    for (int i = 0; i < pnLength; i++) out[pn + i] ^= mask[1 + i];
    return out;
  }

  /**
   * The full packet number as tshark 4.0 reconstructs it (epan/dissectors/packet-quic.c,
   * quic_pkt_adjust_pkt_num): of the candidate in the {@code 2^bits} block that holds the next
   * expected number and the candidate in the block above, the nearer one (the upper on a tie). It
   * never picks the block below, where RFC 9000 A.3 would place a packet older than the largest.
   */
  public static long tsharkPacketNumber(long largest, long truncated, int bits) {
    long expected = largest + 1;
    long win = 1L << bits;
    long a = (expected & ~(win - 1)) | truncated;
    long b = a + win;
    return Math.abs(a - expected) < b - expected ? a : b;
  }

  /** RFC 9000 appendix A.3: the full packet number closest to the next one expected. */
  public static long decodePacketNumber(long largest, long truncated, int bits) {
    long expected = largest + 1;
    long win = 1L << bits;
    long hwin = win / 2;
    long mask = win - 1;
    long candidate = (expected & ~mask) | truncated;
    if (candidate <= expected - hwin && candidate < (1L << 62) - win) return candidate + win;
    if (candidate > expected + hwin && candidate >= win) return candidate - win;
    return candidate;
  }
}
