package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.HandshakeReadingCheck;

/**
 * Exercise 3: frame numbers in the student's own capture. The right answers come from tshark, the
 * oracle for what Wireshark labels, not from the lab's own annotator.
 */
class HandshakeReadingCheckTest {
  static StudentWork work;
  static String answers;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
    Path pcap = work.mine.resolve("captures/02.pcap");
    Map<Long, String> info = Evidence.tsharkInfo(pcap, Evidence.serverPort(Evidence.facts(pcap)));
    answers =
        "client-random: "
            + Evidence.tsharkField(pcap, "tls.handshake.type == 1", "tls.handshake.random")
                .substring(0, 8)
            + "\n"
            + "client-hello: "
            + Evidence.tsharkFirst(info, "Client Hello")
            + "\n"
            + "server-hello: "
            + Evidence.tsharkFirst(info, "Server Hello")
            + "\n"
            + "client-key-exchange: "
            + Evidence.tsharkFirst(info, "Client Key Exchange")
            + "\n"
            + "new-session-ticket: frame "
            + Evidence.tsharkFirst(info, "New Session Ticket")
            + "\n"
            + "first-application-data: "
            + Evidence.tsharkFirst(info, "Application Data")
            + "\n";
  }

  private Path withAnswers(Path work, String text) {
    Path w = StudentWork.get().copy(work, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/03.txt"), text);
    return w;
  }

  @Test
  void theFramesWiresharkLabelsPass() {
    Report r = check(new HandshakeReadingCheck(), withAnswers(work.mine, answers));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(12); // with "the handshake in 02.pcap verifies (...)"
    assertThat(r.items()).anyMatch(i -> i.requirement().equals("02.pcap lost no packets"));
  }

  @Test
  void aWrongFrameFailsAndSaysWhatThatFrameIs() {
    long serverHello = Long.parseLong(answers.replaceAll("(?s).*server-hello: (\\d+).*", "$1"));
    String wrong =
        answers.replaceAll(
            "first-application-data: \\d+", "first-application-data: " + serverHello);
    Report r = check(new HandshakeReadingCheck(), withAnswers(work.mine, wrong));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "first-application-data").hint())
        .contains("frame " + serverHello + " of your 02.pcap is 'Server Hello", "lab annotate");
  }

  @Test
  void aMissingAnswerFailsNamingTheKey() {
    Report r =
        check(
            new HandshakeReadingCheck(),
            withAnswers(
                work.mine,
                answers.replaceAll(
                    "client-key-exchange: \\d+", "client-key-exchange: <frame number>")));
    assertThat(failed(r, "client-key-exchange").hint()).contains("give client-key-exchange");
  }

  @Test
  void aCopiedCaptureFailsOnTheCertificate() {
    Path w = withAnswers(work.mine, answers);
    Evidence.copyCapture(work.friend.resolve("captures/02.pcap"), w.resolve("captures/02.pcap"));
    Report r = check(new HandshakeReadingCheck(), w);
    assertThat(failed(r, "the server certificate in 02.pcap is your").hint()).contains("not your");
  }

  @Test
  void aFriendsCaptureWithItsKeyLogFailsOnTheChallenge() {
    // The whole exercise-2 evidence of bob, in a folder that keeps the copier's own challenge.
    Path w = withAnswers(work.friend, answers);
    Evidence.copy(work.mine.resolve("challenge.txt"), w.resolve("challenge.txt"));
    Report r = check(new HandshakeReadingCheck(), w);
    assertThat(failed(r, "your challenge is in the decrypted chat").hint())
        .contains("someone else's session");
  }

  /**
   * The cheat: a classmate's 03.txt. Honest loopback captures have the same frame numbers, so
   * before the random was asked this passed with one's own capture; the Client Hello random is the
   * classmate's.
   */
  @Test
  void aClassmatesAnswersFailOnTheClientRandom() {
    Path friendPcap = work.friend.resolve("captures/02.pcap");
    String theirs =
        answers.replaceFirst(
            "client-random: [0-9a-f]+",
            "client-random: "
                + Evidence.tsharkField(
                        friendPcap, "tls.handshake.type == 1", "tls.handshake.random")
                    .substring(0, 16));
    Report r = check(new HandshakeReadingCheck(), withAnswers(work.mine, theirs));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "client-random").hint()).contains("in your own", "tls.handshake.random");
  }

  @Test
  void noAnswersFileFails() {
    Report r = check(new HandshakeReadingCheck(), work.mine);
    assertThat(failed(r, "answers file").hint()).contains("03.txt");
  }
}
