package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.MutualTlsCheck;

/**
 * Exercise 9 alone (a client certificate from {@code lab certs issue}) and in class (a bundle from
 * {@code lab certs class}, the instructor's server), on real mutual-TLS captures.
 */
class MutualTlsCheckTest {
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  @Test
  void aloneMyIssuedCertificatePasses() {
    Report r = check(new MutualTlsCheck(), work.mine);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(8); // with "the handshake in 09.pcap verifies (...)"
    assertThat(r.notes()).anyMatch(n -> n.contains("not proven"));
  }

  private static Report graded(Path w, String student) {
    ClassRecord k = ClassRecord.load(work.classDir);
    return new MutualTlsCheck().check(new Workspace(w, Optional.of(student), Optional.of(k)));
  }

  @Test
  void gradedAgainstTheClassRecordMyBundleCertificatePasses() {
    Report r = graded(work.classWork, StudentWork.CLASS_STUDENT.id());
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.notes()).anyMatch(n -> n.contains("proven against the class record"));
    assertThat(r.items())
        .anyMatch(
            i ->
                i.requirement()
                    .equals("the client certificate is the one the class CA issued to you"));
  }

  @Test
  void aBundleFromACaOfMyOwnPassesMyCheckButNotTheGrading() {
    // The cheat: a CA of one's own, a client certificate named like the student, the real
    // challenge (the student knows it), a genuine mutual-TLS session with one's own server.
    Path w = tmp.resolve("forger");
    Path certs = w.resolve("certs");
    tlslab.pki.LabCertificates.init(tlslab.pki.InitOptions.builder().dir(certs).build());
    tlslab.pki.ClientFiles fake =
        tlslab.pki.LabCertificates.issueClient(certs, StudentWork.CLASS_STUDENT.id(), false);
    Path bundle = w.resolve("bundle");
    Evidence.copy(certs.resolve("ca.pem"), bundle.resolve("ca.pem"));
    Evidence.copy(fake.cert(), bundle.resolve(StudentWork.CLASS_STUDENT.folder() + ".pem"));
    Evidence.copy(work.classWork.resolve("bundle/challenge.txt"), bundle.resolve("challenge.txt"));
    StudentWork.chatWithCertificate(
        w,
        "09",
        certs,
        certs.resolve("ca.pem"),
        fake.keyStore(),
        tlslab.tls.ClientAuth.NEED,
        "Alice");
    Report mine = check(new MutualTlsCheck(), w, StudentWork.CLASS_STUDENT.id());
    assertThat(mine.passed()).as("%s", mine.items()).isTrue();
    assertThat(mine.notes()).anyMatch(n -> n.contains("your instructor's grading proves them"));
    Report r = graded(w, StudentWork.CLASS_STUDENT.id());
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "the client certificate is the one the class CA issued to you").hint())
        .contains("the class manifest lists serial", "not one you issued yourself");
  }

  @Test
  void gradedAFriendsSessionFailsOnCertificateAndChallenge() {
    Path w = work.copy(work.classWork, tmp.resolve("copy"));
    Report r = graded(w, StudentWork.CLASS_OTHER.id());
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "the client certificate is the one the class CA issued to you",
            "your challenge is in the decrypted chat of 09.pcap");
  }

  @Test
  void inClassMyBundleCertificatePassesByNameOrId() {
    for (String student : new String[] {"Alice Martin", "alice martin", "s1234567"}) {
      Report r = check(new MutualTlsCheck(), work.classWork, student);
      assertThat(r.passed()).as("%s: %s", student, r.items()).isTrue();
    }
  }

  @Test
  void inClassABundleThatNamesSomeoneElseFails() {
    Report r = check(new MutualTlsCheck(), work.classWork, "Bob Stone");
    assertThat(failed(r, "your bundle's certificate names you").hint())
        .contains("CN=Alice Martin", "not to 'Bob Stone'");
  }

  @Test
  void inClassACaptureMadeWithAnotherStudentsCertificateFails() {
    // Bob's folder holds his own bundle, but the capture is Alice's session.
    Path w = work.copy(work.classWork, tmp.resolve("bob"));
    tmp.resolve("bob/bundle").toFile().renameTo(tmp.resolve("alice-bundle").toFile());
    work.copy(work.otherBundle, w.resolve("bundle"));
    Report r = check(new MutualTlsCheck(), w, "Bob Stone");
    assertThat(failures(r)).hasSize(2);
    assertThat(failed(r, "the client certificate is your bundle's certificate").hint())
        .contains("CN=Alice Martin", "s7654321.pem");
  }

  @Test
  void inClassWithoutABundleFails() {
    Report r = check(new MutualTlsCheck(), work.mine, "alice");
    assertThat(failed(r, "your challenge is known").hint()).contains("copy the bundle");
  }

  @Test
  void aCaptureWithoutClientAuthFails() {
    Path w = work.copy(work.mine, tmp.resolve("w"));
    Evidence.copyCapture(w.resolve("captures/02.pcap"), w.resolve("captures/09.pcap"));
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failed(r, "the server sends a Certificate Request").hint())
        .contains("--client-auth need");
  }

  @Test
  void aClientThatSentNoCertificateFails() {
    Path w = work.copy(work.mine, tmp.resolve("w"));
    Evidence.copyCapture(w.resolve("captures/09-nocert.pcap"), w.resolve("captures/09.pcap"));
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failed(r, "the client answers with a certificate").hint()).contains("--cert");
  }

  @Test
  void aCertificateThatIsNotMineFails() {
    // The class capture shows a certificate from the instructor's CA; alone, mine are in certs/.
    Path w = work.copy(work.mine, tmp.resolve("w"));
    Evidence.copyCapture(work.classWork.resolve("captures/09.pcap"), w.resolve("captures/09.pcap"));
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failures(r)).hasSize(2);
    assertThat(failed(r, "the client certificate is one of yours").hint())
        .contains("CN=Alice Martin", "client-alice.pem");
  }

  @Test
  void noClientCertificateAtAllFails() {
    Path w = work.copy(work.mine, tmp.resolve("w"));
    w.resolve("certs/client-alice.pem").toFile().delete();
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failed(r, "you have a client certificate").hint()).contains("lab certs issue");
  }

  @Test
  void aCorruptCaptureIsAFailedItem() {
    Path w = work.copy(work.mine, tmp.resolve("w"));
    Evidence.write(w.resolve("captures/09.pcap"), "");
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failed(r, "09.pcap is a readable capture").hint()).contains("too short");
  }
}
