package tlslab.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Test helper: waits on what a capture file holds instead of pausing before a capture is stopped.
 * The last packets of a closed connection (FIN, the last ACK) reach the capturing program a moment
 * after the sockets close, and a loaded machine stretches that moment; a fixed pause lost them.
 */
public final class CaptureFiles {
  private CaptureFiles() {}

  /** The TCP connections {@code pcap} holds so far ({@link TcpEnds}); empty before its header. */
  public static List<TcpEnds.Connection> connections(Path pcap) throws IOException {
    TcpEnds ends = new TcpEnds();
    if (Files.exists(pcap) && Files.size(pcap) >= 24) {
      // A packet still being written is a truncated tail: read as far as it goes, look again later.
      try (CaptureReader r = CaptureReader.open(pcap)) {
        Frame f = new Frame();
        while (r.next(f)) ends.add(f);
      }
    }
    return ends.connections();
  }

  /**
   * Waits until the growing file {@code pcap} (tcpdump -U, or lab capture, which flushes once a
   * second) holds at least {@code connections} TCP connections and every one of them whole, from
   * its SYN to its end; fails after {@code seconds}, a generous bound for a loaded machine, naming
   * what is missing.
   */
  public static void awaitWhole(Path pcap, int connections, long seconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<TcpEnds.Connection> seen = List.of();
    while (System.nanoTime() < deadline) {
      seen = connections(pcap);
      if (seen.size() >= connections && seen.stream().allMatch(TcpEnds.Connection::whole)) return;
      Thread.sleep(20); // polling the file, bounded by the deadline
    }
    StringBuilder what = new StringBuilder();
    for (int i = 0; i < seen.size(); i++) {
      if (!seen.get(i).whole())
        what.append("; ").append(seen.get(i).name(i + 1)).append(' ').append(seen.get(i).gaps());
    }
    throw new AssertionError(
        pcap
            + ": after "
            + seconds
            + " s the file holds "
            + seen.size()
            + " TCP connection(s), want "
            + connections
            + " whole"
            + what);
  }
}
