package tlslab.demo;

import java.util.ArrayList;
import java.util.List;
import tlslab.capture.CaptureStats;
import tlslab.capture.TcpEnds;

/**
 * Whether the demo's capture holds the whole of what the demo did, so that what the demo says about
 * it can hold: every packet libpcap saw (no drops), both connections from SYN to the last ACK, and
 * a key log line for each handshake.
 *
 * <p>libpcap's counters alone cannot show the start or the end of a conversation: a packet that
 * passed before the capture ran, or after it stopped, was never counted as dropped. So the demo
 * also looks at the TCP connections in the file ({@link TcpEnds}). It made exactly two (alice's and
 * bob's); anything else on its port is a stranger's.
 *
 * @param stats libpcap's counters and the lab's at the end of the capture (null if unknown)
 * @param connections the TCP connections the capture holds, in order
 * @param expected how many connections the demo made
 * @param keyLogProblems why a handshake's secrets could not be logged (empty when all were)
 * @param decryption how far the demo's key log decrypted each TLS connection of the capture
 */
public record CaptureCheck(
    CaptureStats stats,
    List<TcpEnds.Connection> connections,
    int expected,
    List<String> keyLogProblems,
    List<Decryption> decryption) {
  public CaptureCheck {
    connections = List.copyOf(connections);
    keyLogProblems = List.copyOf(keyLogProblems);
    decryption = List.copyOf(decryption);
  }

  /**
   * How far one TLS connection was decrypted with the key log.
   *
   * @param connection its number in the capture (1-based)
   * @param records records decrypted
   * @param stopped why decryption did not start or stopped part way, or null
   */
  public record Decryption(int connection, int records, String stopped) {}

  /** True when nothing is missing. */
  public boolean complete() {
    return gaps().isEmpty();
  }

  /** What is missing, one sentence each; empty when the capture is whole. */
  public List<String> gaps() {
    List<String> gaps = new ArrayList<>();
    if (stats == null) {
      gaps.add("libpcap's counters could not be read, so drops cannot be ruled out.");
    } else if (!stats.complete()) {
      gaps.add(
          stats.dropped()
              + " of "
              + (stats.dropped() + stats.written())
              + " packets were lost before reaching the file ("
              + stats.summary()
              + ").");
    }
    if (connections.size() != expected) {
      gaps.add(
          "the capture holds "
              + connections.size()
              + " TCP connection"
              + (connections.size() == 1 ? "" : "s")
              + " on the server's port; the demo made "
              + expected
              + ".");
    }
    for (int i = 0; i < connections.size(); i++) {
      TcpEnds.Connection c = connections.get(i);
      for (String g : c.gaps()) gaps.add(c.name(i + 1) + " " + g + ".");
    }
    for (String p : keyLogProblems) gaps.add("key log: " + p);
    for (Decryption d : decryption) {
      if (d.records() == 0) {
        gaps.add(
            "connection "
                + d.connection()
                + " was not decrypted with the key log ("
                + (d.stopped() != null ? d.stopped() : "no key matched its session")
                + ").");
      } else if (d.stopped() != null) {
        gaps.add(
            "connection "
                + d.connection()
                + ": decryption stopped after "
                + d.records()
                + " records ("
                + d.stopped()
                + ").");
      }
    }
    return gaps;
  }
}
