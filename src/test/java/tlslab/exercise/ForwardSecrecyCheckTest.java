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
  static String printed;
  static String reply;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
    // The server's /whoami reply exactly as lab annotate --key prints it, as a student pastes it.
    printed = Evidence.printedWhoamiReply(work.mine);
    reply = printed.replaceFirst("^\\| ", "");
    frame = "decrypted-frame: " + Evidence.printedWhoamiFrame(work.mine) + "\n";
  }

  static String frame;

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/05.txt"), text);
    return w;
  }

  @Test
  void theServersReplyPastedEitherWayPassesAndTheReasonIsCollected() {
    // Printed under "decrypted (server, text lines):" as "| * you are ...": the table's margin.
    assertThat(printed).startsWith("| * you are ").doesNotEndWith("\\n");
    for (String line :
        new String[] {printed, reply, "server> " + reply, "decrypted: server> " + reply + "\\n"}) {
      Report r =
          check(
              new ForwardSecrecyCheck(),
              withAnswers("decrypted-line: " + line + "\n" + frame + WHY));
      assertThat(r.passed()).as("%s: %s", line, r.items()).isTrue();
      assertThat(r.collected()).containsKey("why-modern-fails");
    }
  }

  @Test
  void theLineTypedInExerciseFourOrAnInventedOneFails() {
    // The client's own line needs no decryption: only the server's reply proves it.
    for (String line :
        new String[] {
          StudentWork.REPORT_LINE, "attack at dawn", "* you are now alice", "* you are alice"
        }) {
      Report r =
          check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + line + "\n" + WHY));
      assertThat(failures(r)).as("%s: %s", line, r.items()).hasSize(1);
      assertThat(failed(r, "decrypted-line").hint()).contains("is not what your server answered");
    }
  }

  /**
   * The cheat: lab client prints the server's reply in the student's terminal, so the line can be
   * pasted without decrypting anything. Which encrypted frame carried it only decryption shows.
   */
  @Test
  void theReplyCopiedFromTheClientsTerminalNeedsTheFrameThatCarriedIt() {
    Report none =
        check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + reply + "\n" + WHY));
    assertThat(failures(none)).hasSize(1);
    assertThat(failed(none, "decrypted-frame").hint())
        .contains("your client printed the reply too", "decrypted-frame:");
    long right = Evidence.printedWhoamiFrame(work.mine);
    for (long wrong : new long[] {right - 1, right + 1, 1}) {
      Report r =
          check(
              new ForwardSecrecyCheck(),
              withAnswers("decrypted-line: " + reply + "\ndecrypted-frame: " + wrong + "\n" + WHY));
      assertThat(failed(r, "decrypted-frame").hint())
          .as("frame %d", wrong)
          .contains("frame " + wrong + " did not carry");
    }
  }

  @Test
  void anEcdheCaptureInPlaceOfTheReportOneDecryptsNothing() {
    Path w = withAnswers("decrypted-line: " + reply + "\n" + frame + WHY);
    Evidence.copyCapture(
        work.mine.resolve("captures/02.pcap"), w.resolve("captures/04-report.pcap"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "decrypted-line").hint()).contains("decrypts nothing", "TLS_RSA");
  }

  @Test
  void aReportCaptureInPlaceOfTheModernOneDecryptsAndFails() {
    Path w = withAnswers("decrypted-line: " + reply + "\n" + frame + WHY);
    Evidence.copy(
        work.mine.resolve("captures/04-report.pcap"), w.resolve("captures/04-modern.pcap"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "04-modern.pcap cannot be decrypted with server.key").hint())
        .contains("not an ECDHE session");
  }

  @Test
  void aFriendsKeyDoesNotDecryptMyCapture() {
    Path w = withAnswers("decrypted-line: " + reply + "\n" + frame + WHY);
    Evidence.copy(work.friend.resolve("certs/server.key"), w.resolve("certs/server.key"));
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "decrypted-line").hint()).contains("decrypts nothing");
  }

  @Test
  void theReasonIsNeverKeywordPassedOnlyCollected() {
    // Keyword stuffing and the opposite statement pass no requirement by their words: the
    // requirement is only that there is an answer, and the instructor reads it in the gradebook.
    String stuffed = "why-modern-fails: ephemeral forward secrecy diffie ecdhe dhe\n";
    Report r =
        check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + reply + "\n" + stuffed));
    assertThat(r.collected()).containsEntry("why-modern-fails", stuffed.substring(18).strip());
    Report none =
        check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + reply + "\n" + frame));
    assertThat(failed(none, "why-modern-fails").hint()).contains("your own words");
  }

  @Test
  void aFriendsReportCaptureFailsOnTheChallenge() {
    // bob's folder with bob's key and capture, but the copier's challenge: bob's chat names bob.
    Path w = StudentWork.copy(work.mine, tmp.resolve("w2"));
    Evidence.copy(
        work.mine.resolve("captures/04-report.pcap"), w.resolve("captures/04-report.pcap"));
    Evidence.write(w.resolve("challenge.txt"), "tlslab-0123456789abcdef0123\n");
    Evidence.write(w.resolve("answers/05.txt"), "decrypted-line: " + reply + "\n" + WHY);
    Report r = check(new ForwardSecrecyCheck(), w);
    assertThat(failed(r, "your challenge is in the decrypted chat of 04-report.pcap").hint())
        .contains("someone else's session");
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
