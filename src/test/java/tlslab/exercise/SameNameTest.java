package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.ClassCertificates;

/**
 * Two students of one name, told apart by their IDs: each gets a bundle of their own, each hands in
 * under their name ({@code lab exercise submit --student "Alex Kim"}, or an archive whose
 * student.txt says only the name), and grading gives each their own row, their own work passing,
 * with no copy flag between them and neither overwriting the other. Their work is real: exercises
 * 1, 2 and 9 with the lab's server, client, libpcap captures and key logs.
 */
@Tag("jdk") // key logs come from JSSE internals
class SameNameTest {
  @TempDir Path tmp;

  @Test
  void twoAlexKimsAreTwoStudents() throws Exception {
    Path instructor = tmp.resolve("instructor");
    Path klass = tmp.resolve("class");
    List<ClassCertificates.Entry> entries =
        ClassGradeTest.issueClass(tmp, "s2001,Alex Kim\ns2002,Alex Kim\ns2003,Bea Ruiz\n");
    assertThat(entries).extracting(ClassCertificates.Entry::key).contains("s2001", "s2002");
    assertThat(entries.get(0).sha256Fingerprint()).isNotEqualTo(entries.get(1).sha256Fingerprint());
    assertThat(Files.readString(klass.resolve("s2001/challenge.txt")))
        .isNotEqualTo(Files.readString(klass.resolve("s2002/challenge.txt")));

    Path handedIn = Files.createDirectories(tmp.resolve("handed-in"));
    Path first = tmp.resolve("alex-1");
    Path second = tmp.resolve("alex-2");
    ClassGradeTest.doExercises(first, entries.get(0), instructor);
    ClassGradeTest.doExercises(second, entries.get(1), instructor);
    // The first hands in by name: the bundle says which Alex Kim, and the archive names the ID.
    ClassGradeTest.Run sub =
        ClassGradeTest.lab(
            "exercise",
            "submit",
            "--dir",
            first.toString(),
            "--student",
            "Alex Kim",
            "--out",
            handedIn.resolve("alex.zip").toString());
    assertThat(sub.exit()).as(sub.err()).isZero();
    assertThat(sub.err()).contains("handing in as s2001");
    assertThat(sub.out()).contains("for s2001");
    // The second's archive says only the name (made by an older lab, or by hand): the bundle's
    // certificate in it says which of the two it is.
    Submission.write(second, "Alex Kim", handedIn.resolve("alex-kim.zip"), false);

    Path csv = tmp.resolve("gradebook.csv");
    ClassGradeTest.Run graded = ClassGradeTest.grade(klass, handedIn, csv);
    List<Map<String, String>> rows = ClassGradeTest.csv(Files.readString(csv));
    Map<String, Map<String, String>> byStudent =
        rows.stream().collect(Collectors.toMap(r -> r.get("student"), r -> r));
    assertThat(byStudent).as(graded.out()).containsOnlyKeys("s2001", "s2002", "s2003");
    for (String id : List.of("s2001", "s2002")) {
      Map<String, String> row = byStudent.get(id);
      assertThat(row.get("name")).isEqualTo("Alex Kim");
      for (String ex : List.of("ex01", "ex02", "ex09")) {
        assertThat(row.get(ex)).as("%s %s: %s", id, ex, row.get(ex + "_hint")).isEqualTo("passed");
      }
      assertThat(row.get("collusion")).as(id).doesNotContain("shares with", "submissions are for");
    }
    assertThat(byStudent.get("s2001").get("submission")).isEqualTo("alex.zip");
    assertThat(byStudent.get("s2002").get("submission")).isEqualTo("alex-kim.zip");
    assertThat(byStudent.get("s2002").get("collusion"))
        .contains("handed in as 'Alex Kim', the name of 2 students: graded as s2002");
    assertThat(byStudent.get("s2003").get("ex02")).isEqualTo("missing");

    // An archive naming only "Alex Kim" with no bundle in it names neither: said so, not guessed.
    Path noBundle = StudentWork.copy(second, tmp.resolve("no-bundle"));
    StudentWork.deleteTree(noBundle.resolve("bundle"));
    Path alone = Files.createDirectories(tmp.resolve("handed-in-alone"));
    Submission.write(noBundle, "Alex Kim", alone.resolve("alex-kim.zip"), false);
    Path csv2 = tmp.resolve("alone.csv");
    ClassGradeTest.grade(klass, alone, csv2);
    Map<String, String> row =
        ClassGradeTest.csv(Files.readString(csv2)).stream()
            .filter(r -> r.get("submission").equals("alex-kim.zip"))
            .findFirst()
            .orElseThrow();
    assertThat(row.get("collusion"))
        .contains("'Alex Kim' is the name of 2 students of the class (s2001, s2002)");
    assertThat(row.get("ex02")).isEqualTo("failed");
    assertThat(row.get("ex02_hint")).contains("is the name of 2 students");
  }
}
