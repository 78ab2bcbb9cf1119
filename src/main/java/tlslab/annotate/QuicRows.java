package tlslab.annotate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tlslab.pcap.Frame;
import tlslab.pcap.NetworkPacket;
import tlslab.quic.CryptoStream;
import tlslab.quic.HelloExtensions;
import tlslab.quic.PacketKeys;
import tlslab.quic.PacketProtection;
import tlslab.quic.PacketType;
import tlslab.quic.QuicFrame;
import tlslab.quic.QuicHeader;
import tlslab.quic.QuicVersion;
import tlslab.quic.RetryIntegrity;
import tlslab.wire.HandshakeType;
import tlslab.wire.WireResult;

/**
 * Labels UDP datagrams that carry QUIC the way tshark 4.0 does, on any port: Protocol "QUIC"
 * ("HTTP3" once decrypted HTTP/3 stream data is inside), Info of the last packet in the datagram
 * ("Initial, DCID=…, SCID=…, PKN: 0, CRYPTO, PADDING"; "Protected Payload (KP0), DCID=…").
 *
 * <p>A UDP conversation becomes QUIC as in Wireshark's heuristic: a long header with a version it
 * knows and connection IDs of at most 20 bytes, or a short header whose Destination Connection ID
 * belongs to a known connection. Initial packets are opened with the keys derived from the client's
 * first Destination Connection ID (RFC 9001 section 5.2); the TLS messages in their CRYPTO frames,
 * reassembled in stream order, go through {@link MessageFacts} like those of TLS over TCP. With a
 * key log, Handshake, 0-RTT and 1-RTT packets are opened too.
 */
final class QuicRows {
  private final KeyMaterial keys;
  private final boolean explain;
  private final TlsDissector dissector = new TlsDissector();
  private final TlsDissector.FrameCtx fx = new TlsDissector.FrameCtx();
  private final StringBuilder info = new StringBuilder(128);
  private final List<String> labels = new ArrayList<>();
  private final List<String> types = new ArrayList<>();

  /** UDP conversations already recognised as QUIC, with the connection last seen on them. */
  private final Map<Bytes, QuicConnection> conversations = new HashMap<>();

  private final Map<Bytes, QuicConnection> byInitialDcid = new HashMap<>();
  private final Map<Bytes, QuicConnection> byClientCid = new HashMap<>();
  private final Map<Bytes, QuicConnection> byServerCid = new HashMap<>();
  private final List<QuicConnection> ordered = new ArrayList<>();
  private long quicFrames;

  /** Set by {@link #open} when a packet opened only with the next generation of 1-RTT keys. */
  private boolean keyUpdated;

  /** Tracked connections at most (a hostile file of one-packet connections stays bounded). */
  static final int MAX_CONNECTIONS = 100_000;

  QuicRows(KeyMaterial keys, boolean explain) {
    this.keys = keys == null ? KeyMaterial.none() : keys;
    this.explain = explain;
  }

  long frameCount() {
    return quicFrames;
  }

  List<QuicSummary> summaries() {
    List<QuicSummary> out = new ArrayList<>();
    for (QuicConnection c : ordered) out.add(QuicSummary.of(c, keys.hasKeyLog()));
    return out;
  }

  List<QuicConnectionFacts> facts() {
    List<QuicConnectionFacts> out = new ArrayList<>();
    for (QuicConnection c : ordered) out.add(QuicConnectionFacts.of(c));
    return out;
  }

  /** Labels the datagram if it is QUIC; false leaves the row to plain UDP. */
  boolean label(NetworkPacket net, byte[] b, int off, int cap, int len, Frame f, Row row) {
    Bytes conv = conversationKey(net);
    if (cap < len) {
      // A datagram cut by the snaplen: the AEAD tag is gone, nothing can be opened.
      if (!isQuic(conv, b, off, cap)) return false;
      row.protocol = "QUIC";
      row.info = "[Packet size limited during capture]";
      quicFrames++;
      return true;
    }
    if (!isQuic(conv, b, off, cap)) return false;
    quicFrames++;
    QuicConnection last = conversations.get(conv);
    boolean http3 = false;
    types.clear();
    int p = off;
    int end = off + cap;
    fx.reset(f.number, row, false);
    while (p < end) {
      // Bytes after the last long-header packet (often zeros: padding to 1200 bytes, RFC 9000
      // section 14.1) are dissected by tshark 4.0 as a short-header packet, so here too.
      boolean longHeader = (b[p] & 0x80) != 0;
      QuicConnection c = last;
      int dcidLength = 0;
      if (!longHeader && c != null) dcidLength = shortDcidLength(c, b, p, end, net);
      WireResult<QuicHeader> r = QuicHeader.parse(b, p, end, Math.max(0, dcidLength));
      QuicHeader h = r.valueOrNull();
      if (h == null) {
        if (p == off) {
          row.protocol = "QUIC";
          row.info = "Malformed QUIC packet";
        }
        row.problems.add("QUIC packet at byte " + (p - off) + " of the datagram: " + r);
        break;
      }
      if (longHeader) c = connectionFor(h, net, c);
      if (c != null || !conversations.containsKey(conv)) conversations.put(conv, c);
      last = c;
      http3 |= packet(h, c, net, b, row);
      types.add(h.type().label());
      if (c != null) c.tls.lastFrame = f.number;
      p = h.end();
      if (!longHeader) break;
    }
    row.protocol = http3 ? "HTTP3" : "QUIC";
    row.info = info.toString();
    if (types.size() > 1 && explain) row.notes.add(QuicNotes.coalesced(types));
    return true;
  }

  /** Wireshark's dissect_quic_heur, plus "this conversation is QUIC already". */
  private boolean isQuic(Bytes conv, byte[] b, int off, int cap) {
    if (conversations.containsKey(conv)) return true; // value may be null
    if (cap < 13) return false;
    int first = b[off] & 0xff;
    if ((first & 0x80) == 0) {
      // Short header: only if its DCID is one a known connection chose.
      for (int l = 0; l <= QuicHeader.MAX_CID && 1 + l <= cap; l++) {
        Bytes k = new Bytes(Arrays.copyOfRange(b, off + 1, off + 1 + l));
        if (l > 0 && (byClientCid.containsKey(k) || byServerCid.containsKey(k))) return true;
      }
      return false;
    }
    int version = QuicHeaderBytes.i32(b, off + 1);
    if (!QuicVersion.wiresharkRecognises(version)) return false;
    int dl = b[off + 5] & 0xff;
    if (dl > QuicHeader.MAX_CID || off + 6 + dl >= off + cap) return false;
    int sl = b[off + 6 + dl] & 0xff;
    return sl <= QuicHeader.MAX_CID;
  }

  private QuicConnection connectionFor(QuicHeader h, NetworkPacket net, QuicConnection last) {
    if (h.type() == PacketType.VERSION_NEGOTIATION) {
      QuicConnection c = byClientCid.get(new Bytes(h.dcid()));
      return c != null ? c : last;
    }
    Bytes dcid = new Bytes(h.dcid());
    QuicConnection c = byServerCid.get(dcid);
    if (c == null) c = byClientCid.get(dcid);
    // 0-RTT packets carry the same Destination Connection ID as the client's first Initial.
    boolean first = h.type() == PacketType.INITIAL || h.type() == PacketType.ZERO_RTT;
    if (c == null && first) c = byInitialDcid.get(dcid);
    if (c == null && last != null && h.dcid().length == 0) c = last;
    if (c == null && h.type() == PacketType.INITIAL
        || c == null && h.type() == PacketType.ZERO_RTT) {
      if (ordered.size() >= MAX_CONNECTIONS) return null;
      int al = net.addressLength();
      c =
          new QuicConnection(
              ordered.size() + 1,
              Arrays.copyOf(net.src, al),
              net.srcPort,
              Arrays.copyOf(net.dst, al),
              net.dstPort,
              net.ipVersion,
              h.version());
      c.initialDcid = h.dcid();
      c.clientCidLength = h.scid().length;
      c.clientCid = h.scid();
      byInitialDcid.put(dcid, c);
      byClientCid.put(new Bytes(h.scid()), c);
      ordered.add(c);
      return c;
    }
    if (c == null) return last;
    boolean fromServer = fromServer(c, h, net);
    if (fromServer && h.type() != PacketType.RETRY && c.serverCidLength < 0) {
      c.serverCidLength = h.scid().length;
      c.serverCid = h.scid();
      byServerCid.put(new Bytes(h.scid()), c);
    }
    return c;
  }

  /** Labels one packet; true if it carried HTTP/3 stream data. */
  private boolean packet(QuicHeader h, QuicConnection c, NetworkPacket net, byte[] b, Row row) {
    info.setLength(0);
    boolean fromServer = c != null && fromServer(c, h, net);
    PacketType t = h.type();
    if (t == PacketType.ONE_RTT) {
      keyUpdated = false;
      PacketProtection.Opened o = c == null ? null : open(c, fromServer, h, b, 2);
      // Keys but no AEAD success: tshark still shows the key phase and packet number that the
      // header key reveals.
      PacketKeys hk = o == null && c != null ? c.keys(fromServer)[2] : null;
      PacketProtection.Opened header =
          hk == null ? null : PacketProtection.unmask(hk, b, h, c.largest(fromServer)[2]);
      PacketProtection.Opened shown = o != null ? o : header;
      info.append("Protected Payload (KP").append(shown == null ? 0 : shown.keyPhase()).append(')');
      if (c != null) {
        c.packets[t.ordinal()]++;
        if (o != null) c.opened[t.ordinal()]++;
      }
      if (keyUpdated && explain)
        row.notes.add(QuicNotes.keyUpdate(fromServer, o.keyPhase(), c.version));
      if (h.dcid().length > 0) info.append(", DCID=").append(hex(c, h.dcid()));
      if (o == null && header != null) {
        info.append(", PKN: ").append(header.packetNumber());
        if (explain) row.notes.add(QuicNotes.notDecrypted());
        return false;
      }
      if (o == null) {
        if (c != null && !c.notedProtected && explain) {
          c.notedProtected = true;
          row.notes.add(QuicNotes.protectedShort(keys.hasKeyLog()));
        }
        return false;
      }
      return frames(c, fromServer, h, o, row);
    }
    info.append(t.label());
    if (h.dcid().length > 0) info.append(", DCID=").append(hex(c, h.dcid()));
    if (h.scid().length > 0) info.append(", SCID=").append(hex(c, h.scid()));
    if (t == PacketType.VERSION_NEGOTIATION && explain) {
      row.notes.add(QuicNotes.versionNegotiation(h.versions()));
    }
    if (c == null) return false;
    c.packets[t.ordinal()]++;
    switch (t) {
      case VERSION_NEGOTIATION -> {
        c.versionsOffered = h.versions();
        return false;
      }
      case RETRY -> {
        // The tag covers the Destination Connection ID of the Initial the Retry answers.
        RetryIntegrity.Check check = RetryIntegrity.check(b, h, c.initialDcid);
        c.retries++;
        if (check == RetryIntegrity.Check.VALID) c.goodRetries++;
        if (check == RetryIntegrity.Check.INVALID) {
          c.badRetries++;
          row.problems.add("Retry Integrity Tag does not verify (RFC 9001 section 5.8)");
        }
        if (explain) row.notes.add(QuicNotes.retry(check, h.token().length, c.version));
        if (check != RetryIntegrity.Check.INVALID) {
          // The client starts again with the server's new connection ID: new Initial keys. A
          // Retry whose tag fails is one a client discards (RFC 9000 section 17.2.5.2).
          c.initialDcid = h.scid();
          byInitialDcid.put(new Bytes(h.scid()), c);
          c.clientKeys[0] = null;
          c.serverKeys[0] = null;
        }
        return false;
      }
      default -> {
        int epoch = t.epoch().ordinal();
        PacketProtection.Opened o = open(c, fromServer, h, b, epoch);
        if (o == null) {
          noteUnopened(c, t, row);
          return false;
        }
        c.opened[t.ordinal()]++;
        if (t == PacketType.INITIAL && explain) {
          if (!fromServer && !c.notedInitial) {
            c.notedInitial = true;
            row.notes.add(QuicNotes.initial(c.version));
          } else if (fromServer && !c.notedServerInitial) {
            c.notedServerInitial = true;
            row.notes.add(QuicNotes.serverInitial());
          }
        }
        if (t == PacketType.ZERO_RTT && explain && !c.notedZeroRtt) {
          c.notedZeroRtt = true;
          row.notes.add(QuicNotes.zeroRtt());
        }
        return frames(c, fromServer, h, o, row);
      }
    }
  }

  private void noteUnopened(QuicConnection c, PacketType t, Row row) {
    if (!explain) return;
    if (t == PacketType.INITIAL) {
      row.notes.add(QuicNotes.initialUnopened(c.version));
    } else if (t == PacketType.ZERO_RTT && !c.notedZeroRtt) {
      c.notedZeroRtt = true;
      row.notes.add(QuicNotes.zeroRtt());
    } else if (t == PacketType.HANDSHAKE && !c.notedHandshakeNoKeys) {
      c.notedHandshakeNoKeys = true;
      row.notes.add(QuicNotes.handshakeNoKeys(keys.hasKeyLog()));
    }
  }

  private PacketProtection.Opened open(
      QuicConnection c, boolean fromServer, QuicHeader h, byte[] b, int epoch) {
    PacketKeys k;
    if (h.type() == PacketType.ZERO_RTT) {
      k = c.clientEarly;
    } else {
      if (epoch == 0 && c.keys(fromServer)[0] == null && c.version.known()) {
        c.clientKeys[0] = PacketKeys.initial(c.initialDcid, c.version, true);
        c.serverKeys[0] = PacketKeys.initial(c.initialDcid, c.version, false);
      }
      k = c.keys(fromServer)[epoch];
    }
    if (k == null) return null;
    long[] largest = c.largest(fromServer);
    PacketProtection.Opened o = PacketProtection.open(k, b, h, largest[epoch]);
    if (o == null && epoch == 2 && h.type() == PacketType.ONE_RTT) {
      // A packet sent before a key update that arrives after it: the previous keys.
      PacketKeys prev = fromServer ? c.serverPrevKeys : c.clientPrevKeys;
      if (prev != null) o = PacketProtection.open(prev, b, h, largest[epoch]);
      if (o == null) {
        // A key update (RFC 9001 section 6): the next generation of keys, same header key.
        PacketKeys next = fromServer ? c.serverNextKeys : c.clientNextKeys;
        if (next == null) next = k.next(c.version);
        o = PacketProtection.open(next, b, h, largest[epoch]);
        if (o != null) {
          c.keys(fromServer)[2] = next;
          c.keyUpdates++;
          keyUpdated = true;
          if (fromServer) {
            c.serverKeyUpdates++;
            c.serverPrevKeys = k;
            c.serverNextKeys = next.next(c.version);
          } else {
            c.clientKeyUpdates++;
            c.clientPrevKeys = k;
            c.clientNextKeys = next.next(c.version);
          }
        }
      }
    }
    if (o != null && o.packetNumber() > largest[epoch]) largest[epoch] = o.packetNumber();
    return o;
  }

  private boolean frames(
      QuicConnection c, boolean fromServer, QuicHeader h, PacketProtection.Opened o, Row row) {
    info.append(", PKN: ").append(o.packetNumber());
    byte[] p = o.payload();
    QuicFrame.Frames fs = QuicFrame.parse(p);
    boolean http3 = false;
    int epoch = h.type().epoch().ordinal();
    for (QuicFrame fr : fs.frames()) {
      info.append(", ").append(fr.label());
      if (fr.type() == QuicFrame.CRYPTO) {
        CryptoStream cs = c.crypto(fromServer, epoch);
        for (CryptoStream.Message m : cs.add(fr.offset(), p, fr.dataOffset(), fr.dataLength())) {
          message(c, fromServer, h.type(), m, row);
        }
        if (cs.overflowed()) row.problems.add("CRYPTO stream beyond 1 MiB: the rest is dropped");
      } else if (fr.isStream() && c.h3()) {
        labels.clear();
        http3 |=
            c.http3.feed(
                fromServer,
                fr.streamId(),
                fr.offset(),
                p,
                fr.dataOffset(),
                fr.dataLength(),
                labels);
        for (String l : labels) info.append(", ").append(l);
      } else if (fr.type() == 0x1c || fr.type() == 0x1d) {
        if (explain) row.notes.add(QuicNotes.connectionClose(fr.type(), fr.errorCode()));
      }
    }
    if (fs.problem() != null) row.problems.add("QUIC frames: " + fs.problem());
    return http3;
  }

  /** A complete TLS handshake message from a CRYPTO stream: into the message model. */
  private void message(
      QuicConnection c, boolean fromServer, PacketType t, CryptoStream.Message m, Row row) {
    byte[] bytes = m.bytes();
    HandshakeType ht = HandshakeType.of(m.type());
    Connection.Side side = fromServer ? c.tls.b : c.tls.a;
    c.messages.add(ht.label());
    MessageFacts.record(dissector, c.tls, side, fromServer, ht, false, bytes, 4, bytes.length, fx);
    HelloExtensions ext = null;
    switch (ht) {
      case CLIENT_HELLO -> {
        if (bytes.length >= 38) c.clientRandom = Arrays.copyOfRange(bytes, 6, 38);
        ext = HelloExtensions.ofClientHello(bytes);
        if (ext != null) c.alpnOffered = ext.alpn();
        earlyKeys(c);
      }
      case SERVER_HELLO -> handshakeKeys(c);
      case ENCRYPTED_EXTENSIONS -> {
        ext = HelloExtensions.ofEncryptedExtensions(bytes);
        if (ext != null) c.alpnChosen = ext.alpn();
      }
      default -> {}
    }
    if (explain) row.notes.add(QuicNotes.message(ht, fromServer, t, c, ext));
  }

  private void earlyKeys(QuicConnection c) {
    if (!keys.hasKeyLog() || c.clientRandom == null || !c.version.known()) return;
    byte[] s = keys.secret("CLIENT_EARLY_TRAFFIC_SECRET", c.clientRandom);
    if (s != null) c.clientEarly = PacketKeys.fromSecret(s, PacketKeys.Aead.AES_128_GCM, c.version);
  }

  private void handshakeKeys(QuicConnection c) {
    PacketKeys.Aead aead = PacketKeys.Aead.ofSuite(c.tls.cipherSuite);
    if (aead == null || c.clientRandom == null || !c.version.known()) return;
    byte[] ch = keys.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", c.clientRandom);
    byte[] sh = keys.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", c.clientRandom);
    byte[] ca = keys.secret("CLIENT_TRAFFIC_SECRET_0", c.clientRandom);
    byte[] sa = keys.secret("SERVER_TRAFFIC_SECRET_0", c.clientRandom);
    if (ch != null) c.clientKeys[1] = PacketKeys.fromSecret(ch, aead, c.version);
    if (sh != null) c.serverKeys[1] = PacketKeys.fromSecret(sh, aead, c.version);
    if (ca != null) c.clientKeys[2] = PacketKeys.fromSecret(ca, aead, c.version);
    if (sa != null) c.serverKeys[2] = PacketKeys.fromSecret(sa, aead, c.version);
  }

  /**
   * Who sent a packet: by its Destination Connection ID when it has one (the peer chose it, so it
   * names the receiver; a client that changes address or port keeps its connection IDs), else by
   * the client's address and port.
   */
  private static boolean fromServer(QuicConnection c, QuicHeader h, NetworkPacket net) {
    byte[] d = h.dcid();
    if (d.length > 0) {
      if (Arrays.equals(d, c.serverCid) || Arrays.equals(d, c.initialDcid)) return false;
      if (Arrays.equals(d, c.clientCid)) return true;
    }
    return fromServer(c, net);
  }

  /** The DCID length of a short header: the one of the side whose CID it starts with. */
  private static int shortDcidLength(
      QuicConnection c, byte[] b, int p, int end, NetworkPacket net) {
    int sl = c.serverCid.length;
    int cl = c.clientCid.length;
    if (sl > 0 && p + 1 + sl <= end && Arrays.equals(b, p + 1, p + 1 + sl, c.serverCid, 0, sl)) {
      return sl;
    }
    if (cl > 0 && p + 1 + cl <= end && Arrays.equals(b, p + 1, p + 1 + cl, c.clientCid, 0, cl)) {
      return cl;
    }
    return Math.max(0, fromServer(c, net) ? c.clientCidLength : c.serverCidLength);
  }

  private static boolean fromServer(QuicConnection c, NetworkPacket net) {
    return !(net.srcPort == c.clientPort
        && Arrays.equals(net.src, 0, net.addressLength(), c.clientAddr, 0, c.clientAddr.length));
  }

  /** Direction-independent key of the UDP 5-tuple: raw address and port bytes, not text. */
  private final byte[] keyBytes = new byte[36];

  private Bytes conversationKey(NetworkPacket net) {
    int al = net.addressLength();
    int cmp = Arrays.compare(net.src, 0, al, net.dst, 0, al);
    boolean srcFirst = cmp < 0 || (cmp == 0 && net.srcPort <= net.dstPort);
    put(srcFirst ? net.src : net.dst, srcFirst ? net.srcPort : net.dstPort, al, 0);
    put(srcFirst ? net.dst : net.src, srcFirst ? net.dstPort : net.srcPort, al, al + 2);
    return new Bytes(Arrays.copyOf(keyBytes, 2 * al + 4));
  }

  private void put(byte[] addr, int port, int al, int at) {
    System.arraycopy(addr, 0, keyBytes, at, al);
    keyBytes[at + al] = (byte) (port >> 8);
    keyBytes[at + al + 1] = (byte) port;
  }

  /** A connection ID in hex, from the connection's cache when it is one of its own. */
  private static String hex(QuicConnection c, byte[] cid) {
    if (c != null) {
      if (Arrays.equals(cid, c.serverCid)) {
        if (c.serverCidHex == null) c.serverCidHex = HexFormat.of().formatHex(cid);
        return c.serverCidHex;
      }
      if (Arrays.equals(cid, c.clientCid)) {
        if (c.clientCidHex == null) c.clientCidHex = HexFormat.of().formatHex(cid);
        return c.clientCidHex;
      }
    }
    return HexFormat.of().formatHex(cid);
  }

  /**
   * Bytes as a map key (a connection ID, a UDP 5-tuple). FNV-1a spreads keys that differ in one or
   * two bytes (ports) over the table, where {@code String.hashCode}'s factor 31 piled them up.
   */
  private static final class Bytes {
    private final byte[] b;
    private final int hash;

    Bytes(byte[] b) {
      this.b = b;
      int h = 0x811c9dc5;
      for (byte x : b) {
        h ^= x & 0xff;
        h *= 0x01000193;
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes other && other.hash == hash && Arrays.equals(other.b, b);
    }
  }

  /** Big-endian read for the heuristic (the header parser has its own). */
  private static final class QuicHeaderBytes {
    static int i32(byte[] b, int o) {
      return ((b[o] & 0xff) << 24)
          | ((b[o + 1] & 0xff) << 16)
          | ((b[o + 2] & 0xff) << 8)
          | (b[o + 3] & 0xff);
    }
  }
}
