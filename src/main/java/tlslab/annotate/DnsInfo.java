package tlslab.annotate;

import tlslab.pcap.TcpPacket;

/**
 * The Info column tshark 4.0 writes for a DNS message (RFC 1035 section 4.1): "Standard query
 * 0x1234 A example.com", "Standard query response 0x1234 A example.com CNAME a.example A
 * 192.0.2.1". Questions are listed by type and name, then every resource record of the answer,
 * authority and additional sections by type, with its data for A, AAAA, CNAME, NS, PTR and SOA. A
 * pure function of the bytes; a message it cannot walk ends the Info where the damage starts.
 */
final class DnsInfo {
  private DnsInfo() {}

  /** Info for the DNS message in {@code b[off .. off+len)}, or null if it has no full header. */
  static String of(byte[] b, int off, int len) {
    return of(b, off, len, false);
  }

  /**
   * As {@link #of(byte[], int, int)}; for mDNS (RFC 6762 section 5.4) each question also says
   * whether it asks for a multicast ("QM") or unicast ("QU") answer, as tshark writes it.
   */
  static String of(byte[] b, int off, int len, boolean mdns) {
    if (len < 12) return null;
    int end = off + len;
    int id = u16(b, off);
    int flags = u16(b, off + 2);
    boolean response = (flags & 0x8000) != 0;
    int opcode = (flags >> 11) & 0xf;
    int rcode = flags & 0xf;
    StringBuilder sb = new StringBuilder(64);
    sb.append(
        switch (opcode) {
          case 0 -> "Standard query";
          case 1 -> "Inverse query";
          case 2 -> "Server status request";
          case 4 -> "Zone change notification";
          case 5 -> "Dynamic update";
          default -> "Unknown operation (" + opcode + ")";
        });
    if (response) sb.append(" response");
    sb.append(String.format(" 0x%04x", id));
    if (response && rcode != 0) sb.append(' ').append(rcodeName(rcode));
    int qd = u16(b, off + 4);
    int rrs = u16(b, off + 6) + u16(b, off + 8) + u16(b, off + 10);
    int p = off + 12;
    StringBuilder name = new StringBuilder(64);
    for (int i = 0; i < qd; i++) {
      name.setLength(0);
      int q = name(b, off, end, p, name);
      if (q < 0 || q + 4 > end) return sb.toString();
      sb.append(' ').append(typeName(u16(b, q))).append(' ').append(name);
      if (mdns) sb.append((b[q + 2] & 0x80) != 0 ? ", \"QU\" question" : ", \"QM\" question");
      p = q + 4;
    }
    for (int i = 0; i < rrs; i++) {
      name.setLength(0);
      int q = name(b, off, end, p, name);
      if (q < 0 || q + 10 > end) return sb.toString();
      int type = u16(b, q);
      int rdlen = u16(b, q + 8);
      int rd = q + 10;
      if (rd + rdlen > end) return sb.toString();
      sb.append(' ').append(typeName(type));
      switch (type) {
        case 1 -> {
          if (rdlen == 4) sb.append(' ').append(TcpPacket.address(copy(b, rd, 4), 4));
        }
        case 28 -> {
          if (rdlen == 16) sb.append(' ').append(TcpPacket.address(copy(b, rd, 16), 6));
        }
        case 2, 5, 6, 12 -> {
          name.setLength(0);
          if (name(b, off, end, rd, name) >= 0) sb.append(' ').append(name);
        }
        default -> {
          // tshark adds no data for the other types in the Info column
        }
      }
      p = rd + rdlen;
    }
    return sb.toString();
  }

  /** Reads a (possibly compressed) name at {@code p}; returns the offset after it, or -1. */
  private static int name(byte[] b, int msg, int end, int p, StringBuilder out) {
    int after = -1;
    int jumps = 0;
    while (true) {
      if (p >= end) return -1;
      int l = b[p] & 0xff;
      if (l == 0) {
        if (out.length() == 0) out.append("<Root>");
        return after >= 0 ? after : p + 1;
      }
      if ((l & 0xc0) == 0xc0) {
        if (p + 1 >= end || ++jumps > 32) return -1;
        if (after < 0) after = p + 2;
        p = msg + (((l & 0x3f) << 8) | (b[p + 1] & 0xff));
        continue;
      }
      if ((l & 0xc0) != 0 || p + 1 + l > end) return -1;
      if (out.length() > 0) out.append('.');
      for (int i = 0; i < l; i++) {
        int c = b[p + 1 + i] & 0xff;
        if (c > 0x20 && c < 0x7f) out.append((char) c);
        else out.append(String.format("\\%03d", c));
      }
      p += 1 + l;
    }
  }

  static String typeName(int t) {
    return switch (t) {
      case 1 -> "A";
      case 2 -> "NS";
      case 5 -> "CNAME";
      case 6 -> "SOA";
      case 12 -> "PTR";
      case 13 -> "HINFO";
      case 15 -> "MX";
      case 16 -> "TXT";
      case 28 -> "AAAA";
      case 33 -> "SRV";
      case 35 -> "NAPTR";
      case 41 -> "OPT";
      case 43 -> "DS";
      case 46 -> "RRSIG";
      case 47 -> "NSEC";
      case 48 -> "DNSKEY";
      case 64 -> "SVCB";
      case 65 -> "HTTPS";
      case 255 -> "ANY";
      case 257 -> "CAA";
      default -> "Unknown (" + t + ")";
    };
  }

  private static String rcodeName(int r) {
    return switch (r) {
      case 1 -> "Format error";
      case 2 -> "Server failure";
      case 3 -> "No such name";
      case 4 -> "Not implemented";
      case 5 -> "Refused";
      default -> "Unknown error (" + r + ")";
    };
  }

  private static byte[] copy(byte[] b, int o, int n) {
    return java.util.Arrays.copyOfRange(b, o, o + n);
  }

  private static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }
}
