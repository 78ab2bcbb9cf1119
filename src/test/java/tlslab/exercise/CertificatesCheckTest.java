package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.CertificatesCheck;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;

/** Exercise 1: the student's own certificates, carrying their challenge, and exact answers. */
class CertificatesCheckTest {
  @TempDir static Path root;
  static Path mine;
  static Path friend;

  @BeforeAll
  static void certificates() {
    mine = root.resolve("mine");
    friend = root.resolve("friend");
    Identity.newSelfStudyChallenge(mine);
    Identity.newSelfStudyChallenge(friend);
    StudentWork.initCertificates(mine);
    StudentWork.initCertificates(friend);
  }

  private static CertificateSummary summary(Path work) {
    return CertificateSummary.of(
        CertificateFile.read(work.resolve("certs/server.pem"), "changeit").leaf());
  }

  private static String answersFor(Path work) {
    CertificateSummary s = summary(work);
    return "fingerprint: "
        + s.sha256Fingerprint()
        + "\n"
        + "key: RSA 2048\n"
        + "issuer: TLS Lab CA\n"
        + "sans: localhost, 127.0.0.1, "
        + StudentWork.challenge(work)
        + ".invalid\n";
  }

  private static Report check(Path work, String answers) throws IOException {
    Files.createDirectories(work.resolve("answers"));
    Files.writeString(work.resolve("answers/01.txt"), answers);
    return new CertificatesCheck().check(new Workspace(work, Optional.empty()));
  }

  @Test
  void ownCertificatesAndCorrectAnswersPassAndSayIdentityIsNotProven() throws IOException {
    Report r = check(mine, answersFor(mine));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.notes()).anyMatch(n -> n.contains("not proven"));
  }

  @Test
  void valuesPastedAsTheLabPrintsThemPass() throws IOException {
    CertificateSummary s = summary(mine);
    // The lines exactly as lab certs show prints them, labels and all.
    String answers =
        "fingerprint: SHA-256:        "
            + s.sha256Fingerprint()
            + "\nkey:            "
            + s.key()
            + "\nissuer: "
            + s.issuer()
            + "\nsans: "
            + String.join(", ", s.subjectAltNames())
            + "\n";
    assertThat(s.key()).isEqualTo("RSA 2048 bits");
    Report r = check(mine, answers);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    Report lower = check(mine, answersFor(mine).replace("RSA 2048", "rsa-2048 bits"));
    assertThat(lower.passed()).as("%s", lower.items()).isTrue();
  }

  /**
   * "issuer: localhost, TLS Lab CA" names both candidates (the subject's CN and the issuer's) and
   * once passed, since it contains the issuer's CN. The CN alone, "CN=" and the CN, or the whole
   * issuer line pass.
   */
  @Test
  void anIssuerAnswerNamingSeveralCandidatesFails() throws IOException {
    CertificateSummary s = summary(mine);
    Report hedged =
        check(
            mine, answersFor(mine).replace("issuer: TLS Lab CA", "issuer: localhost, TLS Lab CA"));
    assertThat(Evidence.failures(hedged))
        .extracting(Report.Item::requirement)
        .containsExactly("issuer names the CA that signed your certificate");
    for (String one : java.util.List.of("tls lab ca", "CN=TLS Lab CA", s.issuer())) {
      Report r = check(mine, answersFor(mine).replace("issuer: TLS Lab CA", "issuer: " + one));
      assertThat(r.passed()).as("%s: %s", one, r.items()).isTrue();
    }
  }

  @Test
  void copiedAnswersFailOnTheFingerprint() throws IOException {
    Report r =
        check(
            mine,
            answersFor(friend).replace(StudentWork.challenge(friend), StudentWork.challenge(mine)));
    assertThat(Evidence.failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly("fingerprint is your server certificate's SHA-256 fingerprint");
  }

  @Test
  void aCopiedWorkFolderFailsOnTheChallenge(@TempDir Path work) throws IOException {
    // cp -r of a friend's folder, with the copier's own challenge: the certificate names the
    // friend.
    StudentWork.copy(friend, work);
    Identity.newSelfStudyChallenge(work.resolve("x")); // a fresh challenge of "my own"
    Files.copy(
        work.resolve("x/challenge.txt"),
        work.resolve("challenge.txt"),
        StandardCopyOption.REPLACE_EXISTING);
    Report r = check(work, answersFor(friend));
    Report.Item f = Evidence.failed(r, "your server certificate carries your challenge");
    assertThat(f.hint())
        .contains("someone else's certificates")
        .contains(StudentWork.challenge(friend));
  }

  @Test
  void serverCertificateFromAnotherCaFails(@TempDir Path work) throws IOException {
    Files.createDirectories(work.resolve("certs"));
    Files.copy(mine.resolve("certs/ca.pem"), work.resolve("certs/ca.pem"));
    Files.copy(mine.resolve("challenge.txt"), work.resolve("challenge.txt"));
    for (String f : new String[] {"server.pem", "server.key"}) {
      Files.copy(
          friend.resolve("certs/" + f),
          work.resolve("certs/" + f),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Report r = check(work, answersFor(work));
    assertThat(r.passed()).isFalse();
    assertThat(Evidence.failures(r))
        .anySatisfy(i -> assertThat(i.requirement()).contains("signed by ca.pem"));
  }

  @Test
  void missingCertificatesFailWithTheCommandToRun(@TempDir Path work) {
    Report r = new CertificatesCheck().check(new Workspace(work, Optional.empty()));
    assertThat(r.passed()).isFalse();
    assertThat(r.items().get(0).hint()).contains("lab certs init");
  }

  @Test
  void wrongSansAndKeyFail() throws IOException {
    Report r =
        check(
            mine,
            answersFor(mine).replace("RSA 2048", "RSA 3072").replace("localhost, 127.0.0.1, ", ""));
    assertThat(Evidence.failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "key names your server key's type and size", "sans lists every SubjectAltName");
  }
}
