package tlslab.pcap;

/**
 * Decodes link layer, IPv4/IPv6 and TCP headers from raw frame bytes into a reused {@link
 * TcpPacket}, and everything else (ARP, UDP, ICMP...) into a reused {@link NetworkPacket}. Pure and
 * bounds-checked: {@link #decode} returns false for anything that is not (readable) TCP.
 *
 * <p>Link types (https://www.tcpdump.org/linktypes.html): 0 BSD loopback, 1 Ethernet (with 802.1Q
 * tags), 12/14/101 raw IP, 113 Linux cooked v1 (SLL), 228 raw IPv4, 229 raw IPv6, 276 Linux cooked
 * v2 (SLL2).
 */
public final class PacketDecoder {
  private PacketDecoder() {}

  /** True if the link type is one this decoder understands. */
  public static boolean supportsLinkType(int linkType) {
    switch (linkType) {
      case 0, 1, 12, 14, 101, 113, 228, 229, 276:
        return true;
      default:
        return false;
    }
  }

  /** Decodes {@code f} into {@code p}; false if the frame is not (readable) TCP over IP. */
  public static boolean decode(Frame f, TcpPacket p) {
    long l = link(f);
    if (l < 0) return false;
    int end = f.offset + f.capturedLength;
    int wireEnd = f.offset + f.wireLength;
    return decodeIp(f.data, (int) l, end, wireEnd, (int) (l >>> 32), p);
  }

  /**
   * Decodes what a frame carries below TCP: ARP, or IPv4/IPv6 with its protocol and, for UDP, the
   * ports and payload. Returns false only when the link layer itself is unreadable; a frame of an
   * unknown EtherType is {@link NetworkPacket.Kind#OTHER}.
   */
  public static boolean decodeNetwork(Frame f, NetworkPacket p) {
    p.clear();
    long l = link(f);
    if (l < 0) return false;
    byte[] b = f.data;
    int off = (int) l;
    int etherType = (int) (l >>> 32);
    int end = f.offset + f.capturedLength;
    int wireEnd = f.offset + f.wireLength;
    p.etherType = etherType;
    if (f.linkType == 1 && f.capturedLength >= 14) {
      p.hasMac = true;
      System.arraycopy(b, f.offset, p.dstMac, 0, 6);
      System.arraycopy(b, f.offset + 6, p.srcMac, 0, 6);
      if (etherType <= 1500 && end - off >= 3) p.llcDsap = b[off] & 0xff;
    }
    if (etherType == 0x0806) {
      // RFC 826 for Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4.
      if (end - off < 28 || u16(b, off) != 1 || u16(b, off + 2) != 0x0800) return true;
      if (b[off + 4] != 6 || b[off + 5] != 4) return true;
      p.kind = NetworkPacket.Kind.ARP;
      p.arpOperation = u16(b, off + 6);
      System.arraycopy(b, off + 8, p.arpSenderMac, 0, 6);
      System.arraycopy(b, off + 14, p.arpSenderIp, 0, 4);
      System.arraycopy(b, off + 24, p.arpTargetIp, 0, 4);
      return true;
    }
    int next;
    int ipPayloadEnd;
    int t;
    if (etherType == 0x0800) {
      if (end - off < 20 || (b[off] & 0xf0) != 0x40) return true;
      int ihl = (b[off] & 0x0f) * 4;
      if (ihl < 20 || end - off < ihl) return true;
      int total = u16(b, off + 2);
      ipPayloadEnd = total >= ihl ? off + total : wireEnd;
      p.ipVersion = 4;
      p.ttl = b[off + 8] & 0xff;
      next = b[off + 9] & 0xff;
      p.laterFragment = (u16(b, off + 6) & 0x1fff) != 0;
      System.arraycopy(b, off + 12, p.src, 0, 4);
      System.arraycopy(b, off + 16, p.dst, 0, 4);
      t = off + ihl;
    } else if (etherType == 0x86dd) {
      if (end - off < 40 || (b[off] & 0xf0) != 0x60) return true;
      next = b[off + 6] & 0xff;
      int plen = u16(b, off + 4);
      ipPayloadEnd = plen > 0 ? off + 40 + plen : wireEnd;
      p.ipVersion = 6;
      p.ttl = b[off + 7] & 0xff;
      System.arraycopy(b, off + 8, p.src, 0, 16);
      System.arraycopy(b, off + 24, p.dst, 0, 16);
      t = off + 40;
      int guard = 0;
      while ((next == 0 || next == 43 || next == 60 || next == 44) && guard++ < 8) {
        if (end - t < 8) break;
        int n = b[t] & 0xff;
        if (next == 44) p.laterFragment = (u16(b, t + 2) & 0xfff8) != 0;
        t += next == 44 ? 8 : (b[t + 1] & 0xff) * 8 + 8;
        next = n;
      }
    } else {
      return true;
    }
    p.kind = NetworkPacket.Kind.IP;
    p.protocol = next;
    if (ipPayloadEnd > wireEnd) ipPayloadEnd = wireEnd;
    if (next == NetworkPacket.UDP && !p.laterFragment && end - t >= 8) {
      p.udpHeader = true;
      p.srcPort = u16(b, t);
      p.dstPort = u16(b, t + 2);
      p.udpLength = u16(b, t + 4);
      int udpEnd = p.udpLength >= 8 ? Math.min(t + p.udpLength, ipPayloadEnd) : ipPayloadEnd;
      t += 8;
      ipPayloadEnd = udpEnd;
    }
    p.payloadOffset = t;
    p.payloadLength = Math.max(0, ipPayloadEnd - t);
    p.payloadCaptured = Math.max(0, Math.min(end, ipPayloadEnd) - t);
    return true;
  }

  /**
   * The link layer: returns {@code etherType << 32 | offset of the network header}, or -1 if the
   * link type is unknown or its header was not captured.
   */
  private static long link(Frame f) {
    byte[] b = f.data;
    int off = f.offset;
    int end = f.offset + f.capturedLength;
    int etherType;
    switch (f.linkType) {
      case 1 -> {
        if (end - off < 14) return -1;
        etherType = u16(b, off + 12);
        off += 14;
        while ((etherType == 0x8100 || etherType == 0x88a8) && end - off >= 4) {
          etherType = u16(b, off + 2);
          off += 4;
        }
      }
      case 113 -> {
        if (end - off < 16) return -1;
        etherType = u16(b, off + 14);
        off += 16;
      }
      case 276 -> {
        if (end - off < 20) return -1;
        etherType = u16(b, off);
        off += 20;
      }
      case 0 -> {
        if (end - off < 4) return -1;
        int family = (b[off] & 0xff) | (b[off + 3] & 0xff); // host byte order: either end
        etherType = family == 2 ? 0x0800 : 0x86dd;
        off += 4;
      }
      case 12, 14, 101, 228, 229 -> {
        if (end - off < 1) return -1;
        etherType = ((b[off] & 0xf0) == 0x60) ? 0x86dd : 0x0800;
      }
      default -> {
        return -1;
      }
    }
    return ((long) etherType << 32) | off;
  }

  private static boolean decodeIp(
      byte[] b, int off, int end, int wireEnd, int etherType, TcpPacket p) {
    int tcpOff;
    int ipPayloadEnd; // on the wire
    if (etherType == 0x0800) {
      if (end - off < 20 || (b[off] & 0xf0) != 0x40) return false;
      int ihl = (b[off] & 0x0f) * 4;
      if (ihl < 20 || end - off < ihl) return false;
      if (b[off + 9] != 6) return false;
      if ((u16(b, off + 6) & 0x1fff) != 0) return false; // non-first fragment: no TCP header
      int total = u16(b, off + 2);
      ipPayloadEnd = total >= ihl ? off + total : wireEnd; // total 0: TSO on capture host
      p.ipVersion = 4;
      System.arraycopy(b, off + 12, p.src, 0, 4);
      System.arraycopy(b, off + 16, p.dst, 0, 4);
      tcpOff = off + ihl;
    } else if (etherType == 0x86dd) {
      if (end - off < 40 || (b[off] & 0xf0) != 0x60) return false;
      int next = b[off + 6] & 0xff;
      int plen = u16(b, off + 4);
      ipPayloadEnd = plen > 0 ? off + 40 + plen : wireEnd;
      p.ipVersion = 6;
      System.arraycopy(b, off + 8, p.src, 0, 16);
      System.arraycopy(b, off + 24, p.dst, 0, 16);
      tcpOff = off + 40;
      // Skip extension headers: hop-by-hop 0, routing 43, destination options 60.
      int guard = 0;
      while ((next == 0 || next == 43 || next == 60) && guard++ < 8) {
        if (end - tcpOff < 8) return false;
        next = b[tcpOff] & 0xff;
        tcpOff += (b[tcpOff + 1] & 0xff) * 8 + 8;
      }
      if (next != 6) return false;
    } else {
      return false;
    }
    if (ipPayloadEnd > wireEnd) ipPayloadEnd = wireEnd;
    if (end - tcpOff < 20) {
      if (end - tcpOff >= 4) {
        // The snaplen cut into the TCP header: enough for ports, nothing for labels.
        p.headerTruncated = true;
      }
      return false;
    }
    p.headerTruncated = false;
    p.srcPort = u16(b, tcpOff);
    p.dstPort = u16(b, tcpOff + 2);
    p.seq = i32(b, tcpOff + 4);
    p.ack = i32(b, tcpOff + 8);
    int hl = ((b[tcpOff + 12] & 0xf0) >> 4) * 4;
    p.flags = b[tcpOff + 13] & 0xff;
    p.window = u16(b, tcpOff + 14);
    if (hl < 20) return false;
    p.mss = -1;
    p.windowScale = -1;
    p.sackPermitted = false;
    p.tsVal = -1;
    p.tsEcr = -1;
    p.optionCount = 0;
    p.sackBlocks = 0;
    int optEnd = Math.min(tcpOff + hl, end);
    int o = tcpOff + 20;
    while (o < optEnd) {
      int kind = b[o] & 0xff;
      if (kind == 0) break;
      if (kind == 1) {
        o++;
        continue;
      }
      if (o + 1 >= optEnd) break;
      int len = b[o + 1] & 0xff;
      if (len < 2 || o + len > optEnd) break;
      boolean shown = true;
      if (kind == 2 && len == 4) p.mss = u16(b, o + 2);
      else if (kind == 3 && len == 3) p.windowScale = b[o + 2] & 0xff;
      else if (kind == 4) p.sackPermitted = true;
      else if (kind == 8 && len == 10) {
        p.tsVal = i32(b, o + 2) & 0xffffffffL;
        p.tsEcr = i32(b, o + 6) & 0xffffffffL;
      } else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
        for (int e = o + 2; e + 8 <= o + len && p.sackBlocks < 4; e += 8) {
          p.sack[2 * p.sackBlocks] = i32(b, e);
          p.sack[2 * p.sackBlocks + 1] = i32(b, e + 4);
          p.sackBlocks++;
        }
      } else shown = false;
      if (shown && p.optionCount < p.optionOrder.length) p.optionOrder[p.optionCount++] = kind;
      o += len;
    }
    int payload = tcpOff + hl;
    p.payloadOffset = payload;
    p.payloadLength = Math.max(0, ipPayloadEnd - payload);
    p.payloadCaptured = Math.max(0, Math.min(end, ipPayloadEnd) - payload);
    if (p.payloadCaptured > p.payloadLength) p.payloadCaptured = p.payloadLength;
    return true;
  }

  static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }

  static int i32(byte[] b, int o) {
    return ((b[o] & 0xff) << 24)
        | ((b[o + 1] & 0xff) << 16)
        | ((b[o + 2] & 0xff) << 8)
        | (b[o + 3] & 0xff);
  }
}
