package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lab server --warm-up}: out-of-range values are refused in one line, before anything. */
class ServerWarmUpOptionTest {
  @TempDir Path dir;

  @Test
  void negativeOrOverAMinuteIsAUsageError() {
    for (String value : new String[] {"-1", "61", "NaN"}) {
      CliRun.Result r =
          CliRun.run("server", "--certs", dir.toString(), "--port", "0", "--warm-up", value);
      assertThat(r.exit()).as(value).isEqualTo(ExitCode.USAGE);
      assertThat(r.err())
          .as(value)
          .contains("--warm-up: 0 to 60 seconds")
          .doesNotContain("Exception");
    }
  }
}
