package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost silently: when the capturing program recorded that it dropped packets (a pcapng
 * Interface Statistics Block, as dumpcap writes at the end of a capture), annotate says so, since
 * the gaps and retransmissions a student then sees may be the capture's and not the network's. A
 * real openssl session, turned into pcapng by editcap, gets the block a capture with drops ends
 * with.
 */
class CaptureDropsTest {
  @Test
  void dropsTheCaptureRecordedAreSaidAndNoneMeansNoWarning() throws Exception {
    LoopbackCaptures.Capture c = TruthOnRealPeersTest.tls13EarlyData();
    Path d = LoopbackCaptures.dir();
    Path ng = d.resolve("drops-base.pcapng");
    Process p =
        new ProcessBuilder("editcap", "-F", "pcapng", c.file().toString(), ng.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("editcap").isZero();

    // An earlier block and a final one for the same interface: the counters run from the start of
    // the capture, so the final one alone counts (4 + 2), not the sum.
    Path dropped =
        withStatistics(
            ng, d.resolve("drops.pcapng"), List.of(new long[] {3, 0}, new long[] {4, 2}));
    AnnotateReport.Result r = run(dropped, new StringWriter());
    assertThat(r.fileProblem())
        .isEqualTo(
            "the capture's own statistics (pcapng Interface Statistics Block) say 6 packets were"
                + " dropped before reaching the file: a gap or retransmission below may be the"
                + " capture's, not the network's");
    StringWriter table = new StringWriter();
    run(dropped, table);
    assertThat(table.toString()).contains("FILE PROBLEM: the capture's own statistics");
    // The browser page says the same (one place works it out for both).
    AnnotateReport.Result html =
        tlslab.annotate.html.HtmlReport.write(
            dropped,
            KeyMaterial.none(),
            AnnotateReport.View.plain(true),
            new PrintWriter(new StringWriter(), true));
    assertThat(html.fileProblem()).isEqualTo(r.fileProblem());
    // The frames are all still annotated: the warning is added, nothing is taken away.
    AnnotateReport.Result plain = run(ng, new StringWriter());
    assertThat(r.frames()).isEqualTo(plain.frames());
    assertThat(plain.fileProblem()).isNull();

    Path none =
        withStatistics(ng, d.resolve("no-drops.pcapng"), List.<long[]>of(new long[] {0, 0}));
    assertThat(run(none, new StringWriter()).fileProblem()).isNull();
  }

  private static AnnotateReport.Result run(Path file, StringWriter out) {
    return AnnotateReport.run(
        file, KeyMaterial.none(), OutputFormat.TABLE, false, new PrintWriter(out, true));
  }

  /**
   * A copy of {@code from} with Interface Statistics Blocks (pcapng 4.6, little-endian as editcap
   * writes here) for interface 0 appended: {isb_ifdrop, isb_osdrop} per block.
   */
  private static Path withStatistics(Path from, Path to, List<long[]> blocks) throws Exception {
    Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (long[] b : blocks) {
      int bodyLength = 4 + 4 + 4 + 12 + 12 + 4; // interface, timestamp, 2 options, end
      int total = 8 + bodyLength + 4;
      ByteBuffer isb =
          ByteBuffer.allocate(total)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putInt(5)
              .putInt(total)
              .putInt(0) // interface 0
              .putInt(0)
              .putInt(0) // timestamp
              .putShort((short) 5) // isb_ifdrop
              .putShort((short) 8)
              .putLong(b[0])
              .putShort((short) 7) // isb_osdrop
              .putShort((short) 8)
              .putLong(b[1])
              .putInt(0) // opt_endofopt
              .putInt(total);
      Files.write(to, isb.array(), StandardOpenOption.APPEND);
    }
    return to;
  }
}
