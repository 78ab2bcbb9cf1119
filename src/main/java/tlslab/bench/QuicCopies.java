package tlslab.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tlslab.common.LabException;
import tlslab.quic.PacketKeys;
import tlslab.quic.PacketProtection;
import tlslab.quic.PacketType;
import tlslab.quic.QuicHeader;
import tlslab.quic.QuicVersion;
import tlslab.wire.WireResult;

/**
 * Copies of one captured QUIC session for the benchmark, each a connection of its own: a new client
 * port and new connection IDs of the same lengths, and the Initial packets protected again with the
 * Initial keys of the new Destination Connection ID (RFC 9001 section 5.2). Copies that kept the
 * sample's connection IDs would all be one connection to a dissector that follows connection IDs
 * (as tshark and this lab do): no Initial keys would be derived and no Client Hello read after the
 * first copy, which would flatter the QUIC figure.
 *
 * <p>Handshake and 1-RTT packets keep their ciphertext; their headers (which their AEAD
 * authenticates) get the new connection IDs, so they no longer open even with the sample's key log.
 * The benchmark runs without a key log, where neither tool can open them anyway.
 */
final class QuicCopies {
  private final List<byte[]> frames;
  private final int clientPort;
  private final QuicVersion version;
  private final byte[] initialDcid;
  private final PacketKeys clientInitial;
  private final PacketKeys serverInitial;

  /** The sample's connection IDs (hex) in order of appearance, longest first when matching. */
  private final Map<String, byte[]> cids = new LinkedHashMap<>();

  private final Random rnd = new Random(9001);

  /** {@code udpFrames}: Ethernet frames of a capture; copies start at its first QUIC Initial. */
  QuicCopies(List<byte[]> udpFrames) {
    int start = 0;
    QuicHeader h = null;
    for (; start < udpFrames.size(); start++) {
      byte[] f = udpFrames.get(start);
      h = parse(f, AnnotateBench.udpOffset(f, 0) + 8, f.length, 0);
      if (h != null && h.type() == PacketType.INITIAL && h.quicVersion().known()) break;
    }
    if (start == udpFrames.size()) {
      throw LabException.badInput("the QUIC sample has no client Initial packet (QUIC v1 or v2)");
    }
    this.frames = List.copyOf(udpFrames.subList(start, udpFrames.size()));
    byte[] first = frames.get(0);
    int firstUdp = AnnotateBench.udpOffset(first, 0);
    clientPort = port(first, firstUdp);
    version = h.quicVersion();
    initialDcid = h.dcid();
    clientInitial = PacketKeys.initial(initialDcid, version, true);
    serverInitial = PacketKeys.initial(initialDcid, version, false);
    for (byte[] f : frames) {
      int u = AnnotateBench.udpOffset(f, 0);
      int p = u + 8;
      while (p < f.length && (f[p] & 0x80) != 0) {
        QuicHeader lh = parse(f, p, f.length, 0);
        if (lh == null) break;
        for (byte[] cid : List.of(lh.dcid(), lh.scid())) {
          if (cid.length > 0) cids.putIfAbsent(HexFormat.of().formatHex(cid), cid);
        }
        p = lh.end();
      }
    }
  }

  /** The sample's frames as one new connection from {@code port}. */
  List<byte[]> copy(int port) {
    Map<String, byte[]> fresh = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : cids.entrySet()) {
      byte[] n = new byte[e.getValue().length];
      rnd.nextBytes(n);
      fresh.put(e.getKey(), n);
    }
    byte[] newDcid = fresh.get(HexFormat.of().formatHex(initialDcid));
    PacketKeys newClient = PacketKeys.initial(newDcid, version, true);
    PacketKeys newServer = PacketKeys.initial(newDcid, version, false);
    List<byte[]> out = new ArrayList<>(frames.size());
    for (byte[] f : frames) {
      byte[] c = f.clone();
      int u = AnnotateBench.udpOffset(c, 0);
      for (int at : new int[] {u, u + 2}) {
        if (port(c, at) == clientPort) {
          c[at] = (byte) (port >> 8);
          c[at + 1] = (byte) port;
        }
      }
      c[u + 6] = 0; // UDP checksum: none (valid for IPv4; tshark does not check it by default)
      c[u + 7] = 0;
      int p = u + 8;
      while (p < f.length) {
        if ((f[p] & 0x80) == 0) {
          replaceShortDcid(c, p, fresh);
          break;
        }
        QuicHeader h = parse(f, p, f.length, 0);
        if (h == null) break;
        int dAt = p + 6;
        int sAt = dAt + h.dcid().length + 1;
        replace(c, dAt, h.dcid(), fresh);
        replace(c, sAt, h.scid(), fresh);
        if (h.type() == PacketType.INITIAL) reprotect(f, c, h, newClient, newServer);
        p = h.end();
      }
      out.add(c);
    }
    return out;
  }

  /** Opens an Initial of the sample with its keys and seals it with the copy's, in place. */
  private void reprotect(
      byte[] f, byte[] c, QuicHeader h, PacketKeys newClient, PacketKeys newServer) {
    PacketProtection.Opened o = PacketProtection.open(clientInitial, f, h, -1);
    PacketKeys seal = newClient;
    if (o == null) {
      o = PacketProtection.open(serverInitial, f, h, -1);
      seal = newServer;
    }
    if (o == null) return; // not openable in the sample either: copied as it is
    int pnEnd = h.pnOffset() + o.packetNumberLength();
    byte[] header = Arrays.copyOfRange(c, h.start(), pnEnd);
    header[0] = (byte) o.firstByte();
    long pn = o.packetNumber();
    for (int i = 0; i < o.packetNumberLength(); i++) {
      header[header.length - 1 - i] = (byte) (pn >>> (8 * i));
    }
    byte[] sealed = PacketProtection.protect(seal, header, o.packetNumberLength(), pn, o.payload());
    if (sealed.length != h.end() - h.start()) {
      throw new AssertionError("a re-protected Initial keeps its length");
    }
    System.arraycopy(sealed, 0, c, h.start(), sealed.length);
  }

  private static void replace(byte[] c, int at, byte[] old, Map<String, byte[]> fresh) {
    if (old.length == 0) return;
    byte[] n = fresh.get(HexFormat.of().formatHex(old));
    if (n != null) System.arraycopy(n, 0, c, at, n.length);
  }

  private void replaceShortDcid(byte[] c, int p, Map<String, byte[]> fresh) {
    for (Map.Entry<String, byte[]> e : cids.entrySet()) {
      byte[] old = e.getValue();
      if (p + 1 + old.length <= c.length
          && Arrays.equals(c, p + 1, p + 1 + old.length, old, 0, old.length)) {
        System.arraycopy(fresh.get(e.getKey()), 0, c, p + 1, old.length);
        return;
      }
    }
  }

  private static QuicHeader parse(byte[] b, int off, int end, int shortDcid) {
    WireResult<QuicHeader> r = QuicHeader.parse(b, off, end, shortDcid);
    return r.valueOrNull();
  }

  private static int port(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }
}
