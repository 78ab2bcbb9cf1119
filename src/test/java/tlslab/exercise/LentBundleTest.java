package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.ClassCertificates;

/**
 * A student lends their class key to a classmate: the classmate does the exercises for real (their
 * own certificates, captures and challenge) but presents the lender's class certificate. The
 * borrower's work fails (the manifest lists another certificate for them), and both hand-ins are
 * flagged as sharing a client certificate: the lender gave away what proves it was them.
 */
@Tag("jdk") // key logs come from JSSE internals
class LentBundleTest {
  @TempDir Path tmp;

  @Test
  void aBorrowedClassCertificateFailsAndFlagsBoth() throws Exception {
    Path instructor = tmp.resolve("instructor");
    Path klass = tmp.resolve("class");
    List<ClassCertificates.Entry> entries =
        ClassGradeTest.issueClass(tmp, "s3001,Ana Paz\ns3002,Ivo Lund\n");
    ClassCertificates.Entry ana = entries.get(0);
    ClassCertificates.Entry ivo = entries.get(1);
    // Ivo's bundle, his challenge, but Ana's key and certificate in it.
    Path lent = StudentWork.copy(ivo.folder(), tmp.resolve("lent").resolve(ivo.key()));
    for (String ext : List.of(".p12", ".pem")) {
      Files.copy(
          ana.folder().resolve(ana.key() + ext),
          lent.resolve(ivo.key() + ext),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Path handedIn = Files.createDirectories(tmp.resolve("handed-in"));
    Path anaWork = tmp.resolve("ana");
    Path ivoWork = tmp.resolve("ivo");
    ClassGradeTest.doExercises(anaWork, ana, instructor);
    ClassGradeTest.doExercises(
        ivoWork,
        new ClassCertificates.Entry(ivo.student(), ivo.serial(), ivo.sha256Fingerprint(), lent),
        instructor);
    Submission.write(anaWork, ana.key(), handedIn.resolve("ana.zip"), false);
    Submission.write(ivoWork, ivo.key(), handedIn.resolve("ivo.zip"), false);

    Path csv = tmp.resolve("gradebook.csv");
    ClassGradeTest.grade(klass, handedIn, csv);
    Map<String, Map<String, String>> by =
        ClassGradeTest.csv(Files.readString(csv)).stream()
            .collect(Collectors.toMap(r -> r.get("student"), r -> r));
    assertThat(by.get(ana.key()).get("ex02")).isEqualTo("passed");
    assertThat(by.get(ana.key()).get("ex09")).isEqualTo("passed");
    assertThat(by.get(ivo.key()).get("ex01")).isEqualTo("passed"); // his own certificates
    assertThat(by.get(ivo.key()).get("ex02")).isEqualTo("failed");
    assertThat(by.get(ivo.key()).get("ex02_hint")).contains("the class manifest lists serial");
    assertThat(by.get(ana.key()).get("collusion"))
        .contains("shares with " + ivo.key() + ": client certificate");
    assertThat(by.get(ivo.key()).get("collusion"))
        .contains("shares with " + ana.key() + ": client certificate");
  }
}
