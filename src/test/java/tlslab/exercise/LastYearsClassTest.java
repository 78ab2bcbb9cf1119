package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.failed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.CertificatesCheck;
import tlslab.exercise.checks.MutualTlsCheck;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassOptions;

/**
 * The cheat: last year's hand-in. A student retaking the course (same ID, same name) hands in the
 * work they made last year, or a classmate's from last year. The instructor issued this year's
 * class from the same CA into a new folder, as the README says: its new secret gives the student a
 * new challenge, and a new class certificate. Last year's exercise 1 (bound by the challenge) and 9
 * (bound by the class key) both fail, saying why.
 */
class LastYearsClassTest {
  @TempDir Path tmp;

  @Test
  void lastYearsWorkFailsAgainstThisYearsClass() throws IOException {
    StudentWork sw = StudentWork.get();
    // Last year: the class student's exercise 9 and exercise 1, made with last year's bundle.
    Path w = StudentWork.copy(sw.classWork, tmp.resolve("last-year"));
    StudentWork.initCertificates(w, tlslab.pki.KeyType.EC_P256);
    CertificateSummary s =
        CertificateSummary.of(
            CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    Evidence.write(
        w.resolve("answers/01.txt"),
        "fingerprint: "
            + s.sha256Fingerprint()
            + "\nkey: "
            + s.key()
            + "\nissuer: "
            + s.issuer()
            + "\nsans: "
            + String.join(", ", s.subjectAltNames())
            + "\n");
    ClassRecord lastYear = ClassRecord.load(sw.classDir);
    Optional<String> id = Optional.of(StudentWork.CLASS_STUDENT.id());
    assertThat(new CertificatesCheck().check(new Workspace(w, id, Optional.of(lastYear))).passed())
        .as("graded against last year's class, it passed")
        .isTrue();

    // This year: the same roster, issued from the same CA into a new folder.
    Path thisYearDir = tmp.resolve("class-this-year");
    ClassCertificates.issue(
        ClassOptions.builder()
            .caDir(sw.root.resolve("instructor"))
            .out(thisYearDir)
            .students(List.of(StudentWork.CLASS_STUDENT, StudentWork.CLASS_OTHER))
            .build(),
        (done, total) -> {});
    ClassRecord thisYear = ClassRecord.load(thisYearDir);
    Workspace graded = new Workspace(w, id, Optional.of(thisYear));
    assertThat(
            failed(new CertificatesCheck().check(graded), "your server certificate carries").hint())
        .contains("not your challenge", "someone else's certificates");
    Report nine = new MutualTlsCheck().check(graded);
    assertThat(nine.passed()).isFalse();
    assertThat(Evidence.failures(nine).get(0).hint()).contains("the class manifest lists serial");
  }
}
