package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.tls.TlsEngine;

/**
 * {@code lab server --engine}: the native engine cannot be combined with what only JSSE can do
 * (trace, key log, stapling, revocation), and says so in one line before anything starts.
 */
class ServerEngineOptionTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private static Run server(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    String[] all = new String[args.length + 1];
    all[0] = "server";
    System.arraycopy(args, 0, all, 1, args.length);
    return new Run(cmd.execute(all), err.toString());
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
      Run r = server(args);
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
    Run r = server("--engine", "conscrypt", "--certs", dir.toString());
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
