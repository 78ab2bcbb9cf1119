package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.capture.TcpEnds;

/** {@code lab capture}'s command line: mistakes are one line and exit 2, before any capture. */
class CaptureCommandTest {
  @TempDir Path dir;

  private static CliRun.Result capture(String... args) {
    return CliRun.command("capture", args);
  }

  @Test
  void keylogNeedsAPcapngName() {
    CliRun.Result r =
        capture(
            "--keylog", dir.resolve("k.log").toString(), "--out", dir.resolve("x.pcap").toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("name the output FILE.pcapng").doesNotContain("Exception");
    assertThat(dir.resolve("x.pcap")).doesNotExist();
  }

  @Test
  void badSizesAndSnaplenAreUsageErrors() {
    Path out = dir.resolve("y.pcap");
    assertThat(capture("--buffer-size", "lots", "--out", out.toString()).exit())
        .isEqualTo(ExitCode.USAGE);
    assertThat(capture("--snaplen", "10", "--out", out.toString()).err())
        .contains("--snaplen must be 64..262144");
    assertThat(capture("--status", "-1", "--out", out.toString()).exit()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void anExistingFileIsNotOverwrittenWithoutForce() throws Exception {
    Path out = Files.writeString(dir.resolve("old.pcap"), "keep me");
    CliRun.Result r = capture("--out", out.toString(), "--duration", "1");
    assertThat(r.exit()).isEqualTo(ExitCode.REFUSED);
    assertThat(Files.readString(out)).isEqualTo("keep me");
  }

  /** The end-of-capture report on connections: whole ones counted, each cut one named. */
  @Test
  void theSummaryNamesEachConnectionTheFileDoesNotHoldWhole() {
    TcpEnds.Connection whole =
        new TcpEnds.Connection(
            "127.0.0.1:5000", "127.0.0.1:8443", true, true, true, false, true, 20);
    TcpEnds.Connection open =
        new TcpEnds.Connection(
            "127.0.0.1:5001", "127.0.0.1:8443", true, false, false, false, false, 9);
    TcpEnds.Connection late =
        new TcpEnds.Connection(
            "127.0.0.1:5002", "127.0.0.1:8443", false, true, true, false, true, 7);
    assertThat(report(List.of(whole)))
        .isEqualTo("lab capture: the TCP connection in the file is whole (SYN to the last ACK)\n");
    assertThat(report(List.of(whole, whole)))
        .startsWith("lab capture: all 2 TCP connections in the file are whole");
    assertThat(report(List.of(whole, open, late)))
        .startsWith("lab capture: 2 of 3 TCP connections are cut: ")
        .contains(
            "lab capture:   connection 2 (127.0.0.1:5001 to 127.0.0.1:8443) has no FIN: its end"
                + " is not in the capture.\n")
        .contains(
            "lab capture:   connection 3 (127.0.0.1:5002 to 127.0.0.1:8443) has no SYN: its start"
                + " is not in the capture.\n")
        .doesNotContain("connection 1 ");
    List<TcpEnds.Connection> many = new ArrayList<>();
    for (int i = 0; i < CaptureCommand.LISTED + 5; i++) many.add(open);
    String r = report(many);
    assertThat(r.lines().filter(l -> l.contains("has no FIN"))).hasSize(CaptureCommand.LISTED);
    assertThat(r).contains("and 5 more cut connections");
    assertThat(report(List.of())).isEmpty();
  }

  private static String report(List<TcpEnds.Connection> connections) {
    StringWriter w = new StringWriter();
    CaptureCommand.reportConnections(new PrintWriter(w, true), connections);
    return w.toString().replace(System.lineSeparator(), "\n");
  }

  @Test
  void theReadmeAndHelpNameTheIncompleteCaptureExitCode() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String codes = readme.substring(readme.indexOf("## Exit codes"));
    assertThat(codes).contains(ExitCode.INCOMPLETE + " incomplete: a capture lost packets");
    assertThat(ExitCode.TABLE).contains(ExitCode.INCOMPLETE + " incomplete");
  }
}
