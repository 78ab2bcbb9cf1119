package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.cli.CliRun;

/**
 * {@code lab mitm}'s command line: usage errors exit 2 with one line, a taken port exits 5 after
 * the banner, an existing log is not overwritten (exit 6), and a non-loopback address is warned
 * about. (A running mitm blocks until Ctrl-C; the library tests drive it.)
 */
class MitmCommandTest {
  @TempDir Path dir;

  private static CliRun.Result lab(String... args) {
    return CliRun.run(args);
  }

  @Test
  void interceptNeedsTheAttackersCertificates() {
    CliRun.Result r = lab("mitm", "--upstream", "localhost:8443");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("lab mitm: give the attacker's certificates (--certs DIR");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void tapAndTamperExcludeEachOther() {
    CliRun.Result r = lab("mitm", "--upstream", "localhost:8443", "--tap", "--tamper", "downgrade");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--tap and --tamper exclude each other");
  }

  @Test
  void theUpstreamMustBeHostAndPort() {
    assertThat(lab("mitm", "--tap", "--upstream", "localhost").exit()).isEqualTo(2);
    assertThat(lab("mitm", "--tap", "--upstream", "localhost:http").err()).contains("not a number");
    assertThat(lab("mitm", "--tap").err()).contains("--upstream");
  }

  @Test
  void anUnknownTamperModeNamesTheChoices() {
    CliRun.Result r = lab("mitm", "--upstream", "localhost:8443", "--tamper", "evil");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("choose one of: strip-dhe, downgrade, flip-random");
  }

  @Test
  void aTakenPortExitsFiveAfterTheBanner() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun.Result r =
          lab(
              "mitm",
              "--tap",
              "--listen",
              String.valueOf(taken.getLocalPort()),
              "--upstream",
              "localhost:8443");
      assertThat(r.exit()).isEqualTo(5);
      assertThat(r.err()).startsWith("lab mitm: THIS IS A MAN-IN-THE-MIDDLE ATTACKER");
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void anotherAddressThanLoopbackIsWarnedAbout() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("0.0.0.0", 0));
      CliRun.Result r =
          lab(
              "mitm",
              "--tamper",
              "flip-random",
              "--bind",
              "0.0.0.0",
              "--listen",
              String.valueOf(taken.getLocalPort()),
              "--upstream",
              "localhost:8443");
      assertThat(r.err()).contains("WARNING: listening on 0.0.0.0, not loopback");
      assertThat(r.exit()).isEqualTo(5);
    }
  }

  @Test
  void anExistingLogIsNotOverwritten() throws Exception {
    Path log = dir.resolve("mitm.jsonl");
    Files.writeString(log, "someone's evidence\n");
    CliRun.Result r = lab("mitm", "--tap", "--upstream", "localhost:8443", "--log", log.toString());
    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err()).contains("exists; use --force");
    assertThat(Files.readString(log)).isEqualTo("someone's evidence\n");
  }
}
