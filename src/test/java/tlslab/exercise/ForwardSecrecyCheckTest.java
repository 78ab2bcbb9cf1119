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
    secret = Evidence.opensslPremaster(work.mine);
    frame = "premaster-secret: " + secret + "\n";
  }

  /** The pre-master secret as openssl printed it, and as the student hands it in. */
  static String secret;

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
          check(
              new ForwardSecrecyCheck(),
              withAnswers("decrypted-line: " + line + "\n" + frame + WHY));
      assertThat(failures(r)).as("%s: %s", line, r.items()).hasSize(1);
      assertThat(failed(r, "decrypted-line").hint()).contains("is not what your server answered");
    }
  }

  /**
   * The cheat: lab client prints the server's reply in the student's terminal, so the line can be
   * pasted without decrypting anything. What only the stolen key gives is the pre-master secret.
   */
  @Test
  void theReplyCopiedFromTheClientsTerminalNeedsThePremasterSecret() {
    Report none =
        check(new ForwardSecrecyCheck(), withAnswers("decrypted-line: " + reply + "\n" + WHY));
    assertThat(failures(none)).hasSize(1);
    assertThat(failed(none, "premaster-secret").hint())
        .contains("your client printed the server's reply too", "premaster-secret:");
    // The frame the old exercise asked for, which a few runs of the check would find, is no
    // answer any more.
    Report frameOnly =
        check(
            new ForwardSecrecyCheck(),
            withAnswers(
                "decrypted-line: "
                    + reply
                    + "\ndecrypted-frame: "
                    + Evidence.printedWhoamiFrame(work.mine)
                    + "\n"
                    + WHY));
    assertThat(frameOnly.passed()).as("%s", frameOnly.items()).isFalse();
  }

  /**
   * Guessing does not pay: a wrong secret is told wrong as a whole. One byte off, half of it right
   * or a random one get the same hint, so trying the checker teaches nothing about the answer.
   */
  @Test
  void aGuessedOrNearlyRightPremasterFailsWithTheSameHint() {
    assertThat(secret).hasSize(96).startsWith("0303");
    String last = secret.substring(94);
    String oneByteOff = secret.substring(0, 94) + (last.equals("00") ? "01" : "00");
    String guessed = "0303" + "ab".repeat(46);
    String half = secret.substring(0, 48);
    java.util.Set<String> hints = new java.util.HashSet<>();
    for (String wrong : new String[] {oneByteOff, guessed, half}) {
      Report r =
          check(
              new ForwardSecrecyCheck(),
              withAnswers(
                  "decrypted-line: " + reply + "\npremaster-secret: " + wrong + "\n" + WHY));
      assertThat(failures(r)).as(wrong).hasSize(1);
      hints.add(failed(r, "premaster-secret").hint());
    }
    assertThat(hints).hasSize(1);
    assertThat(hints.iterator().next()).doesNotContain(secret.substring(4, 12));
    // tshark's encrypted pre-master secret pasted as the answer: said so, without a secret.
    String epms =
        Evidence.tsharkField(
            work.mine.resolve("captures/04-report.pcap"),
            "tls.handshake.type == 16",
            "tls.handshake.epms");
    Report enc =
        check(
            new ForwardSecrecyCheck(),
            withAnswers("decrypted-line: " + reply + "\npremaster-secret: " + epms + "\n" + WHY));
    assertThat(failed(enc, "premaster-secret").hint()).contains("encrypted one");
  }

  /** openssl's hex, as xxd prints it or with colons and capitals, is the same secret. */
  @Test
  void thePremasterPastedInAnyHexSpellingPasses() {
    String colons = secret.toUpperCase(java.util.Locale.ROOT).replaceAll("(..)(?!$)", "$1:");
    String spaced = secret.replaceAll("(.{32})", "$1 ");
    for (String s : new String[] {secret, colons, spaced}) {
      Report r =
          check(
              new ForwardSecrecyCheck(),
              withAnswers("decrypted-line: " + reply + "\npremaster-secret: " + s + "\n" + WHY));
      assertThat(r.passed()).as("%s: %s", s, r.items()).isTrue();
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
