package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lab server --warm-up}: out-of-range values are refused in one line, before anything. */
class ServerWarmUpOptionTest {
  @TempDir Path dir;

  @Test
  void negativeOrOverAMinuteIsAUsageError() {
    for (String value : new String[] {"-1", "61", "NaN"}) {
      CommandLine cmd = Main.commandLine();
      StringWriter err = new StringWriter();
      cmd.setErr(new PrintWriter(err, true));
      cmd.setOut(new PrintWriter(new StringWriter(), true));
      int exit =
          cmd.execute("server", "--certs", dir.toString(), "--port", "0", "--warm-up", value);
      assertThat(exit).as(value).isEqualTo(ExitCode.USAGE);
      assertThat(err.toString())
          .as(value)
          .contains("--warm-up: 0 to 60 seconds")
          .doesNotContain("Exception");
    }
  }
}
