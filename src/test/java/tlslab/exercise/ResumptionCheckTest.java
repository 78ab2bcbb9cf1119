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
import tlslab.exercise.checks.ResumptionCheck;

/** Exercise 7 on a JSON trace written by {@code lab trace --resume --trace-json}. */
@Tag("jdk") // the trace comes from JSSE's debug records
class ResumptionCheckTest {
  static final String ANSWERS =
      "missing-in-resumed: Certificate, Server Key Exchange, Server Hello Done,"
          + " ClientKeyExchange\n";
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/07.txt"), text);
    return w;
  }

  @Test
  void aResumedTraceAndTheRightMessagesPass() {
    Report r = check(new ResumptionCheck(), withAnswers(ANSWERS));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(9); // with "the handshake in 07.pcap verifies (...)"
    assertThat(r.items())
        .anyMatch(
            i -> i.requirement().startsWith("the trace describes handshakes in your capture"));
    assertThat(
            check(
                    new ResumptionCheck(),
                    withAnswers("missing-in-resumed: certificate, key exchange\n"))
                .passed())
        .isTrue();
  }

  @Test
  void aFriendsTraceFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(work.friend.resolve("traces/07.jsonl"), w.resolve("traces/07.jsonl"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failures(r)).hasSize(2);
    assertThat(failed(r, "the trace was made with your certificates").hint())
        .startsWith("this trace was not made with your certificates: run lab trace --certs")
        .contains("--resume");
    assertThat(failed(r, "the trace describes handshakes in your capture").hint())
        .contains("a trace counts only with the capture of the same run");
  }

  @Test
  void aFriendsTraceWithTheFriendsCaptureFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(work.friend.resolve("traces/07.jsonl"), w.resolve("traces/07.jsonl"));
    Evidence.copyCapture(work.friend.resolve("captures/07.pcap"), w.resolve("captures/07.pcap"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "the trace describes handshakes in your capture").hint())
        .contains("another server certificate");
  }

  @Test
  void aHandWrittenTraceWithMyFingerprintFails() {
    // The forger's 7 lines: the right messages, the right fingerprint, invented randoms.
    Path w = withAnswers(ANSWERS);
    String fp =
        tlslab.pki.CertificateSummary.sha256Fingerprint(
            tlslab.pki.CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    String r1 = "11".repeat(32);
    String r2 = "22".repeat(32);
    Evidence.write(
        w.resolve("traces/07.jsonl"),
        String.join(
                "\n",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Client Hello\",\"random\":\""
                    + r1
                    + "\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Certificate\",\"certificate_sha256\":[\""
                    + fp
                    + "\"]}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"New Session Ticket\"}",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"client\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Client Hello\",\"random\":\""
                    + r2
                    + "\"}",
                "{\"side\":\"client\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"server\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Finished\"}")
            + "\n");
    Report r = check(new ResumptionCheck(), w);
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .contains("the trace describes handshakes in your capture 07.pcap");
    assertThat(failed(r, "the trace describes").hint())
        .contains("are not those of any connection in");
  }

  @Test
  void aTraceWithoutResumptionFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(w.resolve("traces/06.jsonl"), w.resolve("traces/07.jsonl"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "a later handshake resumes").hint()).contains("--resume");
  }

  @Test
  void namingAMessageTheResumedHandshakeHasFails() {
    Report r =
        check(
            new ResumptionCheck(),
            withAnswers("missing-in-resumed: Certificate, Client Key Exchange, Finished\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("does contain [Finished]");
  }

  @Test
  void forgettingTheKeyExchangeFails() {
    Report r = check(new ResumptionCheck(), withAnswers("missing-in-resumed: Certificate\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("pre-master secret");
  }

  @Test
  void somethingThatIsNoMessageFails() {
    Report r = check(new ResumptionCheck(), withAnswers("missing-in-resumed: Certificate, RSA\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("not message names: [rsa]");
  }

  @Test
  void aMissingTraceSaysHowToMakeIt() {
    Path w = withAnswers(ANSWERS);
    w.resolve("traces/07.jsonl").toFile().delete();
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "07.jsonl is a lab trace").hint()).contains("does not exist", "--resume");
  }
}
