package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.HandshakeReadingCheck;

/**
 * A capture's {@code .stats} file (how many packets libpcap dropped) is the capturing program's
 * word, in a file the student hands in and can edit. The cheat: a frame cut out of a real capture
 * with editcap (here the client's first Application Data), and the {@code .stats} edited to count
 * the frames left, or deleted. The counters then agree with the file; the file's own TCP sequence
 * numbers do not, and the check says so, with the frame tshark (the oracle) marks "previous segment
 * not captured" or "ACKed unseen segment".
 */
class EditedCaptureTest {
  @TempDir Path tmp;

  /**
   * alice's exercise-2 evidence with the server's first Application Data frame cut out (what the
   * client sent, her challenge, stays: the cut is one the TLS layer of her side does not show).
   */
  private Path cut() {
    Path w = StudentWork.copy(StudentWork.get().mine, tmp.resolve("work"));
    Path pcap = w.resolve("captures/02.pcap");
    int port = Evidence.serverPort(Evidence.facts(pcap));
    long data =
        tsharkFrames(
                pcap,
                "tls.record.content_type == 23 && tcp.srcport == " + port,
                "tcp.port==" + port + ",tls")
            .get(0);
    Path edited = tmp.resolve("edited.pcap");
    run("editcap", "-F", "pcap", pcap.toString(), edited.toString(), String.valueOf(data));
    Evidence.copy(edited, pcap);
    return w;
  }

  @Test
  void aFrameCutOutWithTheStatsEditedToMatchIsCaught() {
    Path w = cut();
    Path pcap = w.resolve("captures/02.pcap");
    long frames = tsharkFrames(pcap, "frame").size();
    Path stats = w.resolve("captures/02.pcap.stats");
    // The counters made to agree with the file: as many written and received as it holds.
    Evidence.write(
        stats,
        Evidence.read(stats)
            .replaceAll("(?m)^written=\\d+$", "written=" + frames)
            .replaceAll("(?m)^received=\\d+$", "received=" + frames));
    List<Long> holes =
        tsharkFrames(pcap, "tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment");
    assertThat(holes).as("tshark sees the hole editcap made").isNotEmpty();

    Report r = check(new HandshakeReadingCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "02.pcap lost no packets").hint())
        .contains(
            "its own TCP sequence numbers show bytes missing",
            "from frame " + holes.get(0),
            "previous segment not captured",
            "whatever 02.pcap.stats says");
  }

  @Test
  void aFrameCutOutWithTheStatsDeletedIsCaught() throws IOException {
    Path w = cut();
    Files.delete(w.resolve("captures/02.pcap.stats"));
    Report r = check(new HandshakeReadingCheck(), w);
    assertThat(failed(r, "02.pcap lost no packets").hint())
        .contains("its own TCP sequence numbers show bytes missing")
        .doesNotContain("whatever");
  }

  @Test
  void theHonestCaptureShowsNoHole() {
    Path pcap = StudentWork.get().mine.resolve("captures/02.pcap");
    assertThat(tsharkFrames(pcap, "tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment"))
        .isEmpty();
    Report r = check(new HandshakeReadingCheck(), StudentWork.get().mine);
    assertThat(r.items())
        .anyMatch(i -> i.ok() && i.requirement().equals("02.pcap lost no packets"));
  }

  /** The numbers of the frames of {@code pcap} that tshark's display filter matches. */
  private static List<Long> tsharkFrames(Path pcap, String filter) {
    return tsharkFrames(pcap, filter, "tcp.port==443,tls");
  }

  private static List<Long> tsharkFrames(Path pcap, String filter, String decodeAs) {
    List<Long> out = new ArrayList<>();
    for (String l :
        run(
                "tshark",
                "-r",
                pcap.toString(),
                "-d",
                decodeAs,
                "-Y",
                filter,
                "-T",
                "fields",
                "-e",
                "frame.number")
            .split("\n")) {
      if (!l.isBlank()) {
        out.add(Long.parseLong(l.strip()));
      }
    }
    return out;
  }

  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ends", List.of(cmd)).isTrue();
      assertThat(p.exitValue()).as("%s: %s", List.of(cmd), out).isZero();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(cmd[0] + " (the tshark package) is needed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
