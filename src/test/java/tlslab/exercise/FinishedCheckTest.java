package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FinishedCheck;

/** Exercise 6 on a JSON trace written by {@code lab trace --trace-json}. */
@Tag("jdk") // the trace comes from JSSE's debug records
class FinishedCheckTest {
  static final String ANSWERS =
      "message: Finished\n"
          + "proves: a MAC over the hash of all handshake messages, keyed by the master secret:"
          + " both saw the same handshake and hold the same keys\n";
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/06.txt"), text);
    return w;
  }

  /** Drops the trace lines that {@code drop} matches, as if those messages never happened. */
  private static void dropLines(Path trace, Predicate<String> drop) throws IOException {
    Files.write(trace, Files.readAllLines(trace).stream().filter(drop.negate()).toList());
  }

  @Test
  void ownTraceAndGoodAnswersPass() {
    Report r = check(new FinishedCheck(), withAnswers(ANSWERS));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(6);
    assertThat(r.items())
        .anyMatch(
            i -> i.ok() && i.requirement().equals("the trace was made with your certificates"));
  }

  @Test
  void aFriendsTraceFails() {
    // Same lab, same subjects (CN=localhost), same messages: only the certificate differs.
    Path w = withAnswers(ANSWERS);
    Evidence.copy(work.friend.resolve("traces/07.jsonl"), w.resolve("traces/06.jsonl"));
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "the trace was made with your certificates").hint())
        .startsWith("this trace was not made with your certificates: run lab trace --certs")
        .contains("server.pem");
  }

  @Test
  void aTraceWithoutFingerprintsFails() throws IOException {
    Path w = withAnswers(ANSWERS);
    Path trace = w.resolve("traces/06.jsonl");
    Files.write(
        trace,
        Files.readAllLines(trace).stream()
            .map(l -> l.replaceAll(",\"certificate_sha256\":\\[[^\\]]*]", ""))
            .toList());
    assertThat(Files.readString(trace))
        .doesNotContain("certificate_sha256")
        .contains("Certificate");
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "the trace was made with your certificates").hint())
        .contains("no certificate fingerprint", "lab trace --certs");
  }

  @Test
  void aTraceWithoutTheServersFinishedFails() throws IOException {
    Path w = withAnswers(ANSWERS);
    dropLines(
        w.resolve("traces/06.jsonl"),
        l -> l.contains("\"side\":\"server\"") && l.contains("\"message\":\"Finished\""));
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "each side produced a Finished").hint()).contains("the client only");
  }

  @Test
  void aTraceWithoutACertificateIsNoFullHandshake() throws IOException {
    Path w = withAnswers(ANSWERS);
    dropLines(w.resolve("traces/06.jsonl"), l -> l.contains("\"message\":\"Certificate\""));
    Report r = check(new FinishedCheck(), w);
    assertThat(failed(r, "the trace holds a full handshake").hint()).contains("lab trace --certs");
  }

  @Test
  void aFileThatIsNotATraceFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.write(w.resolve("traces/06.jsonl"), "client -> Client Hello\n");
    Report r = check(new FinishedCheck(), w);
    assertThat(failed(r, "06.jsonl is a lab trace").hint()).contains("line 1", "--trace-json");
  }

  @Test
  void wiresharksLabelAndAVagueProofFail() {
    Report r =
        check(
            new FinishedCheck(),
            withAnswers(
                "message: Encrypted Handshake Message\nproves: that the handshake is encrypted\n"));
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "message names the real message",
            "proves mentions the handshake transcript and the keys");
    assertThat(failed(r, "proves").hint()).contains("MAC");
  }

  @Test
  void missingAnswersFail() {
    Report r = check(new FinishedCheck(), work.mine);
    assertThat(failed(r, "answers file").hint()).contains("06.txt");
  }
}
