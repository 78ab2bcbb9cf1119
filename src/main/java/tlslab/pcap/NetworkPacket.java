package tlslab.pcap;

/**
 * What a frame is when it is not TCP: an ARP message, or an IPv4/IPv6 packet with its protocol
 * number (UDP with ports and payload, ICMP, anything else). A mutable view reused for every frame,
 * filled by {@link PacketDecoder#decodeNetwork(Frame, NetworkPacket)}; offsets point into the
 * frame's backing array.
 */
public final class NetworkPacket {
  /** What the link layer carried. */
  public enum Kind {
    /** Address Resolution Protocol (RFC 826). */
    ARP,
    /** IPv4 or IPv6; see {@link #ipVersion} and {@link #protocol}. */
    IP,
    /** A link-layer frame this decoder does not look into (its EtherType is kept). */
    OTHER
  }

  public static final int ICMP = 1;
  public static final int IGMP = 2;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMPV6 = 58;

  public Kind kind = Kind.OTHER;

  /** EtherType of the link layer (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP), or -1 if none. */
  public int etherType = -1;

  /** 4 or 6 for {@link Kind#IP}. */
  public int ipVersion;

  /** Source and destination addresses: 4 or 16 bytes used. */
  public final byte[] src = new byte[16];

  public final byte[] dst = new byte[16];

  /** Ethernet source and destination MAC addresses, when {@link #hasMac}. */
  public final byte[] srcMac = new byte[6];

  public final byte[] dstMac = new byte[6];
  public boolean hasMac;

  /** For an IEEE 802.3 frame (length instead of EtherType): the LLC DSAP, else -1. */
  public int llcDsap = -1;

  /** IP protocol / IPv6 next header after extension headers (17 UDP, 1 ICMP, 58 ICMPv6...). */
  public int protocol = -1;

  /** True for an IPv4 fragment other than the first: no transport header inside. */
  public boolean laterFragment;

  /** IPv4 TTL or IPv6 hop limit. */
  public int ttl;

  /** UDP ports (when {@link #protocol} is UDP and the header was captured). */
  public int srcPort;

  public int dstPort;

  /** True when the UDP header was captured in full. */
  public boolean udpHeader;

  /** The UDP header's length field (header + payload). */
  public int udpLength;

  /**
   * Transport payload: for UDP the datagram's payload; for other protocols the bytes after the IP
   * header. Position in the frame array, bytes captured and bytes on the wire.
   */
  public int payloadOffset;

  public int payloadCaptured;
  public int payloadLength;

  /** ARP (Ethernet/IPv4 only): operation (1 request, 2 reply), sender MAC and IPs. */
  public int arpOperation;

  public final byte[] arpSenderMac = new byte[6];
  public final byte[] arpSenderIp = new byte[4];
  public final byte[] arpTargetIp = new byte[4];

  public int addressLength() {
    return ipVersion == 4 ? 4 : 16;
  }

  void clear() {
    kind = Kind.OTHER;
    etherType = -1;
    ipVersion = 0;
    protocol = -1;
    laterFragment = false;
    ttl = 0;
    srcPort = 0;
    dstPort = 0;
    udpHeader = false;
    udpLength = 0;
    payloadOffset = 0;
    payloadCaptured = 0;
    payloadLength = 0;
    arpOperation = 0;
    hasMac = false;
    llcDsap = -1;
  }
}
