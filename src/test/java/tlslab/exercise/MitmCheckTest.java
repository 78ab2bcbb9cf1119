package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.MitmCheck;

/**
 * Exercise 8: the refusal is what {@code lab client} really printed against the impostor; the
 * capture is the insecure client's real session with it.
 */
class MitmCheckTest {
  static final String FIX =
      "fix: the client must verify the server certificate and hostname against the trusted lab"
          + " CA (--ca), never --insecure\n";
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/08.txt"), text);
    return w;
  }

  @Test
  void theRefusalTheImpostorsCaptureAndTheFixPass() throws IOException {
    assertThat(Files.readString(work.mine.resolve("answers/08-refused.txt")))
        .startsWith("lab client: server certificate at localhost:");
    Report r = check(new MitmCheck(), withAnswers(FIX));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(7);
  }

  @Test
  void aRefusalThatIsNoCertificateProblemFails() {
    Path w = withAnswers(FIX);
    Evidence.write(
        w.resolve("answers/08-refused.txt"),
        "lab client: cannot connect to localhost:9443: Connection refused\n");
    Report r = check(new MitmCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "refusal names a certificate problem").hint())
        .contains("impostor server running", "Connection refused".toLowerCase());
  }

  @Test
  void aCaptureOfTheRealServerFails() {
    Path w = withAnswers(FIX);
    Evidence.copy(w.resolve("captures/02.pcap"), w.resolve("captures/08.pcap"));
    Report r = check(new MitmCheck(), w);
    assertThat(failed(r, "not issued by your CA").hint())
        .contains("your real server", "work/evil".replace("work/", ""));
  }

  @Test
  void someoneElsesImpostorFails() {
    Path w = withAnswers(FIX);
    // The friend's server is not from my CA either, but it is not my impostor.
    Evidence.copy(work.friend.resolve("captures/02.pcap"), w.resolve("captures/08.pcap"));
    Report r = check(new MitmCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "the impostor in the capture is yours").hint()).contains("not your");
  }

  @Test
  void aCaptureThatEndsAtTheHandshakeFails() {
    Path w = withAnswers(FIX);
    Path pcap = work.mine.resolve("captures/08.pcap");
    long firstData = Evidence.firstFrameLabelled(pcap, "Application Data");
    Evidence.keepFrames(pcap, w.resolve("captures/08.pcap"), n -> n < firstData);
    Report r = check(new MitmCheck(), w);
    assertThat(failed(r, "the insecure client went on").hint()).contains("--insecure");
  }

  @Test
  void noImpostorCertificatesFail() {
    Path w = withAnswers(FIX);
    w.resolve("evil/server.pem").toFile().delete();
    Report r = check(new MitmCheck(), w);
    assertThat(failed(r, "your impostor's certificate exists").hint())
        .contains("lab certs init --dir", "--cn evil.example");
  }

  @Test
  void aVagueFixFails() {
    Report r = check(new MitmCheck(), withAnswers("fix: use a better password\n"));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "fix names").hint()).contains("--insecure");
  }
}
