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

/**
 * Exercise 6: part A on a JSON trace written by {@code lab trace --trace-json}; part B on a real
 * tamper run ({@link MitmWork}: the student's report-profile server, traced, {@code lab mitm
 * --tamper strip-dhe}, openssl without extended master secret, a capture of both legs).
 */
@Tag("jdk") // the trace comes from JSSE's debug records
class FinishedCheckTest {
  static final String ANSWERS =
      "message: Finished\n"
          + "proves: a MAC over the hash of all handshake messages, keyed by the master secret:"
          + " both saw the same handshake and hold the same keys\n"
          + "alert: decrypt_error\n";
  static MitmWork work;
  static StudentWork friends;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = MitmWork.get();
    friends = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(tmp.resolve("work"));
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
    // 16, part A's trace in 06-trace.pcap (4: readable, the trace's handshake, it verifies, it
    // holds only that run), the Finished (1)
    assertThat(r.items()).hasSize(21);
    assertThat(r.items())
        .anyMatch(
            i ->
                i.ok()
                    && i.requirement()
                        .startsWith("06-trace.pcap holds only that run's connections"));
    assertThat(r.items()).anyMatch(i -> i.requirement().equals("06.pcap lost no packets"));
    assertThat(r.collected()).containsKey("proves");
    assertThat(r.items())
        .anyMatch(
            i -> i.ok() && i.requirement().equals("the trace was made with your certificates"));
  }

  @Test
  void aFriendsTraceFails() {
    // Same lab, same subjects (CN=localhost), same messages: only the certificate differs.
    Path w = withAnswers(ANSWERS);
    Evidence.copy(friends.friend.resolve("traces/07.jsonl"), w.resolve("traces/06.jsonl"));
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

  /**
   * A trace typed by hand: the four events the check looks for, with the fingerprint lab certs show
   * prints and a made-up random. Before part A was tied to a capture, it passed.
   */
  @Test
  void aHandTypedTraceFails() {
    Path w = withAnswers(ANSWERS);
    String sha256 =
        tlslab.pki.CertificateSummary.sha256Fingerprint(
            tlslab.pki.CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    String random = "ab".repeat(32);
    Evidence.write(
        w.resolve("traces/06.jsonl"),
        String.join(
                "\n",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\","
                    + "\"message\":\"Client Hello\",\"random\":\""
                    + random
                    + "\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\","
                    + "\"message\":\"Certificate\",\"certificate_sha256\":[\""
                    + sha256
                    + "\"]}",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\","
                    + "\"message\":\"Finished\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\","
                    + "\"message\":\"Finished\"}")
            + "\n");
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.requirement())
                  .isEqualTo("the trace describes a handshake in your capture 06-trace.pcap");
              assertThat(i.hint()).contains("is not that of any connection in", "06-trace.pcap");
            });
  }

  @Test
  void anHonestTracesHandshakeVerifiesInItsCapture() {
    Report r = check(new FinishedCheck(), withAnswers(ANSWERS));
    assertThat(r.items())
        .anyMatch(
            i ->
                i.ok()
                    && i.requirement()
                        .startsWith(
                            "the handshake in 06-trace.pcap verifies (the Server Key Exchange is"
                                + " signed by the server certificate's key"));
  }

  @Test
  void theClientsFinishedMatchesTheHelloItSentNotTheEditedOne() {
    Report r = check(new FinishedCheck(), withAnswers(ANSWERS));
    assertThat(r.items())
        .anyMatch(
            i ->
                i.ok()
                    && i.requirement()
                        .equals(
                            "the client's Finished in 06.pcap covers the hello it sent, not the"
                                + " edited one"));
  }

  /**
   * A tamper run that was not made with my server's key (a classmate's run, its certificate
   * replaced by mine, is the same to the checker): the client's Finished cannot be read with my
   * key, so the capture is not my run.
   */
  @Test
  void aTamperRunNotMadeWithMyServerKeyFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(friends.friend.resolve("certs/server.key"), w.resolve("certs/server.key"));
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.requirement())
                  .isEqualTo(
                      "the client's Finished in 06.pcap covers the hello it sent, not the edited one");
              assertThat(i.hint()).contains("was not made with your server's key");
            });
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
  void wiresharksLabelFailsAndTheProofGoesToTheInstructor() {
    Report r =
        check(
            new FinishedCheck(),
            withAnswers(
                "message: Encrypted Handshake Message\nproves: that the handshake is encrypted\n"));
    // The name is a fact and is checked; "proves" is conceptual: collected for the instructor,
    // never passed or failed on keywords (issue 10).
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "message names the real message", "alert names the alert your server sent");
    assertThat(r.collected()).containsEntry("proves", "that the handshake is encrypted");
  }

  @Test
  void aMissingProofFails() {
    Report r = check(new FinishedCheck(), withAnswers("message: Finished\nalert: decrypt_error\n"));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "proves is answered").hint()).contains("in your own words");
  }

  @Test
  void someoneElsesChallengeFails() {
    // The whole folder copied by a student whose own challenge is another one.
    Path w = withAnswers(ANSWERS);
    Evidence.write(
        w.resolve(tlslab.exercise.Identity.SELF_STUDY_FILE),
        tlslab.pki.ClassChallenge.of(tlslab.pki.ClassChallenge.newSecret(), "friend") + "\n");
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "your server certificate carries your challenge").hint())
        .contains("someone else's certificates");
  }

  @Test
  void missingAnswersFail() {
    Path w = work.copy(tmp.resolve("work"));
    w.resolve("answers/06.txt").toFile().delete();
    Report r = check(new FinishedCheck(), w);
    assertThat(failed(r, "answers file").hint()).contains("06.txt");
  }

  @Test
  void aHandWrittenTamperLogFails() throws IOException {
    // The edit and alert a student could read in this exercise's text, with a made-up random.
    Path w = withAnswers(ANSWERS);
    Files.write(
        w.resolve("mitm/06.jsonl"),
        java.util.List.of(
            "{\"time\":\"2026-12-01T09:00:00Z\",\"connection\":1,\"kind\":\"edit\","
                + "\"mode\":\"strip-dhe\",\"changed\":true,\"client_random\":\""
                + "ab".repeat(32)
                + "\"}",
            "{\"time\":\"2026-12-01T09:00:01Z\",\"connection\":1,\"kind\":\"alert\","
                + "\"from\":\"server\",\"description\":\"decrypt_error\"}"));
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "your server's trace holds the edited Client Hello").hint())
        .contains("trace the server of this very run");
  }

  @Test
  void thePartATraceHandedInAsTheServerTraceFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(w.resolve("traces/06.jsonl"), w.resolve("traces/06-server.jsonl"));
    Report r = check(new FinishedCheck(), w);
    assertThat(failed(r, "your server's trace holds the edited Client Hello").hint())
        .contains("no Client Hello with random");
  }

  @Test
  void aCaptureOfOneLegFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copyCapture(friends.mine.resolve("captures/02.pcap"), w.resolve("captures/06.pcap"));
    Report r = check(new FinishedCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "06.pcap shows both legs").hint()).contains("capture both ports");
  }

  @Test
  void theWrongAlertFails() {
    Report r =
        check(new FinishedCheck(), withAnswers(ANSWERS.replace("decrypt_error", "bad_record_mac")));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "alert names the alert").hint()).contains("which alert");
  }

  @Test
  void theAlertAsWiresharkPrintsItPasses() {
    Report r =
        check(new FinishedCheck(), withAnswers(ANSWERS.replace("decrypt_error", "Decrypt Error")));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
  }
}
