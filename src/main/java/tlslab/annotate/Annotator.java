package tlslab.annotate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pcap.PacketDecoder;
import tlslab.pcap.TcpDirection;
import tlslab.pcap.TcpPacket;
import tlslab.wire.TlsRecordHeader;

/**
 * Turns frames into rows labelled the way Wireshark (tshark 4.0) labels them. It is incremental
 * ({@link #annotate(Frame)} per frame, as frames arrive from a file or a live capture) and reuses
 * its buffers, so a 100 MB capture streams through in constant memory per connection.
 *
 * <p>TCP handling follows Wireshark's single pass: each direction's bytes are taken in sequence
 * order; a segment that starts beyond the expected sequence number means data was not captured (the
 * missing bytes are skipped, as Wireshark does); bytes already seen (retransmissions, overlaps) are
 * not dissected twice. A TLS record split over segments is labelled in the frame that completes it,
 * like Wireshark's reassembly; a frame that only carries part of a record is a TCP "[TCP segment of
 * a reassembled PDU]".
 *
 * <p>Which payloads are TLS follows tshark's defaults ({@link WiresharkHandoff}): its TLS ports,
 * its TLS heuristic (on any port), HTTP CONNECT tunnels; and segments tshark flags as retransmitted
 * or out-of-order are not handed to TLS. Beyond tshark's defaults, a connection whose first payload
 * is a Change Cipher Spec or an Alert record (a capture that starts inside a handshake) is TLS on
 * any port, as tshark labels it with "decode as TLS".
 */
public final class Annotator {
  private final KeyMaterial keys;
  private final boolean explain;
  private final Map<Key, Connection> connections = new HashMap<>();

  /** TLS connections, in order of first frame, for the summaries. */
  private final List<Connection> ordered = new ArrayList<>();

  private final Map<Integer, Connection> byIndex = new HashMap<>();

  private int connectionCount;
  private long evicted;

  /**
   * Connections tracked at once. A hostile file of millions of one-packet connections must not
   * exhaust memory: beyond this, state of connections that never carried TLS is dropped (their
   * later TCP rows restart relative numbering).
   */
  static final int MAX_TRACKED = 200_000;

  /** Connections summarised at most; the rest are counted. */
  static final int MAX_SUMMARIES = 100_000;

  private final Key probe = new Key();
  private final TcpPacket pkt = new TcpPacket();
  private final TlsDissector dissector = new TlsDissector();
  private final TlsDissector.FrameCtx fx = new TlsDissector.FrameCtx();
  private final Row row = new Row();
  private final StringBuilder sb = new StringBuilder(128);
  private long firstTime = Long.MIN_VALUE;
  private long frames;
  private long tlsFrames;
  private final List<String> problems = new ArrayList<>();

  private final Options options;

  /**
   * How much to produce beyond the labels and the message model, which are always there.
   *
   * @param explain plain-language notes per message
   * @param fields fields with byte ranges in each message (JSON output)
   * @param report add the student report's corrections: for the lab's own captures only
   * @param allBytes show decrypted payloads in full rather than bounded
   */
  public record Options(boolean explain, boolean fields, boolean report, boolean allBytes) {
    public static Options labels() {
      return new Options(false, false, false, false);
    }
  }

  /** Every frame that is not TCP: UDP, DNS, ARP, ICMP, and QUIC (see {@link QuicRows}). */
  private final QuicRows quic;

  private final OtherRows other;

  public Annotator(KeyMaterial keys, boolean explain) {
    this(keys, new Options(explain, explain, false, false));
  }

  public Annotator(KeyMaterial keys, Options options) {
    this.keys = keys == null ? KeyMaterial.none() : keys;
    this.options = options;
    this.explain = options.explain();
    this.quic = new QuicRows(this.keys, explain);
    this.other = new OtherRows(quic);
  }

  /**
   * Uses the keys a pcapng file carries (Decryption Secrets Blocks) as the reader meets them, as
   * Wireshark does: call once after opening the reader, before the first frame.
   */
  public void follow(CaptureReader reader) {
    reader.onSecrets(
        s -> {
          if (s.tlsKeyLog()) keys.addKeyLogFromCapture(s.data());
        });
  }

  /** Annotates the next frame; the returned row is reused by the next call. */
  public Row annotate(Frame f) {
    row.reset();
    frames++;
    row.number = f.number;
    if (firstTime == Long.MIN_VALUE) firstTime = f.timeNanos;
    row.time = (f.timeNanos - firstTime) / 1e9;
    row.length = f.wireLength;
    pkt.headerTruncated = false;
    boolean tcp;
    try {
      tcp = PacketDecoder.decode(f, pkt);
    } catch (RuntimeException e) {
      // The decoder is bounds-checked: an exception is a bug. It must not stop the run, nor pass
      // for "not TCP": it is flagged on the row and recorded as an internal problem.
      row.protocol = "Other";
      row.info = "[Malformed frame: " + e.getClass().getSimpleName() + " in the packet decoder]";
      row.problems.add("internal error while decoding: " + e);
      problems.add("frame " + f.number + ": packet decoder: " + e);
      return row;
    }
    if (!tcp && !pkt.headerTruncated && otherFrame(f)) return row;
    if (!tcp) {
      row.protocol =
          PacketDecoder.supportsLinkType(f.linkType) ? "Other" : "Unknown link " + f.linkType;
      row.info = pkt.headerTruncated ? "[Packet size limited during capture]" : "not TCP";
      return row;
    }
    try {
      tcpFrame(f);
    } catch (RuntimeException e) {
      // A bug or an unforeseen input must flag this frame, not end the annotation.
      row.protocol = "TCP";
      row.info = "[Malformed frame: " + e.getClass().getSimpleName() + "]";
      row.problems.add("internal error while annotating: " + e);
      problems.add("frame " + f.number + ": " + e);
    }
    if (row.tls) tlsFrames++;
    return row;
  }

  /** The hook for non-TCP frames: {@link OtherRows} labels them; false if it could not. */
  private boolean otherFrame(Frame f) {
    try {
      return other.label(f, row);
    } catch (RuntimeException e) {
      row.protocol = "UDP";
      row.info = "[Malformed frame: " + e.getClass().getSimpleName() + "]";
      row.problems.add("internal error while annotating: " + e);
      problems.add("frame " + f.number + ": " + e);
      return true;
    }
  }

  /** The facts of every QUIC connection seen, in order of first packet. */
  public List<QuicConnectionFacts> quicFacts() {
    return quic.facts();
  }

  /** The QUIC connections' summaries for the end of a report. */
  public List<QuicSummary> quicSummaries() {
    return quic.summaries();
  }

  /** QUIC datagrams among the frames (their TLS is summarised per QUIC connection). */
  public long quicFrameCount() {
    return quic.frameCount();
  }

  private void tcpFrame(Frame f) {
    Connection c = lookup();
    boolean fromA =
        Arrays.equals(pkt.src, 0, pkt.addressLength(), c.addrA, 0, c.addrA.length)
            && pkt.srcPort == c.portA;
    Connection.Side side = fromA ? c.a : c.b;
    int reused = 0;
    if ((pkt.flags & TcpPacket.SYN) != 0
        && side.tcp.baseSeqKnown()
        && pkt.seq != side.tcp.baseSeq) {
      reused = TcpDirection.PORTS_REUSED;
      if ((pkt.flags & TcpPacket.ACK) == 0) {
        // Wireshark: a SYN with a new initial sequence number on known addresses and ports
        // starts a new conversation ("[TCP Port numbers reused]"): fresh TCP and TLS state.
        c = reuse(c);
        side = fromA ? c.a : c.b;
      } else {
        // A SYN/ACK with a new one stays in the conversation: the server's numbering restarts
        // and the client's sequence analysis starts over.
        side.tcp.restartNumbering(pkt.seq, (fromA ? c.b : c.a).tcp);
      }
    }
    if ((pkt.flags & TcpPacket.SYN) != 0) {
      c.serverPort = (pkt.flags & TcpPacket.ACK) != 0 ? pkt.srcPort : pkt.dstPort;
    }
    Connection.Side rev = fromA ? c.b : c.a;
    row.source = fromA ? c.nameA : c.nameB; // formatted once per connection, not per frame
    row.destination = fromA ? c.nameB : c.nameA;
    row.sourcePort = pkt.srcPort;
    row.destinationPort = pkt.dstPort;
    row.connection = c.index;
    row.sender = c.isServer(side) ? Sender.SERVER : Sender.CLIENT;
    c.lastFrame = f.number;
    firstRtt(c, fromA, f.timeNanos);
    int flags = side.tcp.analyze(pkt, rev.tcp, f.number, f.timeNanos, c.firstRtt) | reused;
    if ((flags & TcpDirection.LOST) != 0) side.gap = true;
    String prefix = side.tcp.prefix(flags);
    row.tcpAnalysis = flags;
    if (explain && flags != 0) tcpNote(c, flags);
    int len = pkt.payloadLength;
    if (len == 0) {
      tcpRow(prefix, c, side, "");
      return;
    }
    byte[] b = f.data;
    int off = pkt.payloadOffset;
    int cap = pkt.payloadCaptured;
    if (!c.tls && c.proxyTarget == null) Proxies.look(c, fromA, b, off, cap, f.number);
    // tshark 4.0 flags a spurious retransmission as a retransmission too; a fast retransmission
    // is not, and is handed on.
    boolean noSubdissector =
        (flags
                & (TcpDirection.KEEP_ALIVE
                    | TcpDirection.RETRANSMISSION
                    | TcpDirection.OUT_OF_ORDER))
            != 0;
    if (!c.tls && !noSubdissector) {
      if (WiresharkHandoff.portSaysTls(c.serverPort, c.portA, c.portB)
          || WiresharkHandoff.heuristicMatches(b, off, cap)
          || (cap >= 5 && TlsRecordHeader.looksLikeTlsStart(b, off, off + cap))) {
        c.tls = true;
      } else if (WiresharkHandoff.httpConnectOpensTls(c, fromA, b, off, cap)) {
        c.tls = true; // from the next frame on: this one is the proxy's "200" response
        tcpRow(prefix, c, side, "");
        return;
      }
    }
    if (!c.tls) {
      tcpRow(prefix, c, side, "");
      return;
    }
    // Which bytes of this segment are new for the stream?
    int seq = pkt.seq;
    int segEnd = seq + len;
    outOfOrder = false;
    suppressCompletion = noSubdissector;
    if (side.haveStreamSeq && TcpDirection.gt(side.streamSeq, seq)) {
      boolean fills =
          side.pduActive
              && !side.pduBroken
              && !side.pduEntireSegment
              && !TcpDirection.gt(segEnd, side.streamSeq)
              && TcpDirection.gt(side.pduNext, seq)
              && TcpDirection.gt(segEnd, side.pduSeq)
              && !TcpDirection.gt(side.pduSeq, seq);
      if (fills) {
        outOfOrder = true; // late bytes of the PDU being reassembled (a hole filled)
      } else if (noSubdissector) {
        tcpRow(prefix, c, side, "");
        return;
      } else {
        // A fast retransmission, which tshark does hand on: its multisegment-PDU table decides
        // (packet-tcp.c desegment_tcp), not whether the bytes were seen.
        retransmitted(f, c, side, prefix, b, off, cap, len, seq, segEnd);
        return;
      }
    } else if (noSubdissector) {
      // tshark (tcp.no_subdissector_on_error) hands no retransmitted or out-of-order segment to
      // TLS, even one whose bytes it never saw: a TCP row, and the stream does not advance.
      tcpRow(prefix, c, side, "");
      return;
    }
    if (!outOfOrder) {
      side.streamSeq = segEnd;
      side.haveStreamSeq = true;
    }
    fx.reset(f.number, row, explain);
    fx.fields = options.fields();
    fx.report = options.report();
    fx.allBytes = options.allBytes();
    fx.frameBuf = b;
    fx.frameOffset = f.offset;
    called = false;
    tcpSegment = false;
    holeThenMore = false;
    boolean truncated = cap < len;
    segment(c, side, b, off, cap, len, seq, segEnd, truncated);
    fx.endRecord();
    if (holeThenMore && called && !tcpSegment && fx.info.length() > 0) {
      // The segment continued a PDU that still has a hole, then started the next one: TCP keeps
      // the Protocol column and its Info, TLS appends its labels after a fence (desegment_tcp).
      String labels = fx.labels(false);
      tcpRow(prefix, c, side, " [TCP segment of a reassembled PDU]");
      row.info = row.info + labels;
      return;
    }
    if (!called || tcpSegment) {
      // Wireshark: a segment that only starts or continues a record is a TCP row. When TLS was
      // called and asked for more from the first byte, TCP replaces the Info column entirely.
      if (called && side.pduActive) {
        row.protocol = "TCP";
        row.info =
            prefix.isEmpty()
                ? "[TCP segment of a reassembled PDU]"
                : prefix + " [TCP segment of a reassembled PDU]";
      } else {
        tcpRow(prefix, c, side, side.pduActive ? " [TCP segment of a reassembled PDU]" : "");
      }
      return;
    }
    tlsRow(c, prefix);
  }

  /**
   * A fast retransmission of bytes already passed: where a multisegment PDU started at this
   * sequence number it is only "retransmitted" data; inside one it adds nothing new (what follows
   * that PDU is dissected); anywhere else the segment is dissected again, as tshark does.
   */
  private void retransmitted(
      Frame f,
      Connection c,
      Connection.Side side,
      String prefix,
      byte[] b,
      int off,
      int cap,
      int len,
      int seq,
      int segEnd) {
    fx.reset(f.number, row, explain);
    fx.fields = options.fields();
    fx.report = options.report();
    fx.allBytes = options.allBytes();
    fx.frameBuf = b;
    called = false;
    tcpSegment = false;
    holeThenMore = false;
    int m = side.mspAt(seq);
    if (m >= 0 && side.msps[2 * m] == seq) {
      tcpRow(prefix, c, side, "");
      return;
    }
    if (m >= 0) {
      int next = side.msps[2 * m + 1];
      int rest = segEnd - next;
      if (rest <= 0 || cap < len) {
        tcpRow(prefix, c, side, " [TCP segment of a reassembled PDU]");
        return;
      }
      int skip = len - rest;
      dissector.dissect(c, side, b, off + skip, Math.max(0, cap - skip), rest, false, fx);
      fx.endRecord();
      String labels = fx.labels(false);
      tcpRow(prefix, c, side, " [TCP segment of a reassembled PDU]");
      row.info = row.info + labels;
      return;
    }
    boolean ok = dissector.dissect(c, side, b, off, cap, len, false, fx);
    fx.endRecord();
    if (!ok || fx.info.length() == 0) {
      tcpRow(prefix, c, side, "");
      return;
    }
    tlsRow(c, prefix);
  }

  private void tlsRow(Connection c, String prefix) {
    row.tls = true;
    if (!c.listed && ordered.size() < MAX_SUMMARIES) {
      c.listed = true;
      ordered.add(c);
      byIndex.put(c.index, c);
    }
    row.protocol = fx.protocol == null ? "TLS" : fx.protocol;
    // The TCP analysis prefix ("[TCP Window Full] ") stands before TLS's text: a label appended
    // after it takes a separator, text that TLS or HTTP set does not ("[TLS segment of ...]").
    row.info = prefix.isEmpty() ? fx.labels(true) : prefix + fx.labels(false);
    // Said where the row shows the label (a later record of the frame may have replaced it).
    if (fx.segmentNote != null
        && row.info.endsWith("[TLS segment of a reassembled PDU]")
        && c.said.add(fx.segmentNoteKey)) row.notes.add(fx.segmentNote);
  }

  /** TCP analysis in plain words, once per connection and kind. */
  private void tcpNote(Connection c, int flags) {
    if ((flags & TcpDirection.LOST) != 0 && c.said.add("tcp-lost"))
      row.notes.add(
          "TCP: previous segment not captured: bytes before this one are missing from the"
              + " capture (lost by the capture, not necessarily by the network). A TLS record"
              + " spanning the gap cannot be read, and record boundaries may be lost after it.");
    if ((flags & (TcpDirection.RETRANSMISSION | TcpDirection.SPURIOUS)) != 0
        && c.said.add("tcp-retrans"))
      row.notes.add(
          "TCP: retransmission: the sender sent these bytes again (no acknowledgement came in"
              + " time). Wireshark does not pass a retransmitted segment on to TLS, so no TLS"
              + " label is repeated (even where the first copy was not captured).");
    if ((flags & TcpDirection.OUT_OF_ORDER) != 0 && c.said.add("tcp-ooo"))
      row.notes.add(
          "TCP: out of order: this segment arrived after a later one; TCP (and Wireshark's"
              + " reassembly) puts the bytes back in sequence order.");
  }

  /** Records the three-way handshake round trip, which Wireshark uses to tell reordering apart. */
  private void firstRtt(Connection c, boolean fromA, long t) {
    int fl = pkt.flags;
    if ((fl & TcpPacket.SYN) != 0 && (fl & TcpPacket.ACK) == 0) {
      c.synTime = t;
      c.synFromA = fromA;
      c.synSeq = pkt.seq;
    } else if (c.firstRtt == 0
        && c.synTime >= 0
        && fromA == c.synFromA
        && (fl & TcpPacket.ACK) != 0
        && (fl & TcpPacket.SYN) == 0
        && pkt.seq == c.synSeq + 1) {
      c.firstRtt = Math.max(1, t - c.synTime);
    }
  }

  private boolean called;
  private boolean tcpSegment;
  private boolean holeThenMore;
  private boolean suppressCompletion;
  private boolean outOfOrder;

  /** Largest TLS PDU we reassemble (a record is at most 2^14 + 2048 + header; with slack). */
  static final int MAX_PDU = 1 << 20;

  /** Feeds one segment's new bytes through Wireshark-style PDU reassembly into the dissector. */
  private void segment(
      Connection c,
      Connection.Side s,
      byte[] b,
      int off,
      int cap,
      int len,
      int seq,
      int segEnd,
      boolean truncated) {
    if (truncated) {
      // Wireshark cannot reassemble a frame cut by the snaplen: it dissects what is there.
      s.pduActive = false;
      s.pduLen = 0;
      call(c, s, b, off, cap, len, seq, segEnd, false);
      return;
    }
    int pos = 0;
    if (s.pduActive) {
      boolean inside = !TcpDirection.gt(s.pduSeq, seq) && TcpDirection.gt(s.pduNext, seq);
      if (inside) {
        int rel = seq - s.pduSeq;
        int take;
        if (s.pduEntireSegment) {
          // Wireshark asked for "one more segment": it must continue the data directly.
          take = len;
          if (rel != s.pduLen) s.pduBroken = true;
          if (!s.pduBroken) s.putPdu(rel, b, off, take);
          s.pduSegments++;
          s.pduNext = segEnd;
          s.extendLastMsp(segEnd);
          s.pduEntireSegment = false;
        } else {
          // Segments may arrive out of order: place them and wait until the PDU is covered.
          take = Math.min(len, s.pduNext - seq);
          if (!s.pduBroken && rel + take <= MAX_PDU) s.putPdu(rel, b, off, take);
          else s.pduBroken = true;
          s.pduSegments++;
        }
        pos = take;
        if (!s.pduBroken && s.pduLen == s.pduNext - s.pduSeq && suppressCompletion) {
          // Completed by a segment tshark flags out-of-order or retransmitted: it reassembles the
          // PDU but does not hand it on (tcp.no_subdissector_on_error), so it is never labelled.
          s.pduActive = false;
          s.pduLen = 0;
          return;
        }
        if (!s.pduBroken && s.pduLen == s.pduNext - s.pduSeq) {
          int oldLen = s.pduLen - take;
          int total = s.pduLen;
          byte[] buf = s.pdu;
          s.pduActive = false;
          s.pduLen = 0;
          fx.streamBuf = buf;
          fx.streamOrigin = Integer.toUnsignedLong(s.pduSeq - s.tcp.baseSeq);
          int pieces = s.pduSegments;
          boolean ok = dissector.dissect(c, s, buf, 0, total, total, true, fx);
          if (ok && explain && pieces > 1 && c.said.add("pdu")) {
            row.notes.add(
                "TCP: a record split over "
                    + pieces
                    + " segments is shown in the frame that completes it, as Wireshark's"
                    + " reassembly does; the earlier frames read \"[TCP segment of a reassembled"
                    + " PDU]\". (Said once per connection.)");
          }
          called = true;
          if (!ok) {
            tcpSegment = true;
          } else if (dissector.needMore) {
            if (dissector.desegOffset <= oldLen) {
              // Not even the first record is complete: keep collecting (partial reassembly).
              s.pduActive = true;
              s.pduLen = total;
              s.resetRanges(total);
              s.pduNext =
                  dissector.desegLen == TlsDissector.ONE_MORE
                      ? segEnd + 1
                      : segEnd + dissector.desegLen;
              s.pduEntireSegment = dissector.desegLen == TlsDissector.ONE_MORE;
              s.extendLastMsp(s.pduNext);
              if (dissector.desegOffset == 0 && fx.protocolWritable) tcpSegment = true;
            } else {
              int keep = total - dissector.desegOffset;
              byte[] tail = Arrays.copyOfRange(buf, dissector.desegOffset, total);
              startPdu(s, tail, 0, keep, segEnd - keep, segEnd, dissector.desegLen);
            }
          }
          // What follows in this segment is another PDU (desegment_tcp): a fence keeps this one's
          // Info from the dissectors above TLS, which set and clear the column (HttpLabels).
          fx.protocolWritable = false;
          fx.fenceInfo();
        } else if (s.pduBroken && TcpDirection.gt(segEnd, s.pduNext)) {
          pos = s.pduNext - seq;
          s.pduActive = false;
          s.pduLen = 0;
        }
        if (s.pduActive && pos >= len) return;
        if (outOfOrder) return; // late data only fills the PDU; what follows was seen already
        if (s.pduActive) {
          // Bytes beyond the pending PDU while it still has a hole: Wireshark dissects them as
          // the next PDU; the incomplete one can only complete if the hole is filled later.
          holeThenMore = true;
          s.pduActive = false;
          s.pduLen = 0;
        }
      } else if (!TcpDirection.gt(s.pduSeq, seq)) {
        s.pduActive = false; // the segment starts at or after the end of the pending PDU
        s.pduLen = 0;
      }
    }
    if (outOfOrder) return;
    if (pos < len && !s.pduActive) {
      call(c, s, b, off + pos, Math.max(0, cap - pos), len - pos, seq + pos, segEnd, true);
    }
  }

  private void call(
      Connection c,
      Connection.Side s,
      byte[] b,
      int off,
      int cap,
      int len,
      int seq,
      int segEnd,
      boolean canDesegment) {
    boolean ok = dissector.dissect(c, s, b, off, cap, len, canDesegment, fx);
    called = true;
    if (!ok) {
      if (fx.protocolWritable) tcpSegment = true;
    } else if (dissector.needMore) {
      int start = dissector.desegOffset;
      startPdu(s, b, off + start, len - start, seq + start, segEnd, dissector.desegLen);
      if (start == 0 && fx.protocolWritable) tcpSegment = true;
    }
    fx.protocolWritable = false;
  }

  private void startPdu(
      Connection.Side s, byte[] b, int off, int n, int seq, int segEnd, int need) {
    s.pduFrame = row.number;
    s.addMsp(seq, need == TlsDissector.ONE_MORE ? segEnd + 1 : segEnd + need);
    s.pduSegments = 1;
    s.pduActive = true;
    s.pduBroken = false;
    s.pduLen = 0;
    s.ranges.clear();
    s.putPdu(0, b, off, n);
    s.pduSeq = seq;
    s.pduEntireSegment = need == TlsDissector.ONE_MORE;
    s.pduNext = need == TlsDissector.ONE_MORE ? segEnd + 1 : segEnd + need;
  }

  private void tcpRow(String prefix, Connection c, Connection.Side side, String suffix) {
    TcpDirection d = side.tcp;
    TcpDirection r = c.other(side).tcp;
    sb.setLength(0);
    sb.append(prefix).append(pkt.srcPort).append(" \u2192 ").append(pkt.dstPort).append(" [");
    int n = sb.length();
    flag(TcpPacket.FIN, "FIN");
    flag(TcpPacket.SYN, "SYN");
    flag(TcpPacket.RST, "RST");
    flag(TcpPacket.PSH, "PSH");
    flag(TcpPacket.ACK, "ACK");
    flag(TcpPacket.URG, "URG");
    flag(TcpPacket.ECE, "ECE");
    flag(TcpPacket.CWR, "CWR");
    if (sb.length() == n) sb.append("<None>");
    sb.append("] Seq=").append(Integer.toUnsignedLong(pkt.seq - d.baseSeq));
    if ((pkt.flags & TcpPacket.ACK) != 0)
      sb.append(" Ack=").append(Integer.toUnsignedLong(pkt.ack - r.baseSeq));
    long win = pkt.window;
    if ((pkt.flags & TcpPacket.SYN) == 0 && d.winScale >= 0 && r.winScale >= 0) win <<= d.winScale;
    sb.append(" Win=").append(win).append(" Len=").append(pkt.payloadLength);
    // Options in header order, as tshark appends them while it parses them.
    for (int i = 0; i < pkt.optionCount; i++) {
      switch (pkt.optionOrder[i]) {
        case 2 -> sb.append(" MSS=").append(pkt.mss);
        case 3 -> sb.append(" WS=").append(1 << Math.min(pkt.windowScale, 14));
        case 4 -> sb.append(" SACK_PERM");
        case 5 -> {
          for (int k = 0; k < pkt.sackBlocks; k++) {
            sb.append(" SLE=").append(Integer.toUnsignedLong(pkt.sack[2 * k] - r.baseSeq));
            sb.append(" SRE=").append(Integer.toUnsignedLong(pkt.sack[2 * k + 1] - r.baseSeq));
          }
        }
        case 8 -> sb.append(" TSval=").append(pkt.tsVal).append(" TSecr=").append(pkt.tsEcr);
        default -> {
          // not shown in the Info column
        }
      }
    }
    sb.append(suffix);
    row.protocol = "TCP";
    row.info = sb.toString();
  }

  private void flag(int bit, String name) {
    if ((pkt.flags & bit) == 0) return;
    if (sb.charAt(sb.length() - 1) != '[') sb.append(", ");
    sb.append(name);
  }

  private Connection lookup() {
    int al = pkt.addressLength();
    probe.set(pkt.src, pkt.dst, al, pkt.srcPort, pkt.dstPort);
    Connection c = connections.get(probe);
    if (c == null) {
      byte[] a = Arrays.copyOf(pkt.src, al);
      byte[] bb = Arrays.copyOf(pkt.dst, al);
      if (connections.size() >= MAX_TRACKED) evictNonTls();
      c =
          new Connection(
              ++connectionCount,
              a,
              bb,
              pkt.srcPort,
              pkt.dstPort,
              pkt.ipVersion,
              keys.isEmpty() ? null : new Decryption(keys));
      c.firstFrame = row.number;
      Key k = new Key();
      k.set(a, bb, al, pkt.srcPort, pkt.dstPort);
      connections.put(k, c);
    }
    return c;
  }

  /** A new conversation on the same addresses and ports (Wireshark's "Port numbers reused"). */
  private Connection reuse(Connection old) {
    Connection c =
        new Connection(
            ++connectionCount,
            old.addrA,
            old.addrB,
            old.portA,
            old.portB,
            old.ipVersion,
            keys.isEmpty() ? null : new Decryption(keys));
    c.firstFrame = row.number;
    Key k = new Key();
    k.set(old.addrA, old.addrB, old.addrA.length, old.portA, old.portB);
    connections.put(k, c);
    return c;
  }

  private void evictNonTls() {
    int before = connections.size();
    connections.values().removeIf(x -> !x.tls);
    evicted += before - connections.size();
    if (connections.size() >= MAX_TRACKED) {
      evicted += connections.size();
      connections.clear(); // all TLS: their summaries stay in 'ordered'
    }
  }

  /** Connections whose state was dropped to bound memory (0 for ordinary captures). */
  public long evictedConnections() {
    return evicted;
  }

  /** Summaries of every TCP connection that carried TLS, in order of first appearance. */
  public List<ConnectionSummary> summaries() {
    List<ConnectionSummary> out = new ArrayList<>();
    listUnfinished();
    for (Connection c : ordered) {
      endOfCapture(c);
      out.add(ConnectionSummary.of(ConnectionFacts.of(c), !keys.isEmpty()));
    }
    return out;
  }

  /**
   * Once the last frame is read: a TLS record (or a handshake message spread over records) that a
   * side began and the capture never completed is a problem of its connection. Wireshark shows its
   * frames as "[TCP segment of a reassembled PDU]" and says no more; a record that claims more
   * bytes than ever came (a length that lies, or a capture stopped mid-record) would otherwise hide
   * everything that side sent after it - messages and alerts included - without a word.
   */
  /**
   * Once, after the last frame: a connection handed to TLS whose first record never completed has
   * no TLS row, so it would have no summary either; it gets one, which says what is missing.
   */
  private void listUnfinished() {
    if (unfinishedListed) return;
    unfinishedListed = true;
    List<Connection> waiting = new ArrayList<>();
    for (Connection c : connections.values())
      if (c.tls && !c.listed && (c.a.pduActive || c.b.pduActive || c.a.hsActive || c.b.hsActive))
        waiting.add(c);
    waiting.sort((x, y) -> Integer.compare(x.index, y.index));
    for (Connection c : waiting) {
      if (ordered.size() >= MAX_SUMMARIES) break;
      c.listed = true;
      ordered.add(c);
      byIndex.put(c.index, c);
    }
  }

  private boolean unfinishedListed;

  private static void endOfCapture(Connection c) {
    if (c.endNoted) return;
    c.endNoted = true;
    for (Connection.Side s : new Connection.Side[] {c.a, c.b}) {
      String who = (c.isServer(s) ? Sender.SERVER : Sender.CLIENT).label();
      if (s.pduActive && !s.pduEntireSegment) {
        long need = Integer.toUnsignedLong(s.pduNext - s.pduSeq);
        c.problems.add(
            "frame "
                + s.pduFrame
                + ": the capture ends inside a TLS record from the "
                + who
                + ": "
                + s.pduLen
                + " of the "
                + need
                + " bytes it needs were captured, so that record and anything the "
                + who
                + " sent after it are not shown");
      } else if (s.pduActive) {
        c.problems.add(
            "frame "
                + s.pduFrame
                + ": the capture ends inside a TLS record from the "
                + who
                + " (only "
                + s.pduLen
                + " bytes of it were captured); it is not shown");
      }
      if (s.hsActive && s.hsLen > 0)
        c.problems.add(
            "the capture ends inside a handshake message from the "
                + who
                + " ("
                + s.hsLen
                + " bytes of it were seen): it is not shown");
    }
  }

  /**
   * The facts of every TCP connection that carried TLS, in order of first appearance, as values
   * (what {@link #summaries()} says in sentences). Call after the last frame.
   */
  public List<ConnectionFacts> facts() {
    List<ConnectionFacts> out = new ArrayList<>();
    listUnfinished();
    for (Connection c : ordered) {
      endOfCapture(c);
      out.add(ConnectionFacts.of(c));
    }
    return out;
  }

  /** The facts of TLS connection {@code index} as known so far, or null if it carries no TLS. */
  public ConnectionFacts liveFacts(int index) {
    Connection c = byIndex.get(index);
    return c == null ? null : ConnectionFacts.of(c);
  }

  public long frameCount() {
    return frames;
  }

  public long tlsFrameCount() {
    return tlsFrames;
  }

  /** Internal problems (should stay empty); malformed input is reported per row instead. */
  public List<String> problems() {
    return problems;
  }

  /** Direction-independent connection key (address/port pairs in canonical order). */
  private static final class Key {
    byte[] lo = new byte[16];
    byte[] hi = new byte[16];
    int len;
    int loPort;
    int hiPort;
    int hash;

    void set(byte[] a, byte[] b, int alen, int pa, int pb) {
      int cmp = Arrays.compare(a, 0, alen, b, 0, alen);
      boolean aFirst = cmp < 0 || (cmp == 0 && pa <= pb);
      System.arraycopy(aFirst ? a : b, 0, lo, 0, alen);
      System.arraycopy(aFirst ? b : a, 0, hi, 0, alen);
      loPort = aFirst ? pa : pb;
      hiPort = aFirst ? pb : pa;
      len = alen;
      int h = 17;
      for (int i = 0; i < alen; i++) h = h * 31 + lo[i] * 7 + hi[i];
      hash = h * 31 + loPort * 65537 + hiPort;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) return false;
      return k.len == len
          && k.loPort == loPort
          && k.hiPort == hiPort
          && Arrays.equals(lo, 0, len, k.lo, 0, len)
          && Arrays.equals(hi, 0, len, k.hi, 0, len);
    }
  }
}
