package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.ForwardSecrecyCheck;

/** Exercise 5: the checker decrypts the student's report capture with their server key. */
@Tag("jdk") // the report profile's TLS_RSA suite is disabled by default on JDK 25
class ForwardSecrecyCheckTest {
  static final String WHY =
      "why-modern-fails: ECDHE uses ephemeral keys, so the server key never encrypts the"
          + " pre-master secret (forward secrecy)\n";
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/05.txt"), text);
    return w;
  }

  @Test
  void aLineReallyInTheReportCaptureAndAGoodReasonPass() {
    Report r =
        check(
            new ForwardSecrecyCheck(),
            withAnswers("decrypted-line: " + StudentWork.REPORT_LINE + "\n" + WHY));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(9);
  }

  @Test
  void anInventedOrGuessableLineFails() {
    for (String line : new String[] {"attack at dawn", "* you are now alice", "/nick alice"}) {
      Report r =
          check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + line + "\n" + WHY));
      assertThat(failures(r)).hasSize(1);
      assertThat(failed(r, "decrypted-line").hint()).contains("is not a line of that chat");
    }
  }

  @Test
  void anEcdheCaptureInPlaceOfTheReportOneDecryptsNothing() {
    Path w = withAnswers("decrypted-line: " + StudentWork.REPORT_LINE + "\n" + WHY);
    Evidence.copy(work.mine.resolve("captures/02.pcap"), w.resolve("captures/04-report.pcap"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "decrypted-line").hint()).contains("decrypts nothing", "TLS_RSA");
  }

  @Test
  void aReportCaptureInPlaceOfTheModernOneDecryptsAndFails() {
    Path w = withAnswers("decrypted-line: " + StudentWork.REPORT_LINE + "\n" + WHY);
    Evidence.copy(
        work.mine.resolve("captures/04-report.pcap"), w.resolve("captures/04-modern.pcap"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "04-modern.pcap cannot be decrypted with server.key").hint())
        .contains("not an ECDHE session");
  }

  @Test
  void aFriendsKeyDoesNotDecryptMyCapture() {
    Path w = withAnswers("decrypted-line: " + StudentWork.REPORT_LINE + "\n" + WHY);
    Evidence.copy(work.friend.resolve("certs/server.key"), w.resolve("certs/server.key"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "decrypted-line").hint()).contains("decrypts nothing");
  }

  @Test
  void aVagueReasonFails() {
    Report r =
        check(
            new ForwardSecrecyCheck(),
            withAnswers(
                "decrypted-line: "
                    + StudentWork.REPORT_LINE
                    + "\nwhy-modern-fails: it is more secure\n"));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "why-modern-fails").hint()).contains("ECDHE");
  }

  @Test
  void aKeyThatIsNotAPrivateKeyFails() {
    Path w = withAnswers("decrypted-line: x\n" + WHY);
    Evidence.copy(w.resolve("certs/server.pem"), w.resolve("certs/server.key"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "your server.key is an RSA private key").hint())
        .contains("not an unencrypted PEM private key");
  }
}
