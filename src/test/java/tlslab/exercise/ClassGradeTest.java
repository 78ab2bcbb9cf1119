package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.ClassCertificates;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * A class of 30 with accented names, end to end: the instructor's CA and roster, {@code lab certs
 * class}, 30 students doing exercises 1, 2, 9 and 10 with the lab's real pieces (certificates, chat
 * server and client, libpcap captures, key logs), {@code lab exercise submit} for each, two of them
 * handing in a copy of a classmate's work, then {@code lab class grade}.
 */
@Tag("jdk") // key logs come from JSSE internals
class ClassGradeTest {
  private static final String[] FIRST = {
    "José", "Zoë", "Łukasz", "Chloé", "Søren", "Ana", "Björn", "Inès", "Dvořák", "Ümit"
  };
  private static final String[] LAST = {"Núñez", "Martín", "Ødegård", "Çelik", "Müller", "Ruiz"};

  record Run(int exit, String out, String err) {}

  static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return new Run(cmd.execute(args), out.toString(), err.toString());
  }

  /**
   * A lab CA in {@code tmp/instructor} and the class of {@code roster} (one "ID,Name" per line)
   * issued into {@code tmp/class} by {@code lab certs class}, which must exit 0; its manifest.
   */
  static List<ClassCertificates.Entry> issueClass(Path tmp, String roster) throws IOException {
    Path instructor = tmp.resolve("instructor");
    LabCertificates.init(InitOptions.builder().dir(instructor).build());
    Path rosterFile = Files.writeString(tmp.resolve("roster.txt"), roster, StandardCharsets.UTF_8);
    Path classDir = tmp.resolve("class");
    Run issued =
        lab(
            "certs",
            "class",
            "--roster",
            rosterFile.toString(),
            "--dir",
            instructor.toString(),
            "--out",
            classDir.toString());
    assertThat(issued.exit()).as(issued.err()).isZero();
    return ClassCertificates.readManifest(classDir.resolve(ClassCertificates.MANIFEST));
  }

  @Test
  void thirtyStudentsTwoCopiesOneGradebook(@TempDir Path tmp) throws Exception {
    Path instructor = tmp.resolve("instructor");
    StringBuilder roster = new StringBuilder("# CS 101, with accents\n");
    for (int i = 1; i <= 30; i++) {
      roster.append(
          String.format("s%04d,%s %s%n", i, FIRST[i % FIRST.length], LAST[i % LAST.length]));
    }
    Path classDir = tmp.resolve("class");
    List<ClassCertificates.Entry> entries = issueClass(tmp, roster.toString());
    assertThat(entries).hasSize(30);
    assertThat(entries.get(0).student().name()).isEqualTo("Zoë Martín");

    Path submissions = Files.createDirectories(tmp.resolve("handed-in"));
    Map<String, Path> work = new java.util.concurrent.ConcurrentHashMap<>();
    // Students work at the same time, as in a lab room (each on a port of their own).
    java.util.concurrent.ExecutorService room =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (ClassCertificates.Entry e : entries.subList(0, 28)) {
      done.add(
          room.submit(
              () -> {
                Path w = tmp.resolve("students").resolve(e.key());
                doExercises(w, e, instructor);
                work.put(e.key(), w);
              }));
    }
    for (java.util.concurrent.Future<?> f : done) {
      f.get(5, java.util.concurrent.TimeUnit.MINUTES);
    }
    room.shutdown();
    for (ClassCertificates.Entry e : entries.subList(0, 28)) {
      Path w = work.get(e.key());
      Run sub =
          lab(
              "exercise",
              "submit",
              "--dir",
              w.toString(),
              "--student",
              e.key(),
              "--out",
              submissions.resolve("submission-" + e.key() + ".zip").toString());
      assertThat(sub.exit()).as(sub.err()).isZero();
    }
    // Two copies: s0029 hands in s0001's folder as it is; s0030 copies s0002's folder and puts
    // their own bundle in it first.
    ClassCertificates.Entry c1 = entries.get(28);
    ClassCertificates.Entry c2 = entries.get(29);
    // lab exercise submit refuses an ID the folder's bundle was not issued to; the copier then
    // makes the archive another way (here the same archive, student.txt naming s0029).
    assertThat(
            lab(
                    "exercise",
                    "submit",
                    "--dir",
                    work.get("s0001").toString(),
                    "--student",
                    c1.key(),
                    "--out",
                    submissions.resolve("submission-s0029.zip").toString())
                .exit())
        .isEqualTo(3);
    Submission.write(
        work.get("s0001"), c1.key(), submissions.resolve("submission-s0029.zip"), false);
    Path copy = StudentWork.copy(work.get("s0002"), tmp.resolve("copy"));
    StudentWork.deleteTree(copy.resolve("bundle"));
    StudentWork.copy(c2.folder(), copy.resolve("bundle"));
    assertThat(
            lab(
                    "exercise",
                    "submit",
                    "--dir",
                    copy.toString(),
                    "--student",
                    c2.key(),
                    "--out",
                    submissions.resolve("submission-s0030.zip").toString())
                .exit())
        .isZero();

    Path gradebook = tmp.resolve("gradebook.csv");
    long start = System.nanoTime();
    Run graded =
        lab(
            "class",
            "grade",
            "--class",
            classDir.toString(),
            "--submissions",
            submissions.toString(),
            "--out",
            gradebook.toString());
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("lab class grade on 30 submissions: %d ms%n", ms);
    assertThat(graded.exit()).as(graded.err()).isZero();
    assertThat(graded.err()).contains("graded 1/30", "graded 30/30");
    assertThat(graded.out()).contains("30 submissions graded in", "Zoë Martín", "Dvořák");

    List<Map<String, String>> rows = csv(Files.readString(gradebook, StandardCharsets.UTF_8));
    assertThat(rows).hasSize(30);
    for (Map<String, String> row : rows) {
      String s = row.get("student");
      boolean copier = s.equals("s0029") || s.equals("s0030");
      for (String ex : List.of("ex01", "ex02", "ex09")) {
        assertThat(row.get(ex))
            .as("%s %s: %s", s, ex, row.get(ex + "_hint"))
            .isEqualTo(copier ? "failed" : "passed");
      }
      // Everyone handed in the right letters for exercise 10, and no session of it: letters
      // alone, which can be found by trying each, do not pass.
      assertThat(row.get("ex10")).isEqualTo("failed");
      assertThat(row.get("ex10_hint")).contains("10.keylog is missing");
      assertThat(row.get("ex03")).isEqualTo("missing");
      assertThat(row.get("answers_to_read")).contains("in-your-words: ");
      if (copier) {
        String original = s.equals("s0029") ? "s0001" : "s0002";
        assertThat(row.get("collusion")).contains("shares with " + original);
        assertThat(row.get("ex02_hint")).contains("someone else's session");
        assertThat(row.get("ex09_hint")).contains("the class manifest lists serial");
      } else if (!s.equals("s0001") && !s.equals("s0002")) {
        assertThat(row.get("collusion")).as(s).isEmpty();
      }
    }
    long honest =
        rows.stream()
            .filter(r -> r.get("collusion").isEmpty())
            .filter(
                r ->
                    List.of("ex01", "ex02", "ex09").stream()
                        .allMatch(x -> r.get(x).equals("passed")))
            .count();
    assertThat(honest).isEqualTo(26); // 28 honest passes, of which the 2 copied are flagged too
    assertThat(
            rows.stream()
                .filter(
                    r ->
                        List.of("ex01", "ex02", "ex09").stream()
                            .allMatch(x -> r.get(x).equals("passed")))
                .count())
        .isEqualTo(28);
    assertThat(rows.stream().filter(r -> !r.get("collusion").isEmpty()).map(r -> r.get("student")))
        .containsExactlyInAnyOrder("s0001", "s0002", "s0029", "s0030");
  }

  /**
   * One student's exercises 1, 2 and 9, done with the lab's pieces as the exercises say, and the
   * answers of 10 (without its session: that is FramingCheckTest's).
   */
  static void doExercises(Path w, ClassCertificates.Entry e, Path instructor) {
    StudentWork.copy(e.folder(), w.resolve("bundle"));
    // EC keys: quick to make, and exercises 1, 2, 9 and 10 need no RSA key (5 does).
    StudentWork.initCertificates(w, tlslab.pki.KeyType.EC_P256);
    CertificateSummary s =
        CertificateSummary.of(
            CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    Evidence.write(
        w.resolve("answers/01.txt"),
        "fingerprint: SHA-256:        "
            + s.sha256Fingerprint()
            + "\nkey: "
            + s.key()
            + "\nissuer: "
            + s.issuer()
            + "\nsans: "
            + String.join(", ", s.subjectAltNames())
            + "\n");
    String nick = e.student().name().split(" ")[0];
    // In class, the student's client shows their class certificate to their own server.
    StudentWork.trustClassCa(w);
    StudentWork.chat(
        w,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.WANT,
        w.resolve("bundle/" + e.key() + ".p12"),
        nick,
        List.of("hello from " + e.student().name(), StudentWork.challengeLine(w)));
    StudentWork.chatWithCertificate(
        w,
        "09",
        instructor,
        w.resolve("bundle/ca.pem"),
        w.resolve("bundle/" + e.key() + ".p12"),
        ClientAuth.NEED,
        e.key());
    // Each student's answer is their own: the standard fix, marked with their ID. (The same
    // sentence around it with another name in it is a near-copy, and flagged: NearCopyTest.)
    Evidence.write(
        w.resolve("answers/10.txt"),
        FramingCheckTest.rightAnswers(w)
            .replace("never unpickle", "never unpickle (" + e.key() + ")"));
  }

  /** RFC 4180 rows as maps by header. */
  /**
   * {@code lab class grade --class KLASS --submissions SUBMISSIONS --out OUT}, which must exit 0.
   */
  static Run grade(Path klass, Path submissions, Path out) {
    Run r =
        lab(
            "class",
            "grade",
            "--class",
            klass.toString(),
            "--submissions",
            submissions.toString(),
            "--out",
            out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  /**
   * Grades {@link StudentWork#CLASS_STUDENT}'s class work, handed in alone under {@code
   * tmp/handed-in-NAME}, against {@code klass}: that student's gradebook row, and what the command
   * printed on stderr.
   */
  static Map.Entry<Map<String, String>, String> gradeClassStudent(Path tmp, Path klass, String name)
      throws IOException {
    Path submissions = tmp.resolve("handed-in-" + name);
    StudentWork.copy(
        StudentWork.get().classWork, submissions.resolve(StudentWork.CLASS_STUDENT.id()));
    Path csv = tmp.resolve(name + ".csv");
    Run r = grade(klass, submissions, csv);
    Map<String, String> row =
        csv(Files.readString(csv)).stream()
            .filter(x -> x.get("student").equals(StudentWork.CLASS_STUDENT.id()))
            .findFirst()
            .orElseThrow();
    return Map.entry(row, r.err());
  }

  static List<Map<String, String>> csv(String text) {
    List<List<String>> lines = new ArrayList<>();
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n') {
        cells.add(cell.toString().replaceFirst("\r$", ""));
        cell.setLength(0);
        lines.add(cells);
        cells = new ArrayList<>();
      } else {
        cell.append(c);
      }
    }
    List<Map<String, String>> out = new ArrayList<>();
    List<String> head = lines.get(0);
    for (List<String> l : lines.subList(1, lines.size())) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < head.size(); i++) {
        m.put(head.get(i), i < l.size() ? l.get(i) : "");
      }
      out.add(m);
    }
    return out;
  }
}
