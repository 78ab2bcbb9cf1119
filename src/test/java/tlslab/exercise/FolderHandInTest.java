package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work folders handed in as folders (collected from the students' machines, or from Git) are graded
 * like archives, from a copy with the same limits: a symbolic link out of a student's folder (to
 * the classmate's folder beside it, to the grader's own files) is not followed, so that it can
 * neither pass as the student's evidence nor get the classmate flagged as a copier; a link inside
 * the folder is followed; a FIFO cannot stall the grader, a huge file cannot exhaust it. The work
 * graded is real: the class student's mutual-TLS chat with the instructor's server (exercise 9).
 */
@Tag("jdk") // the class student's key log comes from JSSE internals
class FolderHandInTest {
  @TempDir Path dir;

  private Map<String, Map<String, String>> grade(Path submissions) throws IOException {
    Path csv = dir.resolve(submissions.getFileName() + ".csv");
    ClassGradeTest.grade(StudentWork.get().classDir, submissions, csv);
    Map<String, Map<String, String>> by = new HashMap<>();
    ClassGradeTest.csv(Files.readString(csv)).forEach(r -> by.put(r.get("submission"), r));
    return by;
  }

  @Test
  void symbolicLinksOutOfAFolderAreNotFollowedAndTheVictimIsNotFlagged() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = Files.createDirectories(dir.resolve("handed-in"));
    String alice = StudentWork.CLASS_STUDENT.id();
    String bob = StudentWork.CLASS_OTHER.id();
    // alice's folder lives elsewhere; the instructor linked it into the folder of hand-ins.
    Path a = StudentWork.copy(sw.classWork, dir.resolve("collected").resolve(alice));
    Files.createSymbolicLink(submissions.resolve(alice), a);
    Evidence.write(a.resolve(Submission.STUDENT_FILE), alice + "\n");
    // alice keeps her key log elsewhere in her folder and links it: a link inside is followed.
    Files.createDirectories(a.resolve("keys"));
    Files.move(a.resolve("captures/09.keylog"), a.resolve("keys/09.keylog"));
    Files.createSymbolicLink(a.resolve("captures/09.keylog"), Path.of("../keys/09.keylog"));
    // bob's folder: links to alice's capture and key log beside it, and to a file of the grader.
    Path b = Files.createDirectories(submissions.resolve(bob).resolve("captures"));
    Evidence.write(submissions.resolve(bob).resolve(Submission.STUDENT_FILE), bob + "\n");
    Files.createSymbolicLink(b.resolve("09.pcap"), Path.of("../../" + alice + "/captures/09.pcap"));
    Files.createSymbolicLink(b.resolve("09.keylog"), a.resolve("keys/09.keylog"));
    Files.createSymbolicLink(
        b.resolveSibling("answers"), sw.classDir.toAbsolutePath()); // the class secret's folder
    Files.createDirectories(b.resolveSibling("traces"));
    new ProcessBuilder("mkfifo", b.resolveSibling("traces/06.jsonl").toString())
        .inheritIO()
        .start()
        .onExit()
        .join();
    assertThat(b.resolveSibling("traces/06.jsonl")).exists();

    Map<String, Map<String, String>> by = grade(submissions);
    assertThat(by.get(alice).get("ex09")).as(by.get(alice).get("ex09_hint")).isEqualTo("passed");
    assertThat(by.get(alice).get("collusion")).doesNotContain("shares with");
    Map<String, String> row = by.get(bob);
    assertThat(row.get("ex09")).isEqualTo("missing");
    assertThat(row.get("collusion"))
        .contains(
            "left out, not graded: ",
            "captures/09.keylog (a symbolic link to ",
            "captures/09.pcap (a symbolic link to ../../" + alice + "/captures/09.pcap)",
            "answers (a symbolic link to ",
            "traces/06.jsonl (not a file)")
        .doesNotContain("shares with");
  }

  /**
   * A folder holding a file larger than any evidence (sparse, 65 MiB) is refused as an archive
   * would be, in its own row; the others are graded. Two archives whose names differ only in the
   * case of {@code .zip} are two hand-ins, each graded from its own copy.
   */
  @Test
  void aHugeFileInAFolderIsRefusedAndLookalikeArchivesDoNotMix() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = Files.createDirectories(dir.resolve("handed-in-2"));
    Path huge = submissions.resolve("big").resolve("captures/02.pcap");
    Files.createDirectories(huge.getParent());
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(65L << 20);
    }
    String alice = StudentWork.CLASS_STUDENT.id();
    Submission.write(sw.classWork, alice, submissions.resolve("work.zip"), false);
    Path other = dir.resolve("other");
    Evidence.write(other.resolve("answers/06.txt"), "message: Finished\n");
    Submission.write(other, StudentWork.CLASS_OTHER.id(), submissions.resolve("work.ZIP"), false);

    Map<String, Map<String, String>> by = grade(submissions);
    assertThat(by.get("big").get("ex02")).isEqualTo("failed");
    assertThat(by.get("big").get("ex02_hint")).contains("captures/02.pcap is larger than 64 MiB");
    assertThat(by.get("work.zip").get("student")).isEqualTo(alice);
    assertThat(by.get("work.zip").get("ex09")).isEqualTo("passed");
    assertThat(by.get("work.ZIP").get("student")).isEqualTo(StudentWork.CLASS_OTHER.id());
    assertThat(by.get("work.ZIP").get("ex09")).isEqualTo("missing");
    for (String s : List.of("work.zip", "work.ZIP")) {
      assertThat(by.get(s).get("collusion")).doesNotContain("submissions are for");
    }
  }

  /** A student.txt that a spreadsheet would run as a formula is written as text. */
  @Test
  void aStudentNameThatIsAFormulaIsNotRunBySpreadsheets() throws IOException {
    Path submissions = Files.createDirectories(dir.resolve("handed-in-3"));
    for (String who : List.of("-2+3", "@SUM(A1)", "=1+1")) {
      Path w = dir.resolve("f" + Math.abs(who.hashCode()));
      Evidence.write(w.resolve("answers/06.txt"), "message: Finished\n");
      Submission.write(w, who, submissions.resolve("f" + Math.abs(who.hashCode()) + ".zip"), false);
    }
    Path csv = dir.resolve("formula.csv");
    ClassGradeTest.grade(StudentWork.get().classDir, submissions, csv);
    String text = Files.readString(csv);
    assertThat(text).contains("\"'-2+3\"", "\"'@SUM(A1)\"", "\"'=1+1\"");
    assertThat(text.lines()).noneMatch(l -> l.startsWith("-") || l.startsWith("@"));
  }
}
