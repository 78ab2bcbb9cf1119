package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;

/**
 * One annotated frame: the seven TSV columns plus, for TLS frames, a plain-language note per
 * message and any decrypted application data. Rows from {@link Annotator} are reused between
 * frames; call {@link #copy()} to keep one.
 */
public final class Row {
  public long number;

  /** Seconds since the first frame (Wireshark's default Time column). */
  public double time;

  public String source = "";
  public String destination = "";

  /** TCP source port (0 when not TCP). */
  public int sourcePort;

  /** TCP destination port (0 when not TCP). */
  public int destinationPort;

  public String protocol = "";
  public int length;
  public String info = "";

  /** True when this frame carries TLS as Wireshark would label it. */
  public boolean tls;

  /** Connection index (1-based) of the TCP connection, 0 if none. */
  public int connection;

  /** Explanations, one per TLS message in the frame (filled when explanations are on). */
  public final List<String> notes = new ArrayList<>();

  /** The TLS records this frame completed, with their messages and fields (the message model). */
  public final List<TlsRecord> records = new ArrayList<>();

  /** Decrypted application data, one entry per record that could be decrypted. */
  public final List<Payload> payloads = new ArrayList<>();

  /** Who sent this frame: client or server of its TCP connection (null when not TCP). */
  public Sender sender;

  /** Problems found in this frame (malformed data), flagged rather than fatal. */
  public final List<String> problems = new ArrayList<>();

  /**
   * Wireshark's TCP analysis of this frame as {@link tlslab.pcap.TcpDirection} flags (lost segment,
   * retransmission...; 0 for none or not TCP): what the "[TCP ...]" prefix of {@link #info} says.
   */
  public int tcpAnalysis;

  /** TCP analysis: bytes before this segment were not captured. */
  public boolean tcpLost() {
    return (tcpAnalysis & tlslab.pcap.TcpDirection.LOST) != 0;
  }

  /** TCP analysis: this segment repeats bytes already sent (or spuriously). */
  public boolean tcpRetransmission() {
    return (tcpAnalysis
            & (tlslab.pcap.TcpDirection.RETRANSMISSION | tlslab.pcap.TcpDirection.SPURIOUS))
        != 0;
  }

  /** TCP analysis: this segment arrived after a later one. */
  public boolean tcpOutOfOrder() {
    return (tcpAnalysis & tlslab.pcap.TcpDirection.OUT_OF_ORDER) != 0;
  }

  void reset() {
    protocol = "";
    info = "";
    tls = false;
    connection = 0;
    source = "";
    destination = "";
    sourcePort = 0;
    destinationPort = 0;
    notes.clear();
    records.clear();
    payloads.clear();
    problems.clear();
    sender = null;
    tcpAnalysis = 0;
  }

  /** The messages of this frame, in order, across its records. */
  public List<TlsMessage> messages() {
    List<TlsMessage> out = new ArrayList<>();
    for (TlsRecord r : records) out.addAll(r.messages());
    return out;
  }

  /** Whether one of this frame's messages is of handshake type {@code type}. */
  public boolean carries(tlslab.wire.HandshakeType type) {
    for (TlsRecord r : records)
      for (TlsMessage m : r.messages()) if (m.handshakeType() == type.code()) return true;
    return false;
  }

  /** Whether one of this frame's messages is of kind {@code kind}. */
  public boolean carries(TlsMessage.Kind kind) {
    for (TlsRecord r : records) for (TlsMessage m : r.messages()) if (m.type() == kind) return true;
    return false;
  }

  public Row copy() {
    Row r = new Row();
    r.number = number;
    r.time = time;
    r.source = source;
    r.destination = destination;
    r.sourcePort = sourcePort;
    r.destinationPort = destinationPort;
    r.protocol = protocol;
    r.length = length;
    r.info = info;
    r.tls = tls;
    r.connection = connection;
    r.notes.addAll(notes);
    r.records.addAll(records);
    r.payloads.addAll(payloads);
    r.problems.addAll(problems);
    r.sender = sender;
    r.tcpAnalysis = tcpAnalysis;
    return r;
  }
}
