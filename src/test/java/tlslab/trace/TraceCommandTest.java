package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;

/** {@code lab trace} as a command: what it prints, and its errors and exit codes. */
@Tag("jdk")
class TraceCommandTest {
  private static final Pattern HEX_DUMP =
      Pattern.compile("(?m)^\\s*[0-9A-Fa-f]{4}: [0-9A-Fa-f]{2} ");
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  private record Run(int exit, String out, String err) {}

  private static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void printsBothSidesInterleavedIn80ColumnsWithoutDumps(@TempDir Path tmp) throws Exception {
    Path json = tmp.resolve("work/traces/t.jsonl"); // folders are created, as the exercises need
    Run r = lab("trace", "--certs", certs.toString(), "--trace-json", json.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("client → Client Hello         TLS 1.2, 4 suites, SNI localhost")
        .contains("server ← Client Hello")
        .contains("server → New Session Ticket   lifetime 86400 s")
        .contains("client → Finished", "server → Finished")
        .contains("connection 1: TLSv1.2 TLS_ECDHE_");
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);
    assertThat(HEX_DUMP.matcher(r.out()).find()).isFalse();
    // Consumed lines repeat no details: the producer's line has them.
    assertThat(r.out().lines().filter(l -> l.contains(" ← Client Hello")))
        .allMatch(l -> l.endsWith("← Client Hello"));
    assertThat(Files.readAllLines(json)).hasSizeGreaterThanOrEqualTo(22);
  }

  @Test
  void refusesToOverwriteTheJsonTrace(@TempDir Path tmp) throws Exception {
    Path json = Files.writeString(tmp.resolve("t.jsonl"), "keep me\n");
    Run r = lab("trace", "--certs", certs.toString(), "--trace-json", json.toString());

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err().strip()).startsWith("lab trace: ").contains("exists").doesNotContain("\n");
    assertThat(Files.readString(json)).isEqualTo("keep me\n");
  }

  /** {@code --port P}: the server listens there (a capture can take that port alone). */
  @Test
  void listensOnTheGivenPortAndSaysWhere() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run r = lab("trace", "--certs", certs.toString(), "--port", String.valueOf(port));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("server listening on 127.0.0.1:" + port + "\n");
  }

  /** A port another program holds: one line saying so and what to do, exit 5 (network). */
  @Test
  void aPortInUseIsOneLineAndExit5() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Run r =
          lab("trace", "--certs", certs.toString(), "--port", String.valueOf(taken.getLocalPort()));

      assertThat(r.exit()).isEqualTo(5);
      assertThat(r.err().strip())
          .startsWith("lab trace: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("choose another --port")
          .doesNotContain("\n")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aPortOutOfRangeIsBadInput() {
    Run r = lab("trace", "--certs", certs.toString(), "--port", "70000");

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err().strip()).isEqualTo("lab trace: port 70000 is not a TCP port (0 to 65535)");
  }

  @Test
  void unknownProfileIsAUsageError() {
    Run r = lab("trace", "--profile", "ssl3");

    // Converted while the command line is parsed (ProfileMixin): a usage error, exit 2.
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown profile 'ssl3'").doesNotContain("Exception");
  }

  /**
   * A JVM without {@code --add-opens java.base/sun.security.ssl}: the key logger cannot reach
   * JSSE's secrets, says so in one line, exits 4 and writes no file.
   */
  @Test
  void keyLogThatCannotWorkIsRefusedBeforeAFileIsWritten(@TempDir Path tmp) throws Exception {
    Path keys = tmp.resolve("keys.log");
    TraceFixtures.Cli r =
        TraceFixtures.lab(false, "trace", "--certs", certs.toString(), "--keylog", keys.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
    assertThat(r.err().strip())
        .startsWith("lab trace: key log: ")
        .contains("--add-opens java.base/sun.security.ssl=ALL-UNNAMED")
        .doesNotContain("\n")
        .doesNotContain("Exception:");
    assertThat(keys).doesNotExist();
  }

  @Test
  void benchTracePrintsBothRatesFromOneRun() {
    Run r = lab("bench", "trace", "--count", "16");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("tracing off: +[0-9.]+ handshakes/s")
        .containsPattern("tracing on: +[0-9.]+ handshakes/s +\\(.*22 events per handshake\\)")
        .containsPattern("cost of tracing: [+-][0-9.]+ ms per handshake");
  }
}
