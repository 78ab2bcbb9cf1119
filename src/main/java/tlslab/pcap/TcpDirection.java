package tlslab.pcap;

/**
 * Sequence-number state of one direction of a TCP connection, and the analysis Wireshark shows in
 * brackets ("[TCP Previous segment not captured]", "[TCP Retransmission]", ...).
 *
 * <p>The rules follow Wireshark's tcp_analyze_sequence_number so that the lab's Info column
 * matches: a segment starting beyond the highest sequence number seen means a segment was lost (RFC
 * 793 sequence space, compared modulo 2^32 so wrap-around is handled); a segment that does not
 * advance it is a retransmission (or out-of-order when it arrives quickly and fills a hole). All
 * comparisons use {@link #gt(int, int)} on raw 32-bit numbers.
 */
public final class TcpDirection {
  public static final int LOST = 1;
  public static final int ACK_LOST = 1 << 1;
  public static final int RETRANSMISSION = 1 << 2;
  public static final int SPURIOUS = 1 << 3;
  public static final int OUT_OF_ORDER = 1 << 4;
  public static final int KEEP_ALIVE = 1 << 5;
  public static final int WINDOW_UPDATE = 1 << 6;
  public static final int DUP_ACK = 1 << 7;
  public static final int ZERO_WINDOW = 1 << 8;
  public static final int FAST_RETRANSMISSION = 1 << 9;
  public static final int PORTS_REUSED = 1 << 10;
  public static final int WINDOW_FULL = 1 << 11;

  boolean baseSet;

  /** Initial sequence number (the SYN's), for relative numbers. */
  public int baseSeq;

  boolean haveNext;

  /** Highest sequence number + 1 seen so far. */
  public int nextSeq;

  long nextSeqTime;
  boolean haveMax;
  int maxSeqToBeAcked;
  public int lastAck;
  boolean haveLastAck;
  long lastAckTime;
  int window = -1;

  /** Window scale shift from the SYN, -1 unknown, -2 "not used". */
  public int winScale = -1;

  boolean synSeen;
  boolean windowFromSyn;

  int dupAckNum;
  long lastNonDupAck;

  /** The dup-ack count and referenced frame of the last analysed segment. */
  public int dupAckCount;

  public long dupAckFrame;

  /** True once this direction's initial sequence number is known (from a SYN or the first ACK). */
  public boolean baseSeqKnown() {
    return baseSet;
  }

  /**
   * A SYN/ACK with a new initial sequence number on a known connection (ports reused): this
   * direction is numbered from {@code isn}; the other direction's sequence analysis starts over
   * (what tshark 4.0 shows after such a SYN/ACK).
   */
  public void restartNumbering(int isn, TcpDirection rev) {
    baseSeq = isn;
    rev.haveNext = false;
    rev.haveMax = false;
  }

  /** Modulo-2^32 "a after b" (RFC 1982 style serial comparison). */
  public static boolean gt(int a, int b) {
    return a - b > 0;
  }

  /**
   * Analyses one segment sent in this direction ({@code rev} is the opposite direction) and updates
   * both; returns the analysis flags.
   */
  public int analyze(TcpPacket p, TcpDirection rev, long frameNo, long timeNanos) {
    return analyze(p, rev, frameNo, timeNanos, 0);
  }

  /**
   * As above; {@code firstRttNanos} is the connection's handshake round trip (SYN to the ACK of the
   * SYN/ACK), Wireshark's threshold between "out-of-order" and "retransmission" (3 ms when unknown,
   * i.e. 0).
   */
  public int analyze(
      TcpPacket p, TcpDirection rev, long frameNo, long timeNanos, long firstRttNanos) {
    int flags = 0;
    int seq = p.seq;
    int ack = p.ack;
    int len = p.payloadLength;
    int f = p.flags;
    if (!baseSet) {
      baseSeq = (f & TcpPacket.SYN) != 0 ? seq : seq - 1;
      baseSet = true;
    }
    if (!rev.baseSet && (f & TcpPacket.ACK) != 0) {
      rev.baseSeq = ack - 1;
      rev.baseSet = true;
    }
    if ((f & TcpPacket.SYN) != 0) {
      winScale = p.windowScale;
      synSeen = true;
    }
    if (p.window == 0 && (f & (TcpPacket.RST | TcpPacket.FIN | TcpPacket.SYN)) == 0) {
      flags |= ZERO_WINDOW;
    }
    if (haveNext && gt(seq, nextSeq) && (f & TcpPacket.RST) == 0) flags |= LOST;
    if ((len == 0 || len == 1)
        && haveNext
        && seq == nextSeq - 1
        && (f & (TcpPacket.SYN | TcpPacket.FIN | TcpPacket.RST)) == 0) {
      flags |= KEEP_ALIVE;
    }
    boolean sameAck = haveLastAck && ack == lastAck;
    if (len == 0
        && p.window != 0
        && window >= 0
        && p.window != window
        && haveNext
        && seq == nextSeq
        && sameAck
        && (f & (TcpPacket.SYN | TcpPacket.FIN | TcpPacket.RST)) == 0) {
      flags |= WINDOW_UPDATE;
    }
    dupAckCount = 0;
    if (len == 0
        && p.window != 0
        && p.window == window
        && haveNext
        && seq == nextSeq
        && sameAck
        && (f & (TcpPacket.SYN | TcpPacket.FIN | TcpPacket.RST)) == 0
        && (flags & KEEP_ALIVE) == 0) {
      dupAckNum = dupAckNum == -1 ? 1 : dupAckNum + 1;
      flags |= DUP_ACK;
      dupAckCount = dupAckNum;
      dupAckFrame = lastNonDupAck;
    }
    if (!sameAck) {
      lastNonDupAck = frameNo;
      dupAckNum = 0;
    }
    // ACKed unseen segment: this ACK covers data of the other direction we never saw.
    if (rev.haveMax && gt(ack, rev.maxSeqToBeAcked) && (f & TcpPacket.ACK) != 0) {
      if (rev.haveNext && gt(rev.nextSeq, rev.maxSeqToBeAcked)) {
        rev.maxSeqToBeAcked = rev.nextSeq;
        flags |= ACK_LOST;
      } else {
        if (rev.dupAckNum == 0) flags |= ACK_LOST;
        rev.dupAckNum = -1;
      }
    }
    boolean synFin = (f & (TcpPacket.SYN | TcpPacket.FIN)) != 0;
    if ((len > 0 || synFin) && (flags & KEEP_ALIVE) == 0) {
      boolean notAdvanced = haveNext && gt(nextSeq, seq);
      if (len > 1 && haveNext && nextSeq - 1 == seq) notAdvanced = false;
      if (len > 0 && rev.haveLastAck && !gt(seq + len, rev.lastAck) && notAdvanced) {
        flags |= RETRANSMISSION | SPURIOUS;
      } else if (notAdvanced
          && rev.dupAckNum >= 2
          && rev.haveLastAck
          && rev.lastAck == seq
          && Long.compareUnsigned(timeNanos - rev.lastAckTime, 20_000_000L) < 0) {
        // Wireshark: >= 2 duplicate ACKs from the other side ask for exactly this segment, and
        // it comes within 20 ms of the last one (RFC 5681 section 3.2 fast retransmit).
        flags |= FAST_RETRANSMISSION;
      } else if (notAdvanced
          // Unsigned like Wireshark's guint64: a segment time-stamped before the highest one
          // seen is not "recent", so it is a retransmission rather than out-of-order.
          && Long.compareUnsigned(
                  timeNanos - nextSeqTime, firstRttNanos > 0 ? firstRttNanos : 3_000_000L)
              < 0
          && nextSeq != seq + len + (synFin ? 1 : 0)) {
        flags |= OUT_OF_ORDER;
      } else if (notAdvanced) {
        flags |= RETRANSMISSION;
      }
    }
    // Window Full (packet-tcp.c): data up to exactly the right edge of the window the other side
    // last advertised (RFC 9293 3.8.6), scaled unless that was its SYN or a side did not scale.
    if (len > 0
        && rev.synSeen
        && rev.haveLastAck
        && rev.window >= 0
        && (f & (TcpPacket.SYN | TcpPacket.FIN | TcpPacket.RST)) == 0) {
      int shift = rev.windowFromSyn || winScale < 0 || rev.winScale < 0 ? 0 : rev.winScale;
      if (seq + len == rev.lastAck + (rev.window << shift)) flags |= WINDOW_FULL;
    }
    int next = seq + len + (synFin ? 1 : 0);
    if (!haveNext || gt(next, nextSeq)) {
      nextSeq = next;
      nextSeqTime = timeNanos;
      haveNext = true;
    }
    if (!haveMax || seq == maxSeqToBeAcked) {
      maxSeqToBeAcked = nextSeq;
      haveMax = true;
    }
    window = p.window;
    windowFromSyn = (f & TcpPacket.SYN) != 0;
    lastAck = ack;
    lastAckTime = timeNanos;
    haveLastAck = true;
    return flags;
  }

  /**
   * Wireshark's Info prefix for the flags, e.g. "[TCP Previous segment not captured] ". Wireshark
   * prepends each note, so the last one it prints comes first.
   */
  public String prefix(int flags) {
    if (flags == 0) return "";
    String s = "";
    if ((flags & SPURIOUS) != 0) s = "[TCP Spurious Retransmission] " + s;
    else if ((flags & FAST_RETRANSMISSION) != 0) s = "[TCP Fast Retransmission] " + s;
    else if ((flags & OUT_OF_ORDER) != 0) s = "[TCP Out-Of-Order] " + s;
    else if ((flags & RETRANSMISSION) != 0) s = "[TCP Retransmission] " + s;
    if ((flags & PORTS_REUSED) != 0) s = "[TCP Port numbers reused] " + s;
    if ((flags & LOST) != 0) s = "[TCP Previous segment not captured] " + s;
    if ((flags & ACK_LOST) != 0) s = "[TCP ACKed unseen segment] " + s;
    if ((flags & WINDOW_UPDATE) != 0) s = "[TCP Window Update] " + s;
    if ((flags & WINDOW_FULL) != 0) s = "[TCP Window Full] " + s;
    if ((flags & KEEP_ALIVE) != 0) s = "[TCP Keep-Alive] " + s;
    if ((flags & DUP_ACK) != 0) s = "[TCP Dup ACK " + dupAckFrame + "#" + dupAckCount + "] " + s;
    if ((flags & ZERO_WINDOW) != 0) s = "[TCP ZeroWindow] " + s;
    return s;
  }
}
