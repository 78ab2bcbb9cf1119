package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.MitmCheck;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.LabCertificates;

/**
 * Exercise 8 on the evidence of a real {@code lab mitm} run (see {@link MitmWork}), and the cheats
 * of issue 10: the old evidence (a capture of a chat with the impostor alone, a refusal file
 * holding a keyword), a hand-written log, a capture of one leg only, someone else's attacker.
 */
class MitmCheckTest {
  static final String FIX =
      "fix: the client must verify the server certificate and hostname against the trusted lab"
          + " CA (--ca), never --insecure\n";
  static MitmWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = MitmWork.get();
  }

  private Path copy() {
    return work.copy(tmp.resolve("work"));
  }

  @Test
  void theExerciseDoneAsWrittenPasses() throws IOException {
    Report r = check(new MitmCheck(), work.work);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSizeGreaterThanOrEqualTo(14);
    assertThat(Files.readString(work.work.resolve("answers/08-refused.txt")))
        .startsWith("lab client: server certificate at localhost:");
    assertThat(Files.readString(work.work.resolve("mitm/08.jsonl"))).contains(MitmWork.SECRET);
  }

  @Test
  void theOldEvidenceWithoutAManInTheMiddleFails() {
    // Issue 10's cheat: a capture of the insecure client talking to the impostor directly (no
    // relay), and a refusal file holding the word "certificate"; no mitm log.
    StudentWork old = StudentWork.get();
    Path w = copy();
    Evidence.copyCapture(old.mine.resolve("captures/08.pcap"), w.resolve("captures/08.pcap"));
    Evidence.copy(old.mine.resolve("evil/server.pem"), w.resolve("evil/server.pem"));
    Evidence.write(w.resolve("answers/08-refused.txt"), "certificate problem\n");
    w.resolve("mitm/08.jsonl").toFile().delete();
    Report r = check(new MitmCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "08.jsonl is a lab mitm log").hint()).contains("lab mitm --listen");
  }

  @Test
  void aRefusalFileHoldingAKeywordFails() {
    Path w = copy();
    Evidence.write(
        w.resolve("answers/08-refused.txt"),
        "certificate not trusted by a trusted CA: PKIX certification path\n");
    Report r = check(new MitmCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "your saved refusal is what lab client printed").hint())
        .contains("not lab client's refusal");
  }

  @Test
  void aRefusalForAnotherPortFails() throws IOException {
    Path w = copy();
    String real = Files.readString(w.resolve("answers/08-refused.txt"));
    Evidence.write(
        w.resolve("answers/08-refused.txt"), real.replaceFirst("localhost:\\d+", "localhost:1"));
    Report r = check(new MitmCheck(), w);
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "your saved refusal").hint()).contains("the port lab mitm listened on");
  }

  @Test
  void aHandWrittenLogFails() throws IOException {
    // Everything a student could know without running the attack: both fingerprints, a secret
    // line and a server reply, with made-up randoms.
    Path w = copy();
    String evil = sha256(w.resolve("evil/server.pem"));
    String mine = sha256(w.resolve("certs/server.pem"));
    String r1 = "11".repeat(32);
    String r2 = "22".repeat(32);
    String t = "\"time\":\"2026-12-01T09:00:00Z\"";
    Files.write(
        w.resolve("mitm/08.jsonl"),
        List.of(
            "{"
                + t
                + ",\"connection\":0,\"kind\":\"start\",\"mode\":\"intercept\",\"listen\":\"127.0.0.1:9443\"}",
            "{"
                + t
                + ",\"connection\":1,\"kind\":\"alert\",\"from\":\"victim\",\"description\":\"certificate_unknown\"}",
            "{"
                + t
                + ",\"connection\":2,\"kind\":\"handshake\",\"leg\":\"victim\",\"certificate_sha256\":\""
                + evil
                + "\",\"client_random\":\""
                + r1
                + "\"}",
            "{"
                + t
                + ",\"connection\":2,\"kind\":\"handshake\",\"leg\":\"upstream\",\"verified\":true,\"certificate_sha256\":\""
                + mine
                + "\",\"client_random\":\""
                + r2
                + "\"}",
            "{"
                + t
                + ",\"connection\":2,\"kind\":\"line\",\"from\":\"victim\",\"text\":\"my secret\"}",
            "{"
                + t
                + ",\"connection\":2,\"kind\":\"line\",\"from\":\"server\",\"text\":\"* you are now alice\"}"));
    Report r = check(new MitmCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "the key log holds the keys of both legs").hint())
        .contains("same lab mitm run");
    assertThat(failed(r, "holds the victim's leg").hint()).contains("a line the log holds");
  }

  @Test
  void aCaptureOfOneLegOnlyFails() {
    Path w = copy();
    Path pcap = w.resolve("captures/08.pcap");
    keepPort(work.work.resolve("captures/08.pcap"), pcap, mitmPort(w));
    Report r = check(new MitmCheck(), w);
    assertThat(failed(r, "the attacker's leg to your server").hint())
        .contains("capture both ports");
  }

  @Test
  void someoneElsesImpostorFails() {
    // A friend's impostor certificate: the log and capture show a different one.
    StudentWork old = StudentWork.get();
    Path w = copy();
    Evidence.copy(old.mine.resolve("evil/server.pem"), w.resolve("evil/server.pem"));
    Report r = check(new MitmCheck(), w);
    assertThat(failed(r, "the attacker showed your impostor").hint())
        .contains("not shown your impostor");
  }

  @Test
  void anInsecureOutputThatIsNoRelayedReplyFails() {
    Path w = copy();
    Evidence.write(w.resolve("answers/08-insecure.txt"), "* you are now alice\n* connected\n");
    Report r = check(new MitmCheck(), w);
    // "* you are now alice" is a real reply only if the log has it on the relayed connection:
    // it does, so this one passes; an invented line does not.
    Evidence.write(w.resolve("answers/08-insecure.txt"), "* the attacker was here\n");
    Report r2 = check(new MitmCheck(), w);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(failed(r2, "the insecure client printed the real server's reply").hint())
        .contains("none of the lines");
  }

  @Test
  void theFixGoesToTheInstructorAndAMissingOneFails() {
    Path w = copy();
    Evidence.write(w.resolve("answers/08.txt"), "fix: use a better password\n");
    Report r = check(new MitmCheck(), w);
    // Conceptual: collected, never judged on keywords (issue 10).
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.collected()).containsEntry("fix", "use a better password");
    Evidence.write(w.resolve("answers/08.txt"), "fix:\n");
    assertThat(failed(check(new MitmCheck(), w), "fix is answered").hint())
        .contains("in your own words");
  }

  @Test
  void someoneElsesChallengeFails() {
    // A copied folder, checked for a student whose challenge is another one.
    Path w = copy();
    Evidence.write(
        w.resolve(Identity.SELF_STUDY_FILE),
        tlslab.pki.ClassChallenge.of(tlslab.pki.ClassChallenge.newSecret(), "friend") + "\n");
    Report r = check(new MitmCheck(), w);
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactlyInAnyOrder(
            "your server certificate carries your challenge",
            "the attacker read your challenge in what the victim typed");
  }

  /** The port lab mitm listened on, from its log. */
  static int mitmPort(Path w) {
    String listen =
        tlslab.mitm.MitmLog.read(w.resolve("mitm/08.jsonl"))
            .entries()
            .get(0)
            .string("listen")
            .orElseThrow();
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /** Copies a capture keeping only the frames to or from {@code port}: one leg. */
  static void keepPort(Path src, Path dst, int port) {
    java.util.Set<Long> keep = new java.util.HashSet<>();
    tlslab.annotate.Annotator a =
        new tlslab.annotate.Annotator(tlslab.annotate.KeyMaterial.none(), false);
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(src)) {
      while (r.next(f)) {
        tlslab.annotate.Row row = a.annotate(f);
        if (row.sourcePort == port || row.destinationPort == port) {
          keep.add(row.number);
        }
      }
    }
    assertThat(keep).isNotEmpty();
    Evidence.keepFrames(src, dst, keep::contains);
  }

  private static String sha256(Path pem) {
    return CertificateSummary.sha256Fingerprint(
        CertificateFile.read(pem, LabCertificates.STORE_PASSWORD).leaf());
  }
}
