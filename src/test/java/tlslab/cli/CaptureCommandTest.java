package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lab capture}'s command line: mistakes are one line and exit 2, before any capture. */
class CaptureCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private static Run capture(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    String[] all = new String[args.length + 1];
    all[0] = "capture";
    System.arraycopy(args, 0, all, 1, args.length);
    return new Run(cmd.execute(all), err.toString());
  }

  @Test
  void keylogNeedsAPcapngName() {
    Run r =
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
    Run r = capture("--out", out.toString(), "--duration", "1");
    assertThat(r.exit()).isEqualTo(ExitCode.REFUSED);
    assertThat(Files.readString(out)).isEqualTo("keep me");
  }

  @Test
  void theReadmeAndHelpNameTheIncompleteCaptureExitCode() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String codes = readme.substring(readme.indexOf("## Exit codes"));
    assertThat(codes).contains(ExitCode.INCOMPLETE + " incomplete: a capture lost packets");
    assertThat(ExitCode.TABLE).contains(ExitCode.INCOMPLETE + " incomplete");
  }
}
