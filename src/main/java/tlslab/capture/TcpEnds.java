package tlslab.capture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tlslab.pcap.Frame;
import tlslab.pcap.PacketDecoder;
import tlslab.pcap.TcpPacket;

/**
 * Whether a capture holds each TCP connection from its first packet to its last: the opening SYN
 * (RFC 9293 §3.5), a FIN or RST from each side, and the ACK that follows the second FIN.
 *
 * <p>libpcap's drop counters tell what the kernel threw away once the capture ran; they cannot tell
 * what happened before it started or after it stopped. A connection whose SYN is missing began
 * before the capture; one without its FINs was still talking, or its last packets had not reached
 * the capture, when it stopped. Either way the file does not hold the whole conversation, and
 * whatever is said about it (a handshake, a decryption) must say so.
 *
 * <p>Connections are told apart by their two endpoints, in the order their first packet was seen; a
 * new SYN on the same endpoints after both FINs starts a new connection (port reuse), as in
 * Wireshark's {@code tcp.stream}. Thread-safe: the capture thread adds packets while another thread
 * asks.
 */
public final class TcpEnds {
  /**
   * What the capture holds of one connection.
   *
   * @param client the endpoint that sent the SYN ("127.0.0.1:50522"), or the first packet's sender
   *     when the SYN is missing
   * @param server the other endpoint
   * @param opened the opening SYN (without ACK) is in the capture
   * @param clientFin the client's FIN is in the capture
   * @param serverFin the server's FIN is in the capture
   * @param reset an RST ended the connection
   * @param lastAck a packet (the ACK of the last FIN) followed both FINs
   * @param packets packets of this connection in the capture
   */
  public record Connection(
      String client,
      String server,
      boolean opened,
      boolean clientFin,
      boolean serverFin,
      boolean reset,
      boolean lastAck,
      long packets) {
    /** Its end is in the capture: both FINs and the ACK after them, or an RST. */
    public boolean closed() {
      return reset || (clientFin && serverFin && lastAck);
    }

    /** From SYN to the end. */
    public boolean whole() {
      return opened && closed();
    }

    /**
     * What the capture lacks of this connection, one clause each ("has no SYN: its start is not in
     * the capture"); empty when it is {@link #whole()}. The demo's check and {@code lab capture}
     * say it in these words.
     */
    public List<String> gaps() {
      List<String> gaps = new ArrayList<>(2);
      if (!opened) gaps.add("has no SYN: its start is not in the capture");
      if (!closed()) {
        gaps.add(
            "has no "
                + (!clientFin && !serverFin
                    ? "FIN"
                    : !clientFin
                        ? "FIN from the client"
                        : !serverFin ? "FIN from the server" : "ACK after its FINs")
                + ": its end is not in the capture");
      }
      return gaps;
    }

    /** "connection 2 (127.0.0.1:50522 to 127.0.0.1:8443)", numbered from 1 in capture order. */
    public String name(int number) {
      return "connection " + number + " (" + client + " to " + server + ")";
    }
  }

  private static final class State {
    final String a;
    final String b;
    String client;
    boolean opened;
    boolean clientFin;
    boolean serverFin;
    boolean reset;
    boolean lastAck;
    long packets;

    State(String a, String b) {
      this.a = a;
      this.b = b;
    }

    Connection snapshot() {
      String server = client.equals(a) ? b : a;
      return new Connection(client, server, opened, clientFin, serverFin, reset, lastAck, packets);
    }
  }

  private final Map<String, State> open = new LinkedHashMap<>();
  private final List<State> all = new ArrayList<>();
  private final TcpPacket tcp = new TcpPacket();
  private final Frame frame = new Frame();

  /** Adds one captured packet (raw link-layer bytes); anything but TCP is ignored. */
  public synchronized void add(int linkType, byte[] data, int length, int wireLength) {
    frame.linkType = linkType;
    frame.data = data;
    frame.offset = 0;
    frame.capturedLength = length;
    frame.wireLength = Math.max(wireLength, length);
    add(frame);
  }

  /** Adds one frame; anything but TCP is ignored. */
  public synchronized void add(Frame f) {
    if (!PacketDecoder.decode(f, tcp) || tcp.headerTruncated) return;
    // Most packets are plain segments of the connection the previous packet belonged to: count
    // them without building its endpoint names (this runs on the capture thread, per packet).
    if ((tcp.flags & (TcpPacket.SYN | TcpPacket.FIN | TcpPacket.RST)) == 0 && sameAsLast()) {
      last.packets++;
      if (last.clientFin && last.serverFin) last.lastAck = true;
      return;
    }
    String src = endpoint(tcp.src, tcp.srcPort);
    String dst = endpoint(tcp.dst, tcp.dstPort);
    String key = src.compareTo(dst) < 0 ? src + " " + dst : dst + " " + src;
    boolean syn = (tcp.flags & TcpPacket.SYN) != 0 && (tcp.flags & TcpPacket.ACK) == 0;
    State s = open.get(key);
    if (s != null && syn && s.clientFin && s.serverFin) {
      open.remove(key); // the endpoints are reused by a new connection
      s = null;
    }
    if (s == null) {
      s = new State(src, dst);
      s.client = src;
      open.put(key, s);
      all.add(s);
    }
    s.packets++;
    boolean fromClient = src.equals(s.client);
    if (syn) {
      s.opened = true;
      s.client = src;
      fromClient = true;
    }
    if (s.clientFin && s.serverFin && (tcp.flags & TcpPacket.FIN) == 0) s.lastAck = true;
    if ((tcp.flags & TcpPacket.FIN) != 0) {
      if (fromClient) s.clientFin = true;
      else s.serverFin = true;
    }
    if ((tcp.flags & TcpPacket.RST) != 0) s.reset = true;
    last = s;
    lastVersion = tcp.ipVersion;
    System.arraycopy(tcp.src, 0, lastSrc, 0, 16);
    System.arraycopy(tcp.dst, 0, lastDst, 0, 16);
    lastSrcPort = tcp.srcPort;
    lastDstPort = tcp.dstPort;
  }

  private State last;
  private int lastVersion;
  private final byte[] lastSrc = new byte[16];
  private final byte[] lastDst = new byte[16];
  private int lastSrcPort;
  private int lastDstPort;

  /** The packet in {@code tcp} is between the endpoints of the previous one, either way. */
  private boolean sameAsLast() {
    if (last == null || tcp.ipVersion != lastVersion) return false;
    int n = tcp.addressLength();
    if (tcp.srcPort == lastSrcPort && tcp.dstPort == lastDstPort) {
      return java.util.Arrays.equals(tcp.src, 0, n, lastSrc, 0, n)
          && java.util.Arrays.equals(tcp.dst, 0, n, lastDst, 0, n);
    }
    return tcp.srcPort == lastDstPort
        && tcp.dstPort == lastSrcPort
        && java.util.Arrays.equals(tcp.src, 0, n, lastDst, 0, n)
        && java.util.Arrays.equals(tcp.dst, 0, n, lastSrc, 0, n);
  }

  /** Every connection seen, in the order of its first packet. */
  public synchronized List<Connection> connections() {
    List<Connection> out = new ArrayList<>(all.size());
    for (State s : all) out.add(s.snapshot());
    return out;
  }

  /** True when at least {@code n} connections were seen and every one of them has its end. */
  public synchronized boolean allClosed(int n) {
    if (all.size() < n) return false;
    for (State s : all) if (!s.snapshot().closed()) return false;
    return true;
  }

  private String endpoint(byte[] address, int port) {
    String a = TcpPacket.address(address, tcp.ipVersion);
    return (tcp.ipVersion == 6 ? "[" + a + "]" : a) + ":" + port;
  }
}
