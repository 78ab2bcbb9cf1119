package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.TlsEngine;

/**
 * {@code lab server --engine}: the native engine cannot be combined with what only JSSE can do
 * (trace, key log, stapling, revocation), and says so in one line before anything starts.
 */
class ServerEngineOptionTest {
  @TempDir Path dir;

  private static CliRun.Result server(String... args) {
    return CliRun.command("server", args);
  }

  @Test
  void boringSslRefusesTheKeyLogAndTheTrace() {
    Path keyLog = dir.resolve("keys.log");
    for (String[] option :
        new String[][] {{"--keylog", keyLog.toString()}, {"--trace"}, {"--staple"}}) {
      String[] args = new String[option.length + 4];
      args[0] = "--engine";
      args[1] = "boringssl";
      args[2] = "--certs";
      args[3] = dir.toString();
      System.arraycopy(option, 0, args, 4, option.length);
      CliRun.Result r = server(args);
      assertThat(r.exit()).as(String.join(" ", option)).isEqualTo(ExitCode.USAGE);
      assertThat(r.err())
          .contains("--engine boringssl cannot trace, key-log, staple or check revocation")
          .contains("use --engine jsse")
          .doesNotContain("Exception");
    }
    assertThat(keyLog).doesNotExist();
  }

  @Test
  void unknownEngineIsAUsageError() {
    CliRun.Result r = server("--engine", "conscrypt", "--certs", dir.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("unknown engine 'conscrypt' (choose one of: jsse, boringssl)");
  }

  @Test
  void theNativeEngineNamesWhatItCannotDo() {
    assertThat(TlsEngine.JSSE.limitation()).isNull();
    assertThat(TlsEngine.BORINGSSL.limitation())
        .startsWith("NOTE: engine 'boringssl'")
        .contains("no handshake trace, no key log");
  }
}
