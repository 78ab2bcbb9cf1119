package tlslab.annotate;

import java.util.HashMap;
import java.util.Map;
import tlslab.pcap.Frame;
import tlslab.pcap.NetworkPacket;
import tlslab.pcap.PacketDecoder;
import tlslab.pcap.TcpPacket;

/**
 * Rows for every frame that is not TCP, so that each one shows what it is: ARP, UDP with its ports
 * and length, DNS (and its multicast cousins mDNS and LLMNR) with tshark's Info, ICMP, and QUIC
 * (handed to {@link QuicRows}). Protocol names follow tshark 4.0; where the Info column is not
 * tshark's (the UDP protocols below that are only named) that is said in the README.
 */
final class OtherRows {
  private final NetworkPacket net = new NetworkPacket();
  private final QuicRows quic;
  private final StringBuilder sb = new StringBuilder(96);

  /** ICMP echo requests by (id, seq), for the reply's "(request in N)". */
  private final Map<Long, Long> echoRequests = new HashMap<>();

  OtherRows(QuicRows quic) {
    this.quic = quic;
  }

  /** Fills {@code row} for a frame the TCP path did not take; false if the link is unreadable. */
  boolean label(Frame f, Row row) {
    if (!PacketDecoder.decodeNetwork(f, net)) return false;
    switch (net.kind) {
      case ARP -> arp(row);
      case IP -> ip(f, row);
      case OTHER -> other(row);
    }
    return true;
  }

  private void arp(Row row) {
    row.protocol = "ARP";
    row.source = mac(net.srcMac);
    row.destination = net.hasMac ? mac(net.dstMac) : "";
    String sender = TcpPacket.address(net.arpSenderIp, 4);
    String target = TcpPacket.address(net.arpTargetIp, 4);
    if (net.arpOperation == 1) {
      row.info =
          sender.equals(target)
              ? "ARP Announcement for " + sender
              : "Who has " + target + "? Tell " + sender;
    } else if (net.arpOperation == 2) {
      row.info = sender + " is at " + macPlain(net.arpSenderMac);
    } else {
      row.info = "ARP operation " + net.arpOperation;
    }
  }

  private void other(Row row) {
    if (net.hasMac) {
      row.source = mac(net.srcMac);
      row.destination = mac(net.dstMac);
    }
    if (net.llcDsap == 0x42) {
      row.protocol = "STP"; // IEEE 802.1D spanning tree over LLC
      row.info = "Spanning Tree BPDU";
    } else {
      row.protocol = net.etherType >= 0 ? String.format("0x%04x", net.etherType) : "Other";
      row.info = "Ethernet II";
    }
  }

  private void ip(Frame f, Row row) {
    int v = net.ipVersion;
    row.source = address(net.src, v);
    row.destination = address(net.dst, v);
    if (net.laterFragment) {
      row.protocol = v == 4 ? "IPv4" : "IPv6";
      row.info = "Fragmented IP protocol (proto=" + net.protocol + ")";
      return;
    }
    switch (net.protocol) {
      case NetworkPacket.UDP -> udp(f, row);
      case NetworkPacket.TCP -> {
        row.protocol = "TCP";
        row.info = "[Packet size limited during capture]";
      }
      case NetworkPacket.ICMP -> icmp(f, row);
      case NetworkPacket.ICMPV6 -> icmpv6(f, row);
      case NetworkPacket.IGMP -> {
        row.protocol = "IGMP";
        row.info = "IGMP";
      }
      default -> {
        row.protocol = v == 4 ? "IPv4" : "IPv6";
        row.info = "IP protocol " + net.protocol;
      }
    }
  }

  /** Formatted addresses, cached: formatting an IPv6 address per frame is slow. */
  private final Map<String, String> names = new HashMap<>();

  private String address(byte[] a, int v) {
    String k = new String(a, 0, v == 4 ? 4 : 16, java.nio.charset.StandardCharsets.ISO_8859_1);
    String n = names.get(k);
    if (n == null) {
      n = TcpPacket.address(a, v);
      if (names.size() < 100_000) names.put(k, n);
    }
    return n;
  }

  private void udp(Frame f, Row row) {
    if (!net.udpHeader) {
      row.protocol = "UDP";
      row.info = "[Packet size limited during capture]";
      return;
    }
    row.sourcePort = net.srcPort;
    row.destinationPort = net.dstPort;
    byte[] b = f.data;
    int off = net.payloadOffset;
    int cap = net.payloadCaptured;
    if (quic.label(net, b, off, cap, net.payloadLength, f, row)) return;
    String name = udpProtocol(net.srcPort, net.dstPort);
    if (name != null) {
      row.protocol = name;
      String dns =
          name.equals("DNS") || name.equals("MDNS") || name.equals("LLMNR")
              ? DnsInfo.of(b, off, cap, name.equals("MDNS"))
              : null;
      row.info = dns != null ? dns : udpInfo();
      return;
    }
    row.protocol = "UDP";
    row.info = udpInfo();
  }

  private String udpInfo() {
    sb.setLength(0);
    sb.append(net.srcPort)
        .append(" \u2192 ")
        .append(net.dstPort)
        .append(" Len=")
        .append(Math.max(0, net.udpLength - 8));
    return sb.toString();
  }

  /** tshark's port-registered UDP protocols (the lower port is tried first, as UDP does). */
  private static String udpProtocol(int a, int b) {
    String n = byPort(Math.min(a, b));
    return n != null ? n : byPort(Math.max(a, b));
  }

  private static String byPort(int p) {
    return switch (p) {
      case 53 -> "DNS";
      case 5353 -> "MDNS";
      case 5355 -> "LLMNR";
      case 137 -> "NBNS";
      case 138 -> "BROWSER";
      case 67, 68 -> "DHCP";
      case 123 -> "NTP";
      case 1900 -> "SSDP";
      default -> null;
    };
  }

  private void icmp(Frame f, Row row) {
    row.protocol = "ICMP";
    byte[] b = f.data;
    int o = net.payloadOffset;
    if (net.payloadCaptured < 8) {
      row.info = "ICMP";
      return;
    }
    int type = b[o] & 0xff;
    int code = b[o + 1] & 0xff;
    int id = u16(b, o + 4);
    int seq = u16(b, o + 6);
    switch (type) {
      case 8, 0 -> {
        sb.setLength(0);
        sb.append(type == 8 ? "Echo (ping) request  " : "Echo (ping) reply    ");
        sb.append(String.format("id=0x%04x, seq=%d/%d, ttl=%d", id, seq, swap(seq), net.ttl));
        long key = ((long) id << 16) | seq;
        if (type == 8) {
          if (echoRequests.size() < 10_000) echoRequests.put(key, f.number);
        } else {
          Long req = echoRequests.get(key);
          if (req != null) sb.append(" (request in ").append(req).append(')');
        }
        row.info = sb.toString();
      }
      case 3 ->
          row.info =
              "Destination unreachable ("
                  + switch (code) {
                    case 0 -> "Network unreachable";
                    case 1 -> "Host unreachable";
                    case 2 -> "Protocol unreachable";
                    case 3 -> "Port unreachable";
                    case 4 -> "Fragmentation needed";
                    default -> "code " + code;
                  }
                  + ")";
      case 11 ->
          row.info =
              "Time-to-live exceeded ("
                  + (code == 0 ? "Time to live exceeded in transit" : "code " + code)
                  + ")";
      default -> row.info = "ICMP type " + type + ", code " + code;
    }
  }

  private void icmpv6(Frame f, Row row) {
    row.protocol = "ICMPv6";
    int type = net.payloadCaptured >= 1 ? f.data[net.payloadOffset] & 0xff : -1;
    row.info =
        switch (type) {
          case 128 -> "Echo (ping) request";
          case 129 -> "Echo (ping) reply";
          case 133 -> "Router Solicitation";
          case 134 -> "Router Advertisement";
          case 135 -> "Neighbor Solicitation";
          case 136 -> "Neighbor Advertisement";
          case 143 -> "Multicast Listener Report Message v2";
          default -> "ICMPv6 type " + type;
        };
  }

  private static int swap(int s) {
    return ((s & 0xff) << 8) | (s >> 8);
  }

  private static String mac(byte[] m) {
    boolean broadcast = true;
    for (byte x : m) broadcast &= x == (byte) 0xff;
    return broadcast ? "Broadcast" : macPlain(m);
  }

  private static String macPlain(byte[] m) {
    return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  }

  private static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }
}
