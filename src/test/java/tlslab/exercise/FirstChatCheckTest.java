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
import tlslab.exercise.checks.FirstChatCheck;

/** Exercise 2 on real captures of the lab's chat: the student's own, a friend's, cut and broken. */
@Tag("jdk") // key logs come from JSSE internals, which differ between JDKs
class FirstChatCheckTest {
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path mine() {
    return StudentWork.copy(work.mine, tmp.resolve("work"));
  }

  @Test
  void ownCaptureAndKeyLogPass() {
    Report r = check(new FirstChatCheck(), work.mine);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(8); // with "the handshake in 02.pcap verifies (...)"
    assertThat(r.items()).anyMatch(i -> i.requirement().contains("your challenge is in the"));
  }

  /**
   * Certificates issued again after the chat (lab certs init --force, same challenge): the old
   * capture shows a certificate of the student's but not the server.pem handed in, and fails,
   * saying it was made with an earlier certificate of theirs.
   */
  @Test
  void aCaptureMadeBeforeTheCertificatesWereIssuedAgainFailsSayingSo() throws Exception {
    Path w = mine();
    StudentWork.deleteTree(w.resolve("certs"));
    StudentWork.initCertificates(w);
    Report r = check(new FirstChatCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "the server certificate in 02.pcap is your").hint())
        .contains("carries your challenge but is not your current", "issued before this one");
  }

  @Test
  void withStudentButNoBundleTheCheckAsksForTheBundle() {
    Report r = check(new FirstChatCheck(), work.mine, "carol");
    assertThat(failed(r, "your challenge is known").hint()).contains("copy the bundle");
  }

  @Test
  void aCopiedFolderFailsOnTheFriendsChallengeInTheChat() {
    // cp -r of bob's folder; the copier puts their own challenge in: bob's chat still carries his.
    Path w = StudentWork.copy(work.friend, tmp.resolve("copy"));
    Evidence.copy(work.mine.resolve("challenge.txt"), w.resolve("challenge.txt"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "your challenge is in the decrypted chat of 02.pcap").hint())
        .contains(StudentWork.challenge(work.friend), "someone else's session");
  }

  @Test
  void aChatWithAnotherChallengeSaysWhoseItIsAndHowToSendOne() {
    // A student whose challenge is not the one the chat carries (a new challenge.txt).
    Path w = mine();
    Evidence.write(w.resolve("challenge.txt"), "tlslab-00000000000000000000\n");
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "your challenge is in the decrypted chat").hint())
        .contains(StudentWork.challenge(work.mine), "lab exercise challenge");
  }

  @Test
  void aFriendsCaptureAndKeyLogFailOnTheServerCertificate() {
    Path w = mine();
    Evidence.copyCapture(work.friend.resolve("captures/02.pcap"), w.resolve("captures/02.pcap"));
    Evidence.copy(work.friend.resolve("captures/02.keylog"), w.resolve("captures/02.keylog"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "the server certificate in 02.pcap is your").hint())
        .contains("not your", "lab server --certs");
  }

  @Test
  void aKeyLogOfAnotherSessionDecryptsNothing() {
    Path w = mine();
    Evidence.copy(work.friend.resolve("captures/02.keylog"), w.resolve("captures/02.keylog"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "your key log decrypts 02.pcap").hint()).contains("this very capture");
  }

  @Test
  void aMissingKeyLogFailsWithTheOptionToUse() {
    Path w = mine();
    w.resolve("captures/02.keylog").toFile().delete();
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "your key log 02.keylog is readable").hint())
        .contains("is missing", "--keylog");
  }

  @Test
  void aCaptureWithoutTheHandshakeFails() {
    Path w = mine();
    // Only the TCP three-way handshake: the capture was started too late or stopped too early.
    Evidence.keepFrames(
        work.mine.resolve("captures/02.pcap"), w.resolve("captures/02.pcap"), n -> n <= 3);
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "02.pcap holds a TLS handshake").hint()).contains("start lab capture");
  }

  @Test
  void aCaptureStoppedBeforeTheChatFails() {
    Path w = mine();
    Path pcap = work.mine.resolve("captures/02.pcap");
    long firstData = Evidence.firstFrameLabelled(pcap, "Application Data");
    Evidence.keepFrames(pcap, w.resolve("captures/02.pcap"), n -> n < firstData);
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "application data follows the handshake").hint())
        .contains("stops before the chat");
  }

  @Test
  void aCorruptCaptureIsAFailedItemNotAnError() {
    Path w = mine();
    Evidence.write(w.resolve("captures/02.pcap"), "this is not a capture at all\n");
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "02.pcap is a readable capture").hint())
        .contains("not a pcap", "lab capture");
  }

  @Test
  void aCaptureCutMidFrameIsDamaged() throws Exception {
    Path w = mine();
    Path pcap = w.resolve("captures/02.pcap");
    byte[] all = java.nio.file.Files.readAllBytes(pcap);
    java.nio.file.Files.write(pcap, java.util.Arrays.copyOf(all, all.length - 7));
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "02.pcap is a readable capture").hint()).contains("damaged");
  }

  @Test
  void withoutCertificatesTheCheckSaysWhatToRun() {
    Report r = check(new FirstChatCheck(), tmp.resolve("empty"));
    assertThat(failed(r, "your certificates exist").hint()).contains("lab certs init");
  }
}
