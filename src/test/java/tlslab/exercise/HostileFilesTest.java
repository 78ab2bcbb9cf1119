package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made to crash or hold the checker: enormous (sparse) answers, captures and key logs, a
 * capture of millions of empty frames, a deeply nested log line, archives that are not archives or
 * hold thousands of files. Each gets one line that names the file and a documented exit code (1, a
 * check failed; README "Exit codes"), in seconds, never a stack trace; and one broken hand-in does
 * not stop the grading of the others.
 */
class HostileFilesTest {
  @TempDir Path dir;

  private Path mine() {
    return StudentWork.copy(StudentWork.get().mine, dir.resolve("w"));
  }

  /** Makes {@code file} {@code bytes} long without writing them (a sparse file). */
  private static void sparse(Path file, long bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  private static ClassGradeTest.Run check(Path w, String n) {
    return ClassGradeTest.lab("exercise", "check", n, "--dir", w.toString());
  }

  private static void assertOneLineFailure(ClassGradeTest.Run r, String... parts) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out() + r.err()).contains(parts).doesNotContain("\tat ", "Exception in");
  }

  @Test
  void aThreeGibibyteAnswersFileIsRefusedNotRead() throws IOException {
    Path w = mine();
    sparse(w.resolve("answers/01.txt"), 3L << 30);
    long start = System.nanoTime();
    ClassGradeTest.Run r = check(w, "1");
    assertOneLineFailure(r, "01.txt is 3072 MiB", "at most 1 MiB");
    assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
  }

  @Test
  void aHugeCaptureOrKeyLogIsRefusedNotRead() throws IOException {
    Path w = mine();
    sparse(w.resolve("captures/02.keylog"), 100L << 20);
    assertOneLineFailure(check(w, "2"), "02.keylog is larger than any key log");
    Files.copy(
        StudentWork.get().mine.resolve("captures/02.keylog"),
        w.resolve("captures/02.keylog"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    sparse(w.resolve("captures/02.pcap"), 3L << 30);
    assertOneLineFailure(check(w, "2"), "02.pcap is 3072 MiB, more than any exercise's capture");
  }

  /**
   * A capture larger than a grader accepts is refused when it is handed in, with the file named
   * (exit 3, bad input), rather than packed into an archive the grading then refuses.
   */
  @Test
  void submitRefusesAFileTheGraderWouldRefuse() throws IOException {
    Path w = mine();
    sparse(w.resolve("captures/big.pcap"), 65L << 20);
    ClassGradeTest.Run r =
        ClassGradeTest.lab(
            "exercise",
            "submit",
            "--dir",
            w.toString(),
            "--student",
            "alice",
            "--out",
            dir.resolve("s.zip").toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .contains("big.pcap is 65 MiB, more than the 64 MiB a grader accepts");
    assertThat(dir.resolve("s.zip")).doesNotExist();
  }

  /**
   * A bundle whose challenge.txt was emptied: "" is in every line, so every "your challenge is in
   * it" would hold. It is no challenge, and the checks say so.
   */
  @Test
  void anEmptiedBundleChallengeIsNoChallenge() {
    Path w = mine();
    Evidence.write(w.resolve("bundle/x/challenge.txt"), "\n");
    Report r = Evidence.check(new tlslab.exercise.checks.FramingCheck(), w);
    assertThat(Evidence.failed(r, "your challenge is known").hint()).contains("holds no challenge");
  }

  /** A pcap header, then 40 MiB of zeros: two and a half million empty frames. */
  @Test
  void aCaptureOfMillionsOfEmptyFramesStopsAtTheLimit() throws IOException {
    Path w = mine();
    Path pcap = w.resolve("captures/02.pcap");
    byte[] header = Arrays.copyOf(Files.readAllBytes(pcap), 24);
    try (OutputStream o = Files.newOutputStream(pcap)) {
      o.write(header);
      o.write(new byte[40 << 20]);
    }
    Files.deleteIfExists(w.resolve("captures/02.pcap.stats"));
    long start = System.nanoTime();
    assertOneLineFailure(check(w, "2"), "holds more than 200000 frames");
    assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
  }

  @Test
  void aDeeplyNestedLogLineIsBadEvidenceNotACrash() throws IOException {
    Path w = mine();
    Evidence.write(w.resolve("mitm/06.jsonl"), "[".repeat(200_000) + "\n");
    Evidence.write(w.resolve("traces/06-server.jsonl"), "[".repeat(200_000) + "\n");
    ClassGradeTest.Run r = check(w, "6");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.out() + r.err()).doesNotContain("\tat ", "StackOverflowError");
  }

  /**
   * Four hand-ins: a file that is not a zip, an archive of 3000 files, an honest class student's
   * work folder, and an archive made in that student's name by someone else. The honest one is
   * graded; the broken ones' rows say why they were not; the two for one student are flagged.
   */
  @Test
  void brokenHandInsDoNotStopTheGradingOfTheClass() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = dir.resolve("handed-in");
    StudentWork.copy(sw.classWork, submissions.resolve(StudentWork.CLASS_STUDENT.id()));
    Evidence.write(
        submissions.resolve(StudentWork.CLASS_STUDENT.id() + "/" + Submission.STUDENT_FILE),
        StudentWork.CLASS_STUDENT.id() + "\n");
    Evidence.write(submissions.resolve("submission-broken.zip"), "not a zip at all\n");
    try (ZipOutputStream z =
        new ZipOutputStream(Files.newOutputStream(submissions.resolve("submission-many.zip")))) {
      for (int i = 0; i < 3000; i++) {
        z.putNextEntry(new ZipEntry("answers/" + i + ".txt"));
        z.write('x');
        z.closeEntry();
      }
    }
    // A hand-in in the honest student's name (student.txt says so), by someone else.
    try (ZipOutputStream z =
        new ZipOutputStream(
            Files.newOutputStream(submissions.resolve("submission-impostor.zip")))) {
      z.putNextEntry(new ZipEntry(Submission.STUDENT_FILE));
      z.write((StudentWork.CLASS_STUDENT.id() + "\n").getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("answers/10.txt"));
      z.write("loop-bug: A\n".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    Path gradebook = dir.resolve("gradebook.csv");
    ClassGradeTest.grade(sw.classDir, submissions, gradebook);
    var rows = ClassGradeTest.csv(Files.readString(gradebook));
    // The four hand-ins, and the classmate of the manifest who handed in nothing.
    assertThat(rows).hasSize(5);
    var byStudent = new java.util.HashMap<String, java.util.Map<String, String>>();
    rows.forEach(x -> byStudent.put(x.get("student"), x));
    assertThat(byStudent.get("many").get("ex09_hint")).contains("more than 2000 files");
    assertThat(byStudent.get("broken").get("collusion") + byStudent.get("broken").get("ex09_hint"))
        .contains("could not be unpacked");
    assertThat(rows.stream().filter(x -> x.get("ex09").equals("passed")).count()).isEqualTo(1);
    // Both hand-ins for the honest student are flagged, naming each other.
    assertThat(rows.stream().filter(x -> x.get("collusion").contains("2 submissions are for")))
        .hasSize(2)
        .allSatisfy(
            x -> assertThat(x.get("collusion")).contains("submission-impostor.zip", "s1234567"));
  }

  /**
   * Nothing in the folder of submissions, nor in the manifest, vanishes from the gradebook: a
   * student who handed in nothing has a row (every exercise missing) and the summary names them; a
   * hand-in packed as {@code .tar.gz} gets a row saying what to ask for; a {@code .ZIP} is graded
   * as a {@code .zip}; an archive with an entry pointing outside its folder is refused, saying
   * which; a hidden file is left out, saying so. (All of these once vanished without a word.)
   */
  @Test
  void everyStudentAndEveryFileHandedInHasARowOrALine() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = dir.resolve("handed-in");
    Path zip = dir.resolve("alice.zip");
    Submission.write(sw.classWork, StudentWork.CLASS_STUDENT.id(), zip, false);
    Files.createDirectories(submissions);
    Files.copy(zip, submissions.resolve("SUBMISSION-ALICE.ZIP"));
    Evidence.write(submissions.resolve(".DS_Store"), "finder\n");
    Path graded = dir.resolve("gradebook.csv");
    ClassGradeTest.Run r = ClassGradeTest.grade(sw.classDir, submissions, graded);
    var rows = ClassGradeTest.csv(Files.readString(graded));
    assertThat(rows)
        .extracting(x -> x.get("student"))
        .containsExactly(StudentWork.CLASS_STUDENT.id(), StudentWork.CLASS_OTHER.id());
    assertThat(rows.get(0).get("ex09")).isEqualTo("passed");
    assertThat(rows.get(1).get("submission")).isEmpty();
    assertThat(rows.get(1).get("name")).isEqualTo(StudentWork.CLASS_OTHER.name());
    assertThat(rows.get(1).entrySet())
        .filteredOn(e -> e.getKey().matches("ex\\d\\d"))
        .allSatisfy(e -> assertThat(e.getValue()).isEqualTo("missing"));
    assertThat(r.out())
        .contains(
            "1 submissions graded",
            "1 of the manifest's students handed in nothing (" + StudentWork.CLASS_OTHER.id() + ")")
        .containsPattern(StudentWork.CLASS_OTHER.id() + " .*no submission");
    assertThat(r.err())
        .contains("left out " + submissions.resolve(".DS_Store") + " (a hidden file)");

    // Bob packs his work as a .tar.gz; someone hands in an archive that reaches outside.
    Files.writeString(
        submissions.resolve("submission-" + StudentWork.CLASS_OTHER.id() + ".tar.gz"), "tar\n");
    try (ZipOutputStream z =
        new ZipOutputStream(Files.newOutputStream(submissions.resolve("submission-escape.zip")))) {
      z.putNextEntry(new ZipEntry("answers/../../outside.txt"));
      z.write('x');
      z.closeEntry();
    }
    r =
        ClassGradeTest.lab(
            "class",
            "grade",
            "--class",
            sw.classDir.toString(),
            "--submissions",
            submissions.toString(),
            "--out",
            graded.toString(),
            "--force");
    assertThat(r.exit()).as(r.err()).isZero();
    rows = ClassGradeTest.csv(Files.readString(graded));
    var by = new java.util.HashMap<String, java.util.Map<String, String>>();
    rows.forEach(x -> by.put(x.get("student"), x));
    assertThat(by)
        .containsOnlyKeys(StudentWork.CLASS_STUDENT.id(), StudentWork.CLASS_OTHER.id(), "escape");
    assertThat(by.get(StudentWork.CLASS_OTHER.id()).get("submission"))
        .isEqualTo("submission-" + StudentWork.CLASS_OTHER.id() + ".tar.gz");
    assertThat(by.get(StudentWork.CLASS_OTHER.id()).get("ex01_hint"))
        .contains("not a .zip from lab exercise submit");
    assertThat(by.get("escape").get("ex01_hint")).contains("points outside the archive's folder");
    assertThat(r.out()).contains("every student of the manifest handed something in");
  }

  /**
   * A hint names a file as the student's work folder has it ({@code work/certs/server.pem}), not by
   * the scratch folder an archive was unpacked into and which is gone once grading ends.
   */
  @Test
  void gradebookHintsNameFilesInsideTheHandInNotTheScratchFolder() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = Files.createDirectories(dir.resolve("handed-in"));
    // Self-study work handed in under a class ID: its server certificate names another challenge.
    Submission.write(
        sw.mine,
        StudentWork.CLASS_OTHER.id(),
        submissions.resolve("submission-" + StudentWork.CLASS_OTHER.id() + ".zip"),
        false);
    Path graded = dir.resolve("gradebook.csv");
    ClassGradeTest.grade(sw.classDir, submissions, graded);
    var row =
        ClassGradeTest.csv(Files.readString(graded)).stream()
            .filter(x -> x.get("student").equals(StudentWork.CLASS_OTHER.id()))
            .findFirst()
            .orElseThrow();
    assertThat(row.get("ex01")).isEqualTo("failed");
    assertThat(row.get("ex01_hint"))
        .startsWith("your server certificate carries your challenge: work/certs/server.pem names");
    assertThat(row.get("ex02_hint")).contains("lab exercise challenge --dir work)");
    assertThat(Files.readString(graded)).doesNotContain("tlslab-grade-");
  }

  /**
   * The answers read by the instructor are never passed on keywords, so a copied one passed
   * unnoticed: two students handing in the same sentence (here with other case, spacing and
   * punctuation) are now both flagged, naming the answer; a third who wrote their own is not, nor
   * two who pasted the same sentence from the exercise's text, nor identical factual answers.
   */
  @Test
  void theSameAnswerInOwnWordsFromTwoStudentsIsFlagged() throws IOException {
    StudentWork sw = StudentWork.get();
    Path submissions = Files.createDirectories(dir.resolve("handed-in"));
    String sentence =
        "It proves that both sides saw the same handshake messages and hold the same keys.";
    java.util.Map<String, String> proves =
        java.util.Map.of(
            StudentWork.CLASS_STUDENT.id(),
            sentence,
            StudentWork.CLASS_OTHER.id(),
            "  it PROVES that both sides saw the same handshake,"
                + " messages and hold the same keys",
            "s0000003",
            "A MAC over every handshake message keyed by the master secret.",
            "s0000004",
            "It proves both sides saw the same handshake (no downgrade or tampering)",
            "s0000005",
            "it proves both sides saw the same handshake, no downgrade or tampering");
    proves.forEach(
        (id, text) -> {
          Evidence.write(submissions.resolve(id + "/" + Submission.STUDENT_FILE), id + "\n");
          Evidence.write(
              submissions.resolve(id + "/answers/06.txt"),
              "message: Finished\nproves: " + text + "\nalert: decrypt_error\n");
        });
    Path graded = dir.resolve("gradebook.csv");
    ClassGradeTest.grade(sw.classDir, submissions, graded);
    var by = new java.util.HashMap<String, java.util.Map<String, String>>();
    ClassGradeTest.csv(Files.readString(graded)).forEach(x -> by.put(x.get("student"), x));
    assertThat(by.get(StudentWork.CLASS_STUDENT.id()).get("collusion"))
        .contains("shares with " + StudentWork.CLASS_OTHER.id() + ": same answer to 6 proves");
    assertThat(by.get(StudentWork.CLASS_OTHER.id()).get("collusion"))
        .contains("shares with " + StudentWork.CLASS_STUDENT.id() + ": same answer to 6 proves");
    assertThat(by.get("s0000003").get("collusion")).doesNotContain("shares with");
    // Two who pasted the same sentence of the exercise's own text copied it from there.
    assertThat(by.get("s0000004").get("collusion")).doesNotContain("shares with");
    assertThat(by.get("s0000005").get("collusion")).doesNotContain("shares with");
    // "message: Finished" and "alert: decrypt_error" are alike in every honest hand-in.
    assertThat(by.get(StudentWork.CLASS_STUDENT.id()).get("collusion"))
        .doesNotContain("message", "alert");
  }
}
