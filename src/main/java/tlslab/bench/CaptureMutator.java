package tlslab.bench;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of a capture file, each named, all driven by one {@link Random} so that
 * a seed number reproduces the same mutant. Most mutations aim at a field the {@link CaptureLayout}
 * found (a length that lies, a header cut in the middle); the rest are bit flips, random bytes and
 * whole packets dropped, duplicated or reordered.
 */
final class CaptureMutator {
  /** The mutations, by name (the fuzz report counts outcomes per operator). */
  enum Op {
    /** The file cut at a random offset. */
    TRUNCATE,
    /** The file cut inside one header: pcap record, link, IP, TCP, UDP, TLS record, handshake. */
    TRUNCATE_IN_LAYER,
    /** One length field (any layer) rewritten: 0, 1, off by one, doubled, huge, negative. */
    LYING_LENGTH,
    /** A pcap caplen or pcapng block length made huge or zero. */
    HUGE_OR_ZERO_SIZE,
    /** The link type of the file or of an interface changed (also to unknown values). */
    WRONG_LINK_TYPE,
    /** One to eight bits flipped anywhere. */
    BIT_FLIP,
    /** A run of random bytes over a header or structure. */
    RANDOM_BYTES,
    /** One packet record or block removed (data lost on the way). */
    DROP_PACKET,
    /** One packet record or block repeated right after itself or later. */
    DUPLICATE_PACKET,
    /** Two packet records or blocks swapped. */
    REORDER_PACKETS,
    /** A second capture appended (pcapng: a second section; pcap: junk after the last record). */
    SPLICE,
    /** Several of the above at once. */
    STACKED
  }

  /** One mutated file and how it was made. */
  record Mutant(String seed, Op op, String detail, byte[] bytes) {}

  private final Random rnd;

  CaptureMutator(Random rnd) {
    this.rnd = rnd;
  }

  Mutant mutate(String seedName, byte[] seed, byte[] other) {
    Op[] ops = Op.values();
    Op op = ops[rnd.nextInt(ops.length)];
    StringBuilder detail = new StringBuilder();
    byte[] m = apply(op, seed, other, detail);
    return new Mutant(seedName, op, detail.toString(), m);
  }

  private byte[] apply(Op op, byte[] seed, byte[] other, StringBuilder detail) {
    CaptureLayout l = CaptureLayout.of(seed);
    switch (op) {
      case TRUNCATE -> {
        int at = rnd.nextInt(seed.length + 1);
        detail.append("cut at ").append(at);
        return Arrays.copyOf(seed, at);
      }
      case TRUNCATE_IN_LAYER -> {
        if (l.regions.isEmpty()) return apply(Op.TRUNCATE, seed, other, detail);
        CaptureLayout.Region r = l.regions.get(rnd.nextInt(l.regions.size()));
        int at = r.start() + rnd.nextInt(Math.max(1, r.end() - r.start()));
        detail.append("cut at ").append(at).append(" inside ").append(r.layer());
        return Arrays.copyOf(seed, at);
      }
      case LYING_LENGTH -> {
        if (l.fields.isEmpty()) return apply(Op.BIT_FLIP, seed, other, detail);
        byte[] m = seed.clone();
        CaptureLayout.Field f = l.fields.get(rnd.nextInt(l.fields.size()));
        lie(m, f, detail);
        return m;
      }
      case HUGE_OR_ZERO_SIZE -> {
        byte[] m = seed.clone();
        List<CaptureLayout.Field> sizes =
            l.fields.stream()
                .filter(f -> f.width() == 4 && f.kind() == CaptureLayout.Kind.INT)
                .toList();
        if (sizes.isEmpty()) return apply(Op.BIT_FLIP, seed, other, detail);
        CaptureLayout.Field f = sizes.get(rnd.nextInt(sizes.size()));
        long v =
            new long[] {0, 0xffffffffL, 0x7fffffffL, 0x80000000L, 1 << 24, 262144 + 1025}
                [rnd.nextInt(6)];
        write(m, f, v);
        detail.append(f.layer()).append(" at ").append(f.offset()).append(" = ").append(v);
        return m;
      }
      case WRONG_LINK_TYPE -> {
        if (l.linkTypes.isEmpty()) return apply(Op.BIT_FLIP, seed, other, detail);
        byte[] m = seed.clone();
        CaptureLayout.Field f = l.linkTypes.get(rnd.nextInt(l.linkTypes.size()));
        int[] types = {0, 1, 12, 14, 101, 113, 228, 229, 276, 105, 127, 147, 0xffff};
        int v = rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : types[rnd.nextInt(types.length)];
        write(m, f, v);
        detail.append("link type at ").append(f.offset()).append(" = ").append(v);
        return m;
      }
      case BIT_FLIP -> {
        byte[] m = seed.clone();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n && m.length > 0; i++) {
          int at = rnd.nextInt(m.length);
          m[at] ^= (byte) (1 << rnd.nextInt(8));
          detail.append(i > 0 ? "," : "bits at ").append(at);
        }
        return m;
      }
      case RANDOM_BYTES -> {
        byte[] m = seed.clone();
        int a;
        int len;
        if (!l.regions.isEmpty() && rnd.nextBoolean()) {
          CaptureLayout.Region r = l.regions.get(rnd.nextInt(l.regions.size()));
          a = r.start();
          len = Math.max(1, r.end() - r.start());
        } else {
          a = m.length == 0 ? 0 : rnd.nextInt(m.length);
          len = 1 + rnd.nextInt(64);
        }
        len = Math.min(len, m.length - a);
        for (int k = 0; k < len; k++) m[a + k] = (byte) rnd.nextInt(256);
        detail.append(len).append(" random bytes at ").append(a);
        return m;
      }
      case DROP_PACKET, DUPLICATE_PACKET, REORDER_PACKETS -> {
        if (l.packets.size() < 2) return apply(Op.BIT_FLIP, seed, other, detail);
        return packets(op, seed, l, detail);
      }
      case SPLICE -> {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(seed);
        CaptureLayout ol = CaptureLayout.of(other);
        // A pcapng section may follow another; a pcap file has one header only, so the second
        // file's header lands where a record header is expected.
        o.write(other, 0, ol.pcapng == l.pcapng ? other.length : Math.min(other.length, 4096));
        detail.append("appended ").append(other.length).append(" bytes");
        return o.toByteArray();
      }
      case STACKED -> {
        byte[] m = seed;
        int n = 2 + rnd.nextInt(3);
        Op[] simple = {
          Op.LYING_LENGTH,
          Op.BIT_FLIP,
          Op.RANDOM_BYTES,
          Op.DROP_PACKET,
          Op.DUPLICATE_PACKET,
          Op.REORDER_PACKETS,
          Op.TRUNCATE_IN_LAYER
        };
        for (int i = 0; i < n; i++) {
          Op o = simple[rnd.nextInt(simple.length)];
          detail.append(i > 0 ? "; " : "").append(o).append(": ");
          m = apply(o, m, other, detail);
        }
        return m;
      }
    }
    throw new AssertionError(op);
  }

  /**
   * Every lie for every field and a cut inside every header, for the fields and headers that lie
   * within the first {@code limit} bytes of {@code seed}: a deterministic sweep (no randomness)
   * that a reintroduced bug in any length check cannot slip through. Lies: 0, the field's largest
   * value, its sign bit, one more than the truth.
   */
  static List<Mutant> sweep(String name, byte[] seed, int limit) {
    CaptureLayout l = CaptureLayout.of(seed);
    List<Mutant> out = new java.util.ArrayList<>();
    for (CaptureLayout.Field f : l.fields) {
      if (f.offset() >= limit) continue;
      long old = read(seed, f);
      long max =
          switch (f.kind()) {
            case LOW_NIBBLE, HIGH_NIBBLE -> 15;
            case VARINT -> (1L << (8 * f.width() - 2)) - 1;
            case INT -> f.width() >= 4 ? 0xffffffffL : (1L << (8 * f.width())) - 1;
          };
      for (long v : new long[] {0, max, max / 2, max / 2 + 1, Math.min(max, old + 1)}) {
        if (v == old) continue;
        byte[] m = seed.clone();
        write(m, f, v);
        out.add(
            new Mutant(
                name,
                Op.LYING_LENGTH,
                f.layer() + " at " + f.offset() + ": " + old + " -> " + v,
                m));
      }
    }
    for (CaptureLayout.Region r : l.regions) {
      if (r.start() >= limit) continue;
      int mid = r.start() + (r.end() - r.start()) / 2;
      for (int at : new int[] {r.start() + 1, mid}) {
        if (at >= r.end()) continue;
        out.add(
            new Mutant(
                name,
                Op.TRUNCATE_IN_LAYER,
                "cut at " + at + " inside " + r.layer(),
                Arrays.copyOf(seed, at)));
      }
    }
    return out;
  }

  private byte[] packets(Op op, byte[] seed, CaptureLayout l, StringBuilder detail) {
    List<CaptureLayout.Packet> ps = l.packets;
    int i = rnd.nextInt(ps.size());
    CaptureLayout.Packet p = ps.get(i);
    ByteArrayOutputStream o = new ByteArrayOutputStream(seed.length + (p.end() - p.start()));
    switch (op) {
      case DROP_PACKET -> {
        o.write(seed, 0, p.start());
        o.write(seed, p.end(), seed.length - p.end());
        detail.append("dropped packet ").append(i + 1);
      }
      case DUPLICATE_PACKET -> {
        int j = i + rnd.nextInt(Math.min(8, ps.size() - i));
        CaptureLayout.Packet q = ps.get(j);
        o.write(seed, 0, q.end());
        o.write(seed, p.start(), p.end() - p.start());
        o.write(seed, q.end(), seed.length - q.end());
        detail.append("packet ").append(i + 1).append(" again after ").append(j + 1);
      }
      default -> {
        int j = rnd.nextInt(ps.size());
        if (j == i) j = (i + 1) % ps.size();
        CaptureLayout.Packet a = ps.get(Math.min(i, j));
        CaptureLayout.Packet b = ps.get(Math.max(i, j));
        o.write(seed, 0, a.start());
        o.write(seed, b.start(), b.end() - b.start());
        o.write(seed, a.end(), b.start() - a.end());
        o.write(seed, a.start(), a.end() - a.start());
        o.write(seed, b.end(), seed.length - b.end());
        detail.append("swapped packets ").append(Math.min(i, j) + 1).append(" and ");
        detail.append(Math.max(i, j) + 1);
      }
    }
    return o.toByteArray();
  }

  /** Rewrites {@code f} in {@code m} with a value that lies: zero, one, off by one, huge. */
  private void lie(byte[] m, CaptureLayout.Field f, StringBuilder detail) {
    long old = read(m, f);
    long max =
        switch (f.kind()) {
          case LOW_NIBBLE, HIGH_NIBBLE -> 15;
          case VARINT -> (1L << (8 * f.width() - 2)) - 1;
          case INT -> f.width() >= 4 ? 0xffffffffL : (1L << (8 * f.width())) - 1;
        };
    long v =
        switch (rnd.nextInt(9)) {
          case 0 -> 0;
          case 1 -> 1;
          case 2 -> old - 1;
          case 3 -> old + 1;
          case 4 -> old * 2;
          case 5 -> max;
          case 6 -> max / 2 + 1; // the sign bit of a 32-bit field
          case 7 -> old + 1 + rnd.nextInt(64);
          default -> (rnd.nextLong() & Long.MAX_VALUE) % (max + 1);
        };
    v = Math.max(0, Math.min(max, v));
    write(m, f, v);
    detail.append(f.layer()).append(" at ").append(f.offset()).append(": ");
    detail.append(old).append(" -> ").append(v);
  }

  static long read(byte[] m, CaptureLayout.Field f) {
    int o = f.offset();
    switch (f.kind()) {
      case LOW_NIBBLE -> {
        return m[o] & 0x0f;
      }
      case HIGH_NIBBLE -> {
        return (m[o] & 0xf0) >> 4;
      }
      case VARINT -> {
        long v = m[o] & 0x3f;
        for (int i = 1; i < f.width(); i++) v = (v << 8) | (m[o + i] & 0xff);
        return v;
      }
      default -> {
        long v = 0;
        for (int i = 0; i < f.width(); i++) {
          int b = m[o + (f.bigEndian() ? i : f.width() - 1 - i)] & 0xff;
          v = (v << 8) | b;
        }
        return v;
      }
    }
  }

  static void write(byte[] m, CaptureLayout.Field f, long v) {
    int o = f.offset();
    switch (f.kind()) {
      case LOW_NIBBLE -> m[o] = (byte) ((m[o] & 0xf0) | (v & 0x0f));
      case HIGH_NIBBLE -> m[o] = (byte) ((m[o] & 0x0f) | ((v & 0x0f) << 4));
      case VARINT -> {
        int w = f.width();
        for (int i = w - 1; i >= 0; i--) {
          m[o + i] = (byte) v;
          v >>= 8;
        }
        int prefix = Integer.numberOfTrailingZeros(w) << 6; // 1, 2, 4, 8 bytes: 00, 01, 10, 11
        m[o] = (byte) ((m[o] & 0x3f) | prefix);
      }
      default -> {
        for (int i = 0; i < f.width(); i++) {
          int shift = 8 * (f.bigEndian() ? f.width() - 1 - i : i);
          m[o + i] = (byte) (v >> shift);
        }
      }
    }
  }
}
