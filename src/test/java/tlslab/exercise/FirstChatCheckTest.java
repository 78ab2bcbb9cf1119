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
    return work.copy(work.mine, tmp.resolve("work"));
  }

  @Test
  void ownCaptureAndKeyLogPass() {
    Report r = check(new FirstChatCheck(), work.mine);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(6);
  }

  @Test
  void inClassTheLineMustNameTheStudent() {
    assertThat(check(new FirstChatCheck(), work.mine, StudentWork.NAME).passed()).isTrue();
    Report r = check(new FirstChatCheck(), work.mine, "carol");
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "a decrypted line contains your name").hint())
        .contains("'carol'", StudentWork.CHAT_LINE);
  }

  @Test
  void aFriendsCaptureAndKeyLogFailOnTheServerCertificate() {
    Path w = mine();
    Evidence.copy(work.friend.resolve("captures/02.pcap"), w.resolve("captures/02.pcap"));
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
