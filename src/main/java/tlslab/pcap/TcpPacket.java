package tlslab.pcap;

/**
 * A decoded IPv4/IPv6 + TCP header, as a mutable view reused for every frame (no per-packet
 * objects). Offsets point into the frame's backing array.
 */
public final class TcpPacket {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;

  /** 4 or 6. */
  public int ipVersion;

  /** Source and destination addresses: 4 or 16 bytes used. */
  public final byte[] src = new byte[16];

  public final byte[] dst = new byte[16];
  public int srcPort;
  public int dstPort;

  /** Raw (absolute) sequence and acknowledgement numbers, unsigned 32-bit in an int. */
  public int seq;

  public int ack;
  public int flags;
  public int window;

  /** Options: -1 when absent. */
  public int mss;

  public int windowScale;
  public boolean sackPermitted;
  public long tsVal;
  public long tsEcr;

  /**
   * The options Wireshark shows in the Info column (2 MSS, 3 window scale, 4 SACK permitted, 5
   * SACK, 8 timestamps), in the order they appear in the header: tshark prints them in that order.
   */
  public final int[] optionOrder = new int[12];

  public int optionCount;

  /** SACK blocks (RFC 2018): raw left and right edges, {@link #sackBlocks} pairs. */
  public final int[] sack = new int[8];

  public int sackBlocks;

  /** Payload position in the frame array, bytes captured and bytes on the wire. */
  public int payloadOffset;

  public int payloadCaptured;
  public int payloadLength;

  /** True when the TCP header itself was cut short by the snaplen (no payload available). */
  public boolean headerTruncated;

  public int addressLength() {
    return ipVersion == 4 ? 4 : 16;
  }

  /** Formats an address like Wireshark ("127.0.0.1", "::1"). */
  public static String address(byte[] a, int ipVersion) {
    if (ipVersion == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    try {
      return java.net.InetAddress.getByAddress(java.util.Arrays.copyOf(a, 16))
          .getHostAddress()
          .replaceAll("(^|:)0(:0)+(:|$)", "::")
          .replaceFirst(":::", "::");
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError("16 bytes are always a valid IPv6 address", e);
    }
  }
}
