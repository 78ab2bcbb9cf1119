package tlslab.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * TcpEnds on a real capture (two TLS 1.2 connections over loopback, the second resumed; tshark
 * numbers their SYNs 1 and 22, their FINs 19/20 and 37/40) and on the same capture with its start
 * or its end cut off, as a capture that started late or stopped early holds it.
 */
class TcpEndsTest {
  private static final Path RESUMED = Path.of("src/test/resources/captures/tls12-resumed.pcap");

  @Test
  void aWholeCaptureHoldsBothConnectionsFromSynToTheLastAck() {
    TcpEnds ends = feed(frames(RESUMED), 1, 41);
    List<TcpEnds.Connection> c = ends.connections();
    assertThat(c).hasSize(2);
    assertThat(c.get(0).client()).isEqualTo("127.0.0.1:55466");
    assertThat(c.get(0).server()).isEqualTo("127.0.0.1:44937");
    assertThat(c.get(1).client()).isEqualTo("127.0.0.1:55476");
    assertThat(c).allSatisfy(x -> assertThat(x.whole()).isTrue());
    assertThat(c.get(0).packets() + c.get(1).packets()).isEqualTo(41);
    assertThat(ends.allClosed(2)).isTrue();
    assertThat(ends.allClosed(3)).as("a third connection was never seen").isFalse();
  }

  @Test
  void aCaptureThatStartedAfterTheSynSaysTheStartIsMissing() {
    TcpEnds ends = feed(frames(RESUMED), 4, 41);
    TcpEnds.Connection first = ends.connections().get(0);
    assertThat(first.opened()).isFalse();
    assertThat(first.closed()).isTrue();
    assertThat(first.whole()).isFalse();
    assertThat(ends.connections().get(1).whole()).isTrue();
  }

  @Test
  void aCaptureThatStoppedBeforeTheLastPacketsSaysTheEndIsMissing() {
    List<Frame> all = frames(RESUMED);
    // Up to the client's FIN of the second connection (frame 37): the server's FIN is missing.
    TcpEnds beforeServerFin = feed(all, 1, 37);
    TcpEnds.Connection second = beforeServerFin.connections().get(1);
    assertThat(second.clientFin()).isTrue();
    assertThat(second.serverFin()).isFalse();
    assertThat(second.closed()).isFalse();
    assertThat(beforeServerFin.allClosed(2)).isFalse();
    // Up to the server's FIN (frame 40): only the last ACK (frame 41) is missing.
    TcpEnds beforeLastAck = feed(all, 1, 40);
    assertThat(beforeLastAck.connections().get(1).serverFin()).isTrue();
    assertThat(beforeLastAck.connections().get(1).lastAck()).isFalse();
    assertThat(beforeLastAck.allClosed(2)).isFalse();
    assertThat(beforeLastAck.connections().get(0).whole()).isTrue();
  }

  @Test
  void aNewSynOnTheSameEndpointsAfterBothFinsIsANewConnection() {
    List<Frame> all = frames(RESUMED);
    TcpEnds ends = feed(all, 1, 21);
    for (Frame f : all.subList(0, 21)) ends.add(f);
    assertThat(ends.connections()).hasSize(2);
    assertThat(ends.connections()).allSatisfy(c -> assertThat(c.whole()).isTrue());
  }

  /**
   * Packets of two connections taken in turns (as on a busy interface) give each connection what it
   * gets alone: the count of a packet that belongs to the previous packet's connection takes a
   * shortcut, and a switch between connections must not lose or misplace anything.
   */
  @Test
  void packetsOfTwoConnectionsInTurnsAreCountedAsEachAlone() {
    List<Frame> all = frames(RESUMED);
    List<Frame> first = all.subList(0, 21);
    List<Frame> second = all.subList(21, 41);
    TcpEnds mixed = new TcpEnds();
    for (int i = 0; i < 21; i++) {
      mixed.add(first.get(i));
      if (i < second.size()) mixed.add(second.get(i));
      if (i < second.size() && i % 3 == 0) mixed.add(second.get(i)); // a retransmission
    }
    TcpEnds inOrder = feed(all, 1, 41);
    List<TcpEnds.Connection> m = mixed.connections();
    List<TcpEnds.Connection> o = inOrder.connections();
    assertThat(m).hasSize(2);
    assertThat(m.get(0)).isEqualTo(o.get(0));
    assertThat(m.get(1).packets()).isEqualTo(o.get(1).packets() + 7);
    assertThat(m.get(1).whole()).isTrue();
    // Cut after the first connection's FINs and before the second's: each says so on its own.
    TcpEnds cut = new TcpEnds();
    for (int i = 0; i < 21; i++) {
      cut.add(first.get(i));
      if (i < 14) cut.add(second.get(i));
    }
    assertThat(cut.connections().get(0).gaps()).isEmpty();
    assertThat(cut.connections().get(1).gaps())
        .containsExactly("has no FIN: its end is not in the capture");
    assertThat(feed(all, 4, 37).connections())
        .extracting(TcpEnds.Connection::gaps)
        .containsExactly(
            List.of("has no SYN: its start is not in the capture"),
            List.of("has no FIN from the server: its end is not in the capture"));
  }

  /** A fresh TcpEnds fed frames {@code from..to} (1-based, inclusive). */
  private static TcpEnds feed(List<Frame> all, int from, int to) {
    TcpEnds ends = new TcpEnds();
    for (Frame f : all.subList(from - 1, to)) ends.add(f);
    return ends;
  }

  private static List<Frame> frames(Path file) {
    List<Frame> out = new ArrayList<>();
    try (CaptureReader r = CaptureReader.open(file)) {
      Frame f = new Frame();
      while (r.next(f)) out.add(f.copy());
    }
    assertThat(out).hasSize(41);
    return out;
  }
}
