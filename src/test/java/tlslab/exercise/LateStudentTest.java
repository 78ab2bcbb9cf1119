package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.ClassCertificates;

/**
 * A student joins the class late. {@code lab certs class --add} issues their bundle and leaves
 * every bundle already handed out, and the class secret, as they were: the work a student already
 * did with their class certificate (here exercise 9, a real mutual-TLS chat with the instructor's
 * server) still passes. Issuing the class again with {@code --force}, which once was the only way,
 * gives everyone a new certificate, and that work fails.
 */
@Tag("jdk") // the class student's key log comes from JSSE internals
class LateStudentTest {
  @TempDir Path tmp;

  private static ClassGradeTest.Run certsClass(Path roster, Path out, String mode) {
    return ClassGradeTest.lab(
        "certs",
        "class",
        "--roster",
        roster.toString(),
        "--dir",
        StudentWork.get().root.resolve("instructor").toString(),
        "--out",
        out.toString(),
        mode);
  }

  private Map<String, String> gradeAlice(Path klass, String name) throws IOException {
    return ClassGradeTest.gradeClassStudent(tmp, klass, name).getKey();
  }

  @Test
  void aLateStudentIsAddedAndEveryoneElsesWorkStillCounts() throws IOException {
    StudentWork sw = StudentWork.get();
    Path klass = StudentWork.copy(sw.classDir, tmp.resolve("class"));
    List<ClassCertificates.Entry> before =
        ClassCertificates.readManifest(klass.resolve(ClassCertificates.MANIFEST));
    byte[] secret = Files.readAllBytes(klass.resolve("class.secret"));
    byte[] aliceP12 =
        Files.readAllBytes(
            klass.resolve(
                StudentWork.CLASS_STUDENT.folder()
                    + "/"
                    + StudentWork.CLASS_STUDENT.folder()
                    + ".p12"));
    Path roster =
        Files.writeString(
            tmp.resolve("students.txt"),
            StudentWork.CLASS_STUDENT.id()
                + ","
                + StudentWork.CLASS_STUDENT.name()
                + "\n"
                + StudentWork.CLASS_OTHER.id()
                + ","
                + StudentWork.CLASS_OTHER.name()
                + "\ns9999999,Chloé Late\n");

    ClassGradeTest.Run added = certsClass(roster, klass, "--add");
    assertThat(added.exit()).as(added.err()).isZero();
    assertThat(added.out())
        .contains("Issued 1 student bundle ", "kept the 2 already in the manifest as they were");
    List<ClassCertificates.Entry> after =
        ClassCertificates.readManifest(klass.resolve(ClassCertificates.MANIFEST));
    assertThat(after).hasSize(3);
    assertThat(after.subList(0, 2))
        .extracting(ClassCertificates.Entry::serial, ClassCertificates.Entry::sha256Fingerprint)
        .containsExactlyElementsOf(
            before.stream()
                .map(e -> org.assertj.core.groups.Tuple.tuple(e.serial(), e.sha256Fingerprint()))
                .toList());
    assertThat(after.get(2).student().name()).isEqualTo("Chloé Late");
    assertThat(klass.resolve("s9999999/challenge.txt")).exists();
    assertThat(Files.readAllBytes(klass.resolve("class.secret"))).isEqualTo(secret);
    assertThat(
            Files.readAllBytes(
                klass.resolve(
                    StudentWork.CLASS_STUDENT.folder()
                        + "/"
                        + StudentWork.CLASS_STUDENT.folder()
                        + ".p12")))
        .isEqualTo(aliceP12);
    assertThat(gradeAlice(klass, "added").get("ex09")).isEqualTo("passed");

    // --add again: nothing new, nothing changed.
    ClassGradeTest.Run again = certsClass(roster, klass, "--add");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("Issued 0 student bundles", "kept the 3");

    // The old way: the whole class again. Alice's certificate in her capture is no longer hers.
    ClassGradeTest.Run forced = certsClass(roster, klass, "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    Map<String, String> alice = gradeAlice(klass, "forced");
    assertThat(alice.get("ex09")).isEqualTo("failed");
    assertThat(alice.get("ex09_hint")).contains("the class manifest lists serial");
  }

  @Test
  void addingWithAnotherCaOrWithoutAClassIsRefused() throws IOException {
    Path roster = Files.writeString(tmp.resolve("r.txt"), "s1,Ann Other\n");
    ClassGradeTest.Run none = certsClass(roster, tmp.resolve("none"), "--add");
    assertThat(none.exit()).isEqualTo(3);
    assertThat(none.err().strip()).contains("no class to add to yet").doesNotContain("\n");

    Path klass = StudentWork.copy(StudentWork.get().classDir, tmp.resolve("class"));
    Path other = tmp.resolve("other-ca");
    tlslab.pki.LabCertificates.init(tlslab.pki.InitOptions.builder().dir(other).build());
    ClassGradeTest.Run wrongCa =
        ClassGradeTest.lab(
            "certs",
            "class",
            "--roster",
            roster.toString(),
            "--dir",
            other.toString(),
            "--out",
            klass.toString(),
            "--add");
    assertThat(wrongCa.exit()).isEqualTo(6);
    assertThat(wrongCa.err().strip()).contains("is another CA than").doesNotContain("\n");
    assertThat(klass.resolve("s1")).doesNotExist();
  }

  /**
   * One student's key leaked or was lost: {@code lab certs class --reissue ID} gives them a new key
   * and certificate with the same challenge, in the same manifest place, and revokes the old
   * certificate (superseded); the classmate's bundle and manifest line stay. Work made with the old
   * certificate then fails, and an ID not in the manifest is one line, exit 3.
   */
  @Test
  void oneStudentsBundleIsIssuedAgainAndTheOldCertificateNoLongerCounts() throws IOException {
    StudentWork sw = StudentWork.get();
    Path ca = StudentWork.copy(sw.root.resolve("instructor"), tmp.resolve("certs"));
    Path klass = StudentWork.copy(sw.classDir, ca.resolve("class"));
    List<ClassCertificates.Entry> before =
        ClassCertificates.readManifest(klass.resolve(ClassCertificates.MANIFEST));
    String alice = StudentWork.CLASS_STUDENT.folder();
    String challenge = Files.readString(klass.resolve(alice + "/challenge.txt"));
    byte[] p12 = Files.readAllBytes(klass.resolve(alice + "/" + alice + ".p12"));
    assertThat(gradeAlice(klass, "before").get("ex09")).isEqualTo("passed");

    ClassGradeTest.Run r =
        ClassGradeTest.lab(
            "certs",
            "class",
            "--dir",
            ca.toString(),
            "--out",
            klass.toString(),
            "--reissue",
            StudentWork.CLASS_STUDENT.id());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "Issued 1 student bundle ", "kept the other 1 as they were", "is revoked (superseded)");
    List<ClassCertificates.Entry> after =
        ClassCertificates.readManifest(klass.resolve(ClassCertificates.MANIFEST));
    assertThat(after)
        .extracting(ClassCertificates.Entry::key)
        .containsExactlyElementsOf(before.stream().map(ClassCertificates.Entry::key).toList());
    assertThat(after.get(0).key()).isEqualTo(alice);
    assertThat(after.get(0).serial()).isNotEqualTo(before.get(0).serial());
    assertThat(after.get(1).serial()).isEqualTo(before.get(1).serial());
    assertThat(Files.readString(klass.resolve(alice + "/challenge.txt"))).isEqualTo(challenge);
    assertThat(Files.readAllBytes(klass.resolve(alice + "/" + alice + ".p12"))).isNotEqualTo(p12);
    assertThat(tlslab.pki.Revocations.list(ca))
        .anyMatch(
            x ->
                new java.math.BigInteger(x.serial(), 16)
                        .equals(new java.math.BigInteger(before.get(0).serial(), 16))
                    && x.reason() == tlslab.pki.RevocationReason.SUPERSEDED);
    Map<String, String> old = gradeAlice(klass, "after");
    assertThat(old.get("ex09")).isEqualTo("failed");
    // Said as it is: the student's own earlier certificate, replaced, not a classmate's.
    assertThat(old.get("ex09_hint"))
        .contains(
            "your earlier class certificate (serial " + before.get(0).serial() + ")",
            "replaced when your bundle was issued again",
            "the class manifest now lists serial " + after.get(0).serial())
        .doesNotContain("a friend's");

    ClassGradeTest.Run unknown =
        ClassGradeTest.lab(
            "certs",
            "class",
            "--dir",
            ca.toString(),
            "--out",
            klass.toString(),
            "--reissue",
            "s000");
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.err().strip())
        .contains("'s000' is not in the class manifest")
        .doesNotContain("\n");
  }
}
