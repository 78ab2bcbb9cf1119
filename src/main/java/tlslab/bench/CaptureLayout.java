package tlslab.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the length fields and headers of a capture file sit, layer by layer, so that a mutation can
 * lie about one of them on purpose: the pcap record's captured and original lengths, pcapng block
 * lengths (leading and trailing) and option lengths, link types, IPv4 header and total lengths,
 * IPv6 payload length, TCP data offset, UDP length, QUIC long-header varints and connection ID
 * lengths, TLS record lengths, handshake lengths, and the vectors of a Client or Server Hello
 * (session id, cipher suites, compression methods, extensions and each extension).
 *
 * <p>The walk is independent of {@link tlslab.pcap.CaptureReader} on purpose: it is the fuzzer's
 * own idea of the file, used to aim mutations and to know whether a file still ends cleanly.
 */
final class CaptureLayout {
  /** How a field is stored. */
  enum Kind {
    /** An unsigned integer of {@code width} bytes. */
    INT,
    /** The low four bits of one byte (IPv4 IHL). */
    LOW_NIBBLE,
    /** The high four bits of one byte (TCP data offset). */
    HIGH_NIBBLE,
    /** A QUIC variable-length integer of {@code width} bytes (RFC 9000 §16). */
    VARINT
  }

  /** A field a mutation may rewrite. */
  record Field(String layer, int offset, int width, boolean bigEndian, Kind kind) {
    Field(String layer, int offset, int width, boolean bigEndian) {
      this(layer, offset, width, bigEndian, Kind.INT);
    }
  }

  /** A header or structure that a truncation may cut through. */
  record Region(String layer, int start, int end) {}

  /** A packet record or block, whole ([start, end) in the file), for drop/duplicate/reorder. */
  record Packet(int start, int end) {}

  final byte[] file;
  final boolean pcapng;
  final List<Field> fields = new ArrayList<>();
  final List<Region> regions = new ArrayList<>();
  final List<Packet> packets = new ArrayList<>();

  /** Offset of the link type field(s): pcap header, or each pcapng Interface Description Block. */
  final List<Field> linkTypes = new ArrayList<>();

  /** True when the records or blocks chain exactly to the end of the file. */
  boolean cleanEnd;

  private boolean be;

  private CaptureLayout(byte[] file) {
    this.file = file;
    int magic = file.length >= 4 ? be32(0) : 0;
    pcapng = magic == 0x0a0d0d0a;
    if (pcapng) walkPcapng();
    else if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) walkPcap(true);
    else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) walkPcap(false);
  }

  static CaptureLayout of(byte[] file) {
    return new CaptureLayout(file);
  }

  private void walkPcap(boolean bigEndian) {
    be = bigEndian;
    if (file.length < 24) return;
    regions.add(new Region("pcap header", 0, 24));
    Field link = new Field("link type", 20, 4, be);
    linkTypes.add(link);
    int linkType = u32(20) & 0xffff;
    int off = 24;
    while (off + 16 <= file.length) {
      fields.add(new Field("pcap caplen", off + 8, 4, be));
      fields.add(new Field("pcap origlen", off + 12, 4, be));
      regions.add(new Region("pcap record header", off, off + 16));
      int cap = u32(off + 8);
      if (cap < 0 || cap > 262144 + 1024 || off + 16 + cap > file.length) return;
      packet(off + 16, cap, linkType);
      packets.add(new Packet(off, off + 16 + cap));
      off += 16 + cap;
    }
    cleanEnd = off == file.length;
  }

  private void walkPcapng() {
    int off = 0;
    List<Integer> ifLinks = new ArrayList<>();
    while (off + 12 <= file.length) {
      int type;
      if (be32(off) == 0x0a0d0d0a) {
        int bom = be32(off + 8);
        if (bom == 0x1a2b3c4d) be = true;
        else if (bom == 0x4d3c2b1a) be = false;
        else return;
        ifLinks.clear();
      }
      type = u32(off);
      int len = u32(off + 4);
      fields.add(new Field("pcapng block length", off + 4, 4, be));
      regions.add(new Region("pcapng block header", off, off + 12));
      if (len < 12 || (len & 3) != 0 || len > file.length - off) return;
      fields.add(new Field("pcapng trailing block length", off + len - 4, 4, be));
      if (u32(off + len - 4) != len) return; // the lengths disagree: the file is damaged here
      int body = off + 8;
      int end = off + len - 4;
      switch (type) {
        case 0x0a0d0d0a -> {
          if (body + 16 <= end) {
            fields.add(new Field("pcapng section length", body + 8, 4, be));
            options(body + 16, end);
          }
        }
        case 1 -> {
          if (body + 8 <= end) {
            Field f = new Field("link type", body, 2, be);
            linkTypes.add(f);
            ifLinks.add(u16(body));
            options(body + 8, end);
          }
        }
        case 6 -> {
          if (body + 20 <= end) {
            fields.add(new Field("pcapng interface id", body, 4, be));
            fields.add(new Field("pcapng caplen", body + 12, 4, be));
            fields.add(new Field("pcapng origlen", body + 16, 4, be));
            int iface = u32(body);
            int cap = u32(body + 12);
            if (cap >= 0 && cap <= end - body - 20) {
              if (iface < 0 || iface >= ifLinks.size()) return; // no such interface: damaged
              packet(body + 20, cap, ifLinks.get(iface));
              options(body + 20 + ((cap + 3) & ~3), end);
            }
            packets.add(new Packet(off, off + len));
          }
        }
        case 3 -> {
          if (body + 4 <= end) {
            fields.add(new Field("pcapng origlen", body, 4, be));
            if (ifLinks.isEmpty()) return;
            packet(body + 4, end - body - 4, ifLinks.get(0));
            packets.add(new Packet(off, off + len));
          }
        }
        case 10 -> {
          if (body + 8 <= end) {
            fields.add(new Field("pcapng secrets type", body, 4, be));
            fields.add(new Field("pcapng secrets length", body + 4, 4, be));
            regions.add(new Region("pcapng secrets", body + 8, end));
          }
        }
        case 5 -> {
          if (body + 12 <= end) options(body + 12, end);
        }
        default -> {
          // other blocks: only their lengths matter here
        }
      }
      off += len;
    }
    cleanEnd = off == file.length;
  }

  private void options(int o, int end) {
    while (o + 4 <= end) {
      int code = u16(o);
      int olen = u16(o + 2);
      fields.add(new Field("pcapng option length", o + 2, 2, be));
      if (code == 0) return;
      o += 4 + ((olen + 3) & ~3);
    }
  }

  /** The frame's layers: link header, IP, TCP or UDP, then TLS records or a QUIC long header. */
  private void packet(int data, int cap, int linkType) {
    int end = data + cap;
    int net;
    int etherType;
    switch (linkType) {
      case 1 -> {
        if (cap < 14) return;
        etherType = u16be(data + 12);
        net = data + 14;
        while ((etherType == 0x8100 || etherType == 0x88a8) && net + 4 <= end) {
          etherType = u16be(net + 2);
          net += 4;
        }
      }
      case 113 -> {
        if (cap < 16) return;
        etherType = u16be(data + 14);
        net = data + 16;
      }
      case 276 -> {
        if (cap < 20) return;
        etherType = u16be(data);
        net = data + 20;
      }
      case 0 -> {
        if (cap < 4) return;
        net = data + 4;
        etherType = net < end && (file[net] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
      }
      case 12, 14, 101, 228, 229 -> {
        net = data;
        etherType = cap > 0 && (file[net] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
      }
      default -> {
        return;
      }
    }
    regions.add(new Region("link header", data, net));
    int l4;
    int proto;
    int ipEnd;
    if (etherType == 0x0800) {
      if (net + 20 > end || (file[net] & 0xf0) != 0x40) return;
      fields.add(new Field("ipv4 header length", net, 1, true, Kind.LOW_NIBBLE));
      fields.add(new Field("ipv4 total length", net + 2, 2, true));
      int ihl = (file[net] & 0x0f) * 4;
      if (ihl < 20 || net + ihl > end) return;
      regions.add(new Region("ipv4 header", net, net + ihl));
      proto = file[net + 9] & 0xff;
      l4 = net + ihl;
      int total = u16be(net + 2);
      ipEnd = total >= ihl ? Math.min(end, net + total) : end;
    } else if (etherType == 0x86dd) {
      if (net + 40 > end) return;
      fields.add(new Field("ipv6 payload length", net + 4, 2, true));
      regions.add(new Region("ipv6 header", net, net + 40));
      proto = file[net + 6] & 0xff;
      l4 = net + 40;
      int plen = u16be(net + 4);
      ipEnd = plen > 0 ? Math.min(end, l4 + plen) : end;
    } else return;
    if (proto == 6 && l4 + 20 <= end) {
      fields.add(new Field("tcp data offset", l4 + 12, 1, true, Kind.HIGH_NIBBLE));
      int hl = ((file[l4 + 12] & 0xf0) >> 4) * 4;
      if (hl < 20 || l4 + hl > end) return;
      regions.add(new Region("tcp header", l4, l4 + hl));
      tls(l4 + hl, ipEnd);
    } else if (proto == 17 && l4 + 8 <= end) {
      fields.add(new Field("udp length", l4 + 4, 2, true));
      regions.add(new Region("udp header", l4, l4 + 8));
      quic(l4 + 8, ipEnd);
    }
  }

  /** TLS records from the start of a TCP payload (those that start there: the first flights). */
  private void tls(int p, int end) {
    int guard = 0;
    while (p + 5 <= end && guard++ < 64) {
      int ct = file[p] & 0xff;
      if (ct < 20 || ct > 24 || file[p + 1] != 3) return;
      fields.add(new Field("tls record length", p + 3, 2, true));
      regions.add(new Region("tls record header", p, p + 5));
      int len = u16be(p + 3);
      int body = p + 5;
      int recEnd = Math.min(end, body + len);
      if (ct == 22) handshakes(body, recEnd);
      p = body + len;
    }
  }

  private void handshakes(int q, int end) {
    int guard = 0;
    while (q + 4 <= end && guard++ < 64) {
      int type = file[q] & 0xff;
      // Encrypted handshake records (TLS 1.3, Finished) look like nonsense: stop at odd types.
      if (type > 24 && type != 254) return;
      fields.add(new Field("handshake length", q + 1, 3, true));
      regions.add(new Region("handshake header", q, q + 4));
      int len = (file[q + 1] & 0xff) << 16 | u16be(q + 2);
      int mEnd = Math.min(end, q + 4 + len);
      if (type == 1 || type == 2) hello(q + 4, mEnd, type == 1);
      q += 4 + len;
    }
  }

  /** RFC 8446 §4.1.2/§4.1.3: version, random, session id, suites, compression, extensions. */
  private void hello(int p, int end, boolean client) {
    p += 2 + 32;
    if (p + 1 > end) return;
    fields.add(new Field("hello session id length", p, 1, true));
    p += 1 + (file[p] & 0xff);
    if (client) {
      if (p + 2 > end) return;
      fields.add(new Field("hello cipher suites length", p, 2, true));
      p += 2 + u16be(p);
      if (p + 1 > end) return;
      fields.add(new Field("hello compression length", p, 1, true));
      p += 1 + (file[p] & 0xff);
    } else p += 3;
    if (p + 2 > end) return;
    fields.add(new Field("hello extensions length", p, 2, true));
    int extEnd = Math.min(end, p + 2 + u16be(p));
    p += 2;
    regions.add(new Region("hello extensions", p, extEnd));
    while (p + 4 <= extEnd) {
      fields.add(new Field("extension length", p + 2, 2, true));
      int type = u16be(p);
      int len = u16be(p + 2);
      if (type == 0 && p + 6 <= extEnd) fields.add(new Field("sni list length", p + 4, 2, true));
      if (type == 16 && p + 6 <= extEnd) fields.add(new Field("alpn list length", p + 4, 2, true));
      if (type == 51 && p + 6 <= extEnd) fields.add(new Field("key share length", p + 4, 2, true));
      p += 4 + len;
    }
  }

  /** RFC 9000 §17.2: a long header's connection ID lengths, token length and length varints. */
  private void quic(int p, int end) {
    if (p + 7 > end || (file[p] & 0xc0) != 0xc0) return;
    regions.add(new Region("quic long header", p, Math.min(end, p + 20)));
    int q = p + 5;
    fields.add(new Field("quic dcid length", q, 1, true));
    q += 1 + (file[q] & 0xff);
    if (q >= end) return;
    fields.add(new Field("quic scid length", q, 1, true));
    q += 1 + (file[q] & 0xff);
    int type = (file[p] & 0x30) >> 4;
    if (type == 0) { // Initial (v1): Token Length, Token
      if (q >= end) return;
      int w = 1 << ((file[q] & 0xc0) >> 6);
      fields.add(new Field("quic varint", q, w, true, Kind.VARINT));
      q += w + (int) Math.min(Integer.MAX_VALUE / 2, varint(q, w));
    }
    if (type != 3 && q < end) {
      int w = 1 << ((file[q] & 0xc0) >> 6);
      fields.add(new Field("quic varint", q, w, true, Kind.VARINT));
    }
  }

  private long varint(int q, int w) {
    if (q + w > file.length) return Integer.MAX_VALUE;
    long v = file[q] & 0x3f;
    for (int i = 1; i < w; i++) v = (v << 8) | (file[q + i] & 0xff);
    return v;
  }

  private int u32(int o) {
    return be ? be32(o) : le32(o);
  }

  private int u16(int o) {
    return be ? u16be(o) : (file[o] & 0xff) | (file[o + 1] & 0xff) << 8;
  }

  private int be32(int o) {
    return (file[o] & 0xff) << 24
        | (file[o + 1] & 0xff) << 16
        | (file[o + 2] & 0xff) << 8
        | (file[o + 3] & 0xff);
  }

  private int le32(int o) {
    return (file[o] & 0xff)
        | (file[o + 1] & 0xff) << 8
        | (file[o + 2] & 0xff) << 16
        | (file[o + 3] & 0xff) << 24;
  }

  private int u16be(int o) {
    return (file[o] & 0xff) << 8 | (file[o + 1] & 0xff);
  }
}
