package tlslab.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/**
 * The live printout never holds up the capture: with a terminal that does not print at all, every
 * packet is still taken at once, and lines that do not fit the queue are skipped and counted.
 */
class LiveLabelsTest {
  /** The hand-built line is the format call's, character for character. */
  @Test
  void aLabelLineIsExactlyWhatTheFormatPatternWrites() {
    java.util.Random random = new java.util.Random(7);
    List<Long> numbers = new java.util.ArrayList<>(List.of(1L, 99_999L, 999_999L, 12_345_678L));
    List<Long> micros =
        new java.util.ArrayList<>(
            List.of(0L, 1L, 999_999L, 1_000_000L, 123_456_789L, 9_999_999_999L, -5L, -1_500_000L));
    for (int i = 0; i < 10_000; i++) {
      numbers.add(1 + (long) random.nextInt(Integer.MAX_VALUE));
      micros.add(random.nextLong() % 100_000_000_000L);
    }
    for (int i = 0; i < numbers.size(); i++) {
      long m = micros.get(i % micros.size());
      // As the annotator computes a row's time: nanoseconds since the first frame, in seconds.
      double seconds = (m * 1000) / 1e9;
      String expected =
          String.format(
              java.util.Locale.ROOT,
              "%6d %10.6f  %s -> %s  %s  %s",
              numbers.get(i),
              seconds,
              "127.0.0.1",
              "::1",
              "TLSv1.3",
              "Client Hello");
      assertThat(
              LiveLabels.line(
                  numbers.get(i), seconds, "127.0.0.1", "::1", "TLSv1.3", "Client Hello"))
          .isEqualTo(expected);
    }
  }

  @Test
  void aStuckTerminalCostsLinesNeverPacketsAndEveryLineIsAccountedFor() throws Exception {
    CountDownLatch terminal = new CountDownLatch(1);
    StringBuilder printed = new StringBuilder();
    Writer stuck =
        new Writer() {
          @Override
          public void write(char[] c, int off, int len) {
            try {
              terminal.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            synchronized (printed) {
              printed.append(c, off, len);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    List<String> notices = new CopyOnWriteArrayList<>();
    LiveLabels labels = new LiveLabels(101, new PrintWriter(stuck), notices::add, 1 << 16, 64);
    byte[] hello = clientHello();
    int connections = 5000;
    long t0 = System.nanoTime();
    for (int i = 0; i < connections; i++) {
      labels.offer(i + 1, 1_000_000L * i, packet(10000 + i, hello), 40 + hello.length);
    }
    double offerMillis = (System.nanoTime() - t0) / 1e6;
    // The labeller goes on while the terminal is stuck: wait until it has labelled everything.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (labels.tlsPackets() < connections && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(labels.tlsPackets()).as("every packet labelled").isEqualTo(connections);
    assertThat(labels.linesSkipped()).as("lines beyond the queue skipped").isPositive();
    assertThat(offerMillis).as("offering never waited for the terminal").isLessThan(30_000);
    terminal.countDown();
    labels.finish(10_000);
    long lines;
    synchronized (printed) {
      lines = printed.toString().lines().count();
      assertThat(printed.toString()).contains("Client Hello");
    }
    assertThat(lines + labels.linesSkipped())
        .as("printed + skipped = TLS packets")
        .isEqualTo(connections);
    assertThat(labels.unlabelled()).isZero();
    assertThat(notices).anySatisfy(n -> assertThat(n).contains("label lines skipped"));
  }

  @Test
  void aLabellerThatFallsBehindStopsLabellingAndCountsTheRest() throws Exception {
    List<String> notices = new CopyOnWriteArrayList<>();
    // A queue of 4 packets: offering 10,000 at once must overflow it.
    LiveLabels labels =
        new LiveLabels(101, new PrintWriter(Writer.nullWriter()), notices::add, 4, 64);
    byte[] hello = clientHello();
    for (int i = 0; i < 10_000; i++) {
      labels.offer(i + 1, i, packet(10000 + i, hello), 40 + hello.length);
    }
    labels.finish(10_000);
    assertThat(labels.unlabelled()).isPositive();
    assertThat(labels.tlsPackets() + labels.unlabelled()).isEqualTo(10_000);
    assertThat(notices).anySatisfy(n -> assertThat(n).contains("live labels stopped at packet"));
  }

  /** A real JSSE Client Hello record, made without a network. */
  private static byte[] clientHello() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, null, null);
    SSLEngine e = ctx.createSSLEngine("localhost", 443);
    e.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
    e.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** Raw IPv4 (link type 101) TCP segment 10.0.0.1:port -> 10.0.0.2:443 carrying payload. */
  private static byte[] packet(int port, byte[] payload) {
    ByteBuffer p = ByteBuffer.allocate(40 + payload.length);
    p.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length));
    p.putShort((short) 1).putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0);
    p.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
    p.putShort((short) port).putShort((short) 443).putInt(1).putInt(1);
    p.put((byte) 0x50)
        .put((byte) 0x18)
        .putShort((short) 65535)
        .putShort((short) 0)
        .putShort((short) 0);
    p.put(payload);
    return p.array();
  }
}
