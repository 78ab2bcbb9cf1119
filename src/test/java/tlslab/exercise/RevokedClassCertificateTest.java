package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.ClassCertificates;

/**
 * A class certificate the instructor revoked (the README's answer to a leaked key or a bundle given
 * to the wrong person) no longer names its student: graded, a capture made with it fails, whatever
 * its timestamps say, while the same work passed before the revocation. Real exercise 9 work (a
 * mutual-TLS chat with the instructor's server, captured by libpcap); {@code lab certs revoke} on
 * the class CA. Grading once accepted it, since only the manifest and the chain were checked.
 */
@Tag("jdk") // the class student's key log comes from JSSE internals
class RevokedClassCertificateTest {
  @TempDir Path tmp;

  private Map<String, String> gradeAlice(Path klass, String name, StringBuilder err)
      throws IOException {
    Map.Entry<Map<String, String>, String> graded =
        ClassGradeTest.gradeClassStudent(tmp, klass, name);
    err.append(graded.getValue());
    return graded.getKey();
  }

  @Test
  void aRevokedClassCertificateNoLongerCounts() throws IOException {
    StudentWork sw = StudentWork.get();
    // The instructor's layout: the CA in certs/, the class in certs/class (lab certs class).
    Path ca = StudentWork.copy(sw.root.resolve("instructor"), tmp.resolve("certs"));
    Path klass = StudentWork.copy(sw.classDir, ca.resolve("class"));
    StringBuilder err = new StringBuilder();
    assertThat(gradeAlice(klass, "before", err).get("ex09")).isEqualTo("passed");
    assertThat(err.toString()).doesNotContain("revocations not checked");

    String serial =
        ClassCertificates.readManifest(klass.resolve(ClassCertificates.MANIFEST)).stream()
            .filter(e -> e.key().equals(StudentWork.CLASS_STUDENT.folder()))
            .findFirst()
            .orElseThrow()
            .serial();
    ClassGradeTest.Run revoke =
        ClassGradeTest.lab(
            "certs",
            "revoke",
            "--dir",
            ca.toString(),
            "--serial",
            serial,
            "--reason",
            "keyCompromise");
    assertThat(revoke.exit()).as(revoke.err()).isZero();

    Map<String, String> after = gradeAlice(klass, "after", err);
    assertThat(after.get("ex09")).isEqualTo("failed");
    assertThat(after.get("ex09_hint"))
        .contains(
            "which the class CA revoked (keyCompromise", "ask your instructor for a new bundle");
  }

  @Test
  void aClassGradedAwayFromItsCaSaysRevocationsAreNotChecked() throws IOException {
    StringBuilder err = new StringBuilder();
    // The test evidence keeps its class folder apart from the instructor's CA folder.
    assertThat(gradeAlice(StudentWork.get().classDir, "apart", err).get("ex09"))
        .isEqualTo("passed");
    assertThat(err.toString()).contains("lab class grade: revocations not checked");
  }
}
