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
import tlslab.annotate.ConnectionFacts;
import tlslab.exercise.checks.KeyExchangeCheck;
import tlslab.wire.NamedGroup;

/** Exercise 4 on a real report-profile capture and a real ECDHE one. */
@Tag("jdk") // the report profile's TLS_RSA suite is disabled by default on JDK 25
class KeyExchangeCheckTest {
  static StudentWork work;
  static String answers;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
    ConnectionFacts modern = Evidence.facts(work.mine.resolve("captures/04-modern.pcap"));
    // tshark is the oracle for the randoms: what the exercise's tshark lines print.
    String reportRandom = Evidence.tsharkServerRandom(work.mine.resolve("captures/04-report.pcap"));
    String modernRandom = Evidence.tsharkServerRandom(work.mine.resolve("captures/04-modern.pcap"));
    answers =
        "report-suite: TLS_RSA_WITH_AES_128_CBC_SHA\n"
            + "report-key-exchange: RSA\n"
            + "report-server-random: "
            + reportRandom
            + "\n"
            + "modern-server-random: "
            + modernRandom.substring(0, 8).toUpperCase(java.util.Locale.ROOT)
            + "\n"
            + "modern-suite: "
            + modern.cipherSuiteName()
            + "\n"
            + "modern-key-exchange: ECDHE\n"
            + "modern-group: "
            + NamedGroup.labelOf(modern.keyExchangeGroup())
            + "\n";
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/04.txt"), text);
    return w;
  }

  @Test
  void ownCapturesAndMatchingAnswersPass() {
    assertThat(answers).contains("modern-suite: TLS_ECDHE_RSA_WITH_", "modern-group: x25519");
    Report r = check(new KeyExchangeCheck(), withAnswers(answers));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(20); // with "the handshake in 04-....pcap verifies (...)", twice
  }

  @Test
  void swappedCapturesFailOnTheSuiteAndTheServerKeyExchange() {
    Path w = withAnswers(answers);
    Evidence.copyCapture(
        work.mine.resolve("captures/02.pcap"), w.resolve("captures/04-report.pcap"));
    Evidence.copyCapture(
        work.mine.resolve("captures/04-report.pcap"), w.resolve("captures/04-modern.pcap"));
    Report r = check(new KeyExchangeCheck(), w);
    assertThat(failed(r, "04-report.pcap negotiated TLS_RSA_WITH_AES_128_CBC_SHA").hint())
        .contains("--profile report");
    assertThat(failed(r, "04-report.pcap has no Server Key Exchange").hint())
        .contains("not RSA key transport");
    assertThat(failed(r, "04-modern.pcap has a Server Key Exchange").hint())
        .contains("without a Server Key Exchange");
  }

  /**
   * A hedge is no answer: "ECDHE or RSA" once passed as ECDHE (it starts with ECDHE). The suite's
   * own spellings of one key exchange still pass.
   */
  @Test
  void aKeyExchangeAnswerNamingBothFailsOneSpelledAsTheSuiteDoesPasses() {
    Report hedged =
        check(
            new KeyExchangeCheck(),
            withAnswers(
                answers.replace(
                    "modern-key-exchange: ECDHE", "modern-key-exchange: ECDHE or RSA")));
    assertThat(failures(hedged))
        .extracting(Report.Item::requirement)
        .containsExactly("modern-key-exchange matches the suite (ECDHE)");
    for (String one : java.util.List.of("ECDHE_RSA", "ecdhe-rsa", "DHE")) {
      Report r =
          check(
              new KeyExchangeCheck(),
              withAnswers(
                  answers.replace("modern-key-exchange: ECDHE", "modern-key-exchange: " + one)));
      assertThat(r.passed()).as("%s: %s", one, r.items()).isTrue();
    }
  }

  @Test
  void answersThatDoNotMatchTheCapturesFail() {
    Report r =
        check(
            new KeyExchangeCheck(),
            withAnswers(
                answers
                    .replace("report-key-exchange: RSA", "report-key-exchange: ECDHE")
                    .replaceAll("modern-group: .*", "modern-group: secp384r1")));
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "report-key-exchange matches the suite (RSA)",
            "modern-group is the named group of your Server Key Exchange");
    assertThat(failed(r, "modern-group").hint()).contains("--explain");
  }

  @Test
  void aFriendsModernCaptureFailsOnTheCertificate() {
    Path w = withAnswers(answers);
    Evidence.copyCapture(
        work.friend.resolve("captures/02.pcap"), w.resolve("captures/04-modern.pcap"));
    Report r = check(new KeyExchangeCheck(), w);
    assertThat(failed(r, "the server certificate in 04-modern.pcap").hint()).contains("not your");
  }

  @Test
  void aRandomFromAnotherHandshakeFails() {
    String friends = Evidence.tsharkServerRandom(work.friend.resolve("captures/02.pcap"));
    Report r =
        check(
            new KeyExchangeCheck(),
            withAnswers(
                answers.replaceAll(
                    "modern-server-random: .*", "modern-server-random: " + friends)));
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly("modern-server-random starts the Server Hello random of 04-modern.pcap");
    Report tooShort =
        check(
            new KeyExchangeCheck(),
            withAnswers(
                answers.replaceAll("modern-server-random: (....).*", "modern-server-random: $1")));
    assertThat(failures(tooShort)).hasSize(1);
  }

  @Test
  void aMissingCaptureSaysHowToMakeIt() {
    Path w = withAnswers(answers);
    w.resolve("captures/04-report.pcap").toFile().delete();
    Report r = check(new KeyExchangeCheck(), w);
    assertThat(failed(r, "04-report.pcap is a readable capture").hint())
        .contains("does not exist", "--profile report");
  }
}
