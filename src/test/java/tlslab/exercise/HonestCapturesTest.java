package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FirstChatCheck;
import tlslab.exercise.checks.ForwardSecrecyCheck;
import tlslab.exercise.checks.HandshakeReadingCheck;
import tlslab.exercise.checks.KeyExchangeCheck;

/**
 * What a capture really holds, on the student's real captures: keys carried inside a pcapng (a
 * Decryption Secrets Block, written here by Wireshark's own {@code editcap --inject-secrets}) are
 * used as a key log is, except where the point is what one key alone decrypts (exercise 5); a
 * capture that lost packets ({@code lab capture}'s {@code .stats}) or bytes (snaplen) says so, and
 * does not pass where the lost part matters.
 */
@Tag("jdk") // key logs come from JSSE internals, which differ between JDKs
class HonestCapturesTest {
  static StudentWork work;
  @TempDir Path tmp;

  private static final String ANSWERS_03 =
      "client-random: %s%nclient-hello: %d%nserver-hello: %d%nclient-key-exchange: %d%nnew-session-ticket: %d%n"
          + "first-application-data: %d%n";

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path mine() {
    return StudentWork.copy(work.mine, tmp.resolve("work"));
  }

  /** Wireshark's editcap, the tool the exercises' readers would use; the test fails without it. */
  private static void editcap(String... args) {
    List<String> cmd = new ArrayList<>(List.of("editcap"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("editcap ends").isTrue();
      assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
    } catch (IOException e) {
      throw new UncheckedIOException("editcap (tshark package) is needed: " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** captures/NAME.pcap + NAME.keylog become NAME.pcapng with the keys inside; both removed. */
  private static void keysInside(Path w, String name) throws IOException {
    Path captures = w.resolve("captures");
    editcap(
        "--inject-secrets",
        "tls," + captures.resolve(name + ".keylog"),
        captures.resolve(name + ".pcap").toString(),
        captures.resolve(name + ".pcapng").toString());
    Files.delete(captures.resolve(name + ".pcap"));
    Files.delete(captures.resolve(name + ".keylog"));
  }

  private static void lost(Path w, String capture, int dropped) {
    Path stats = w.resolve("captures").resolve(capture + ".stats");
    assertThat(stats).as("lab capture's record of " + capture).exists();
    Evidence.write(
        stats,
        Evidence.read(stats)
            .replace("complete=true", "complete=false")
            .replace("kernel_dropped=0", "kernel_dropped=" + dropped));
  }

  private static String answers03(Path pcap) {
    return String.format(
        ANSWERS_03,
        Evidence.tsharkField(pcap, "tls.handshake.type == 1", "tls.handshake.random"),
        Evidence.firstFrameLabelled(pcap, "Client Hello"),
        Evidence.firstFrameLabelled(pcap, "Server Hello"),
        Evidence.firstFrameLabelled(pcap, "Client Key Exchange"),
        Evidence.firstFrameLabelled(pcap, "New Session Ticket"),
        Evidence.firstFrameLabelled(pcap, "Application Data"));
  }

  @Test
  void aPcapngWithTheKeysInsidePassesWithoutAKeyLogFile() throws IOException {
    Path w = mine();
    Evidence.write(w.resolve("answers/03.txt"), answers03(w.resolve("captures/02.pcap")));
    keysInside(w, "02");
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items())
        .extracting(Report.Item::requirement)
        .contains(
            "your key log 02.keylog is readable (the keys inside 02.pcapng)",
            "your key log decrypts 02.pcap",
            "your challenge is in the decrypted chat of 02.pcap");
    Report r3 = check(new HandshakeReadingCheck(), w);
    assertThat(r3.passed()).as("%s", r3.items()).isTrue();
  }

  @Test
  void withoutKeysAnywhereTheHintNamesBothWays() throws IOException {
    Path w = mine();
    Files.delete(w.resolve("captures/02.keylog"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "your key log 02.keylog is readable").hint())
        .contains("is missing", "lab capture --keylog", "02.pcapng");
  }

  @Test
  void aFriendsCaptureWithTheFriendsKeysInsideStillCarriesTheFriendsChallenge() throws IOException {
    // bob's exercise 2 with his keys injected, in a folder holding the copier's own challenge.
    Path w = StudentWork.copy(work.friend, tmp.resolve("copy"));
    Evidence.copy(work.mine.resolve("challenge.txt"), w.resolve("challenge.txt"));
    keysInside(w, "02");
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "your challenge is in the decrypted chat of 02.pcap").hint())
        .contains(StudentWork.challenge(work.friend), "someone else's session");
  }

  @Test
  void exercise4ReadsTheKeysInsideButExercise5DecryptsWithServerKeyAlone() throws IOException {
    Path w = mine();
    keysInside(w, "04-modern");
    Report r4 = check(new KeyExchangeCheck(), w);
    assertThat(r4.items())
        .filteredOn(i -> i.requirement().startsWith("your key log 04-modern.keylog is readable"))
        .singleElement()
        .satisfies(i -> assertThat(i.requirement()).contains("the keys inside 04-modern.pcapng"));
    assertThat(r4.items())
        .filteredOn(
            i ->
                i.requirement().equals("your challenge is in the decrypted chat of 04-modern.pcap"))
        .singleElement()
        .satisfies(i -> assertThat(i.ok()).isTrue());
    // The keys inside decrypt 04-modern, but exercise 5 asks what server.key alone decrypts.
    Report r5 = check(new ForwardSecrecyCheck(), w);
    assertThat(r5.items())
        .filteredOn(
            i -> i.requirement().equals("04-modern.pcap cannot be decrypted with server.key"))
        .singleElement()
        .satisfies(i -> assertThat(i.ok()).as("%s", i).isTrue());
  }

  @Test
  void aCaptureThatLostPacketsSaysSoAndFailsWhereFrameNumbersMatter() {
    Path w = mine();
    Evidence.write(w.resolve("answers/03.txt"), answers03(w.resolve("captures/02.pcap")));
    lost(w, "02.pcap", 3);
    // Exercise 2 found everything it needs (handshake, chat, challenge): the loss is said, not held
    // against it.
    Report r2 = check(new FirstChatCheck(), w);
    assertThat(r2.passed()).as("%s", r2.items()).isTrue();
    assertThat(r2.notes()).anyMatch(n -> n.startsWith("WARNING: 02.pcap lost 3 packets"));
    // Exercise 3's frame numbers count every packet: with 3 lost they may not be the wire's.
    Report r3 = check(new HandshakeReadingCheck(), w);
    assertThat(r3.passed()).isFalse();
    assertThat(failed(r3, "02.pcap lost no packets").hint())
        .contains("lost 3 packets", "3 dropped by the kernel", "Capture it again");
  }

  @Test
  void whenTheLostPartHeldTheChatTheFailureSaysTheCaptureLostPackets() {
    Path w = mine();
    Path pcap = w.resolve("captures/02.pcap");
    long firstData = Evidence.firstFrameLabelled(pcap, "Application Data");
    Path cut = tmp.resolve("cut.pcap");
    Evidence.keepFrames(pcap, cut, n -> n < firstData);
    Evidence.copy(cut, pcap);
    lost(w, "02.pcap", 12);
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "application data follows the handshake").hint())
        .contains("note: 02.pcap lost 12 packets");
  }

  @Test
  void framesCutByASmallSnaplenAreLostBytesToo() {
    Path w = mine();
    Path pcap = w.resolve("captures/02.pcap");
    editcap("-s", "96", pcap.toString(), tmp.resolve("short.pcap").toString());
    Evidence.copy(tmp.resolve("short.pcap"), pcap);
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(r.notes()).anyMatch(n -> n.contains("captured shorter than sent (snaplen)"));
    assertThat(failures(r)).allMatch(i -> i.hint().contains("snaplen"));
  }

  @Test
  void aStatsFileEditedToHideTheLossIsNotBelieved() {
    Path w = mine();
    Path stats = w.resolve("captures/02.pcap.stats");
    // "complete=true" kept while the counts say packets were dropped: not what lab capture writes.
    Evidence.write(stats, Evidence.read(stats).replace("kernel_dropped=0", "kernel_dropped=5"));
    Evidence.write(w.resolve("answers/03.txt"), answers03(w.resolve("captures/02.pcap")));
    Report r3 = check(new HandshakeReadingCheck(), w);
    assertThat(failed(r3, "02.pcap lost no packets").hint()).contains("contradicts");
  }

  @Test
  void theHandInKeepsEachCapturesCompletenessRecord() {
    assertThat(Submission.files(work.mine)).contains("captures/02.pcap.stats");
  }
}
