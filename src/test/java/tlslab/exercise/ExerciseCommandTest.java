package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;

/** {@code lab exercise list|show|check|challenge|submit} end to end, on a complete work folder. */
@Tag("jdk") // the evidence holds a report-profile capture and JSSE traces
class ExerciseCommandTest {
  static Path complete;

  /** Answers as a student writes them from what the lab (and tshark) print for their evidence. */
  static void answerEverything(Path w) {
    CertificateSummary s =
        CertificateSummary.of(
            CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    Evidence.write(
        w.resolve("answers/01.txt"),
        "fingerprint: "
            + s.sha256Fingerprint()
            + "\nkey: "
            + s.key()
            + "\nissuer: TLS Lab CA\nsans: "
            + String.join(", ", s.subjectAltNames())
            + "\n");
    Path pcap = w.resolve("captures/02.pcap");
    var info = Evidence.tsharkInfo(pcap, Evidence.serverPort(Evidence.facts(pcap)));
    Evidence.write(
        w.resolve("answers/03.txt"),
        String.join(
                "\n",
                "client-random: "
                    + Evidence.tsharkField(pcap, "tls.handshake.type == 1", "tls.handshake.random"),
                "client-hello: " + Evidence.tsharkFirst(info, "Client Hello"),
                "server-hello: " + Evidence.tsharkFirst(info, "Server Hello"),
                "client-key-exchange: " + Evidence.tsharkFirst(info, "Client Key Exchange"),
                "new-session-ticket: " + Evidence.tsharkFirst(info, "New Session Ticket"),
                "first-application-data: " + Evidence.tsharkFirst(info, "Application Data"))
            + "\n");
    var modern = Evidence.facts(w.resolve("captures/04-modern.pcap"));
    Evidence.write(
        w.resolve("answers/04.txt"),
        "report-suite: TLS_RSA_WITH_AES_128_CBC_SHA\nreport-key-exchange: RSA\nmodern-suite: "
            + modern.cipherSuiteName()
            + "\nmodern-key-exchange: ECDHE\nmodern-group: "
            + tlslab.wire.NamedGroup.labelOf(modern.keyExchangeGroup())
            + "\nreport-server-random: "
            + Evidence.tsharkServerRandom(w.resolve("captures/04-report.pcap"))
            + "\nmodern-server-random: "
            + Evidence.tsharkServerRandom(w.resolve("captures/04-modern.pcap"))
            + "\n");
    Evidence.write(
        w.resolve("answers/05.txt"),
        "decrypted-line: "
            + Evidence.printedWhoamiReply(w)
            + "\npremaster-secret: "
            + Evidence.opensslPremaster(w)
            + "\n"
            + ForwardSecrecyCheckTest.WHY);
    Evidence.write(w.resolve("answers/06.txt"), FinishedCheckTest.ANSWERS);
    Evidence.write(w.resolve("answers/07.txt"), ResumptionCheckTest.ANSWERS);
    Evidence.write(w.resolve("answers/08.txt"), MitmCheckTest.FIX);
    Evidence.write(w.resolve("answers/10.txt"), FramingCheckTest.rightAnswers(w));
  }

  @BeforeAll
  static void completeWorkFolder(@TempDir Path tmp) {
    StudentWork work = StudentWork.get();
    complete = StudentWork.copy(work.mine, tmp.resolve("work"));
    answerEverything(complete);
  }

  record Run(int exit, String out, String err) {}

  static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    // No autoflush: what the command does not flush itself is lost, as at a real exit.
    PrintWriter o = new PrintWriter(out, false);
    cmd.setOut(o);
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void checkAllChecksEveryExerciseOnTheStudentsOwnEvidence() {
    // Exercises 6 and 8 need a lab mitm run (their own tests make one, MitmWork) and 11 a stapling
    // server with its OCSP responder (RevocationCheckTest): here every
    // other exercise passes, and check all says so exercise by exercise.
    Run r = lab("exercise", "check", "all", "--dir", complete.toString());
    assertThat(r.exit()).as("%s%s", r.out(), r.err()).isEqualTo(1);
    assertThat(r.out())
        .contains("8 of 11 exercises passed.")
        .contains("(identity: not proven (self-study");
    for (int n : new int[] {1, 2, 3, 4, 5, 7, 9, 10}) {
      Run one = lab("exercise", "check", String.valueOf(n), "--dir", complete.toString());
      assertThat(one.exit()).as("exercise %d: %s", n, one.out()).isZero();
    }
  }

  @Test
  void checkAllOfAnEmptyFolderExitsOne(@TempDir Path empty) {
    Run r = lab("exercise", "check", "all", "--dir", empty.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("0 of 11 exercises passed.");
    Run bad = lab("exercise", "check", "eleven", "--dir", empty.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("exercise number or 'all'");
  }

  @Test
  void showPrintsTheTextEvenWithoutAutoFlush() {
    Run r = lab("exercise", "show", "1");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("# Exercise 1: Make and inspect the lab's certificates");
  }

  @Test
  void challengeDrawsOnceForSelfStudyAndReadsTheBundleInClass(@TempDir Path tmp) {
    Path w = tmp.resolve("w");
    Run first = lab("exercise", "challenge", "--dir", w.toString());
    Run again = lab("exercise", "challenge", "--dir", w.toString());
    assertThat(first.exit()).isZero();
    assertThat(first.out().strip()).matches("tlslab-[0-9a-f]{20}").isEqualTo(again.out().strip());
    Run inClass = lab("exercise", "challenge", "--dir", StudentWork.get().classWork.toString());
    assertThat(inClass.out().strip())
        .isEqualTo(
            Evidence.read(StudentWork.get().classWork.resolve("bundle/challenge.txt")).strip());
  }

  @Test
  void listMarksThePassedExercises() {
    Run r = lab("exercise", "list", "--dir", complete.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains(" 1  passed Make and inspect", " 9  passed Mutual TLS", "10  passed");
  }

  @Test
  void submitPacksWhatTheCheckersNeedAndNoCaKey(@TempDir Path tmp) throws IOException {
    Path w = StudentWork.copy(complete, tmp.resolve("w"));
    // What .gitignore would hide, and keys the checkers never need.
    Evidence.write(w.resolve(".gitignore"), "*.key\n*.pem\n");
    assertThat(w.resolve("certs/ca.key")).exists();
    Path zip = tmp.resolve("out/submission.zip");
    Run r =
        lab(
            "exercise",
            "submit",
            "--dir",
            w.toString(),
            "--student",
            "s1",
            "--out",
            zip.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> names = new ArrayList<>();
    try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        names.add(e.getName());
      }
    }
    assertThat(names)
        .contains(
            "student.txt",
            "certs/server.key",
            "certs/server.pem",
            "certs/ca.pem",
            "captures/02.pcap",
            "captures/02.keylog",
            "traces/07.jsonl",
            "answers/10.txt",
            "challenge.txt")
        .noneMatch(n -> n.endsWith("ca.key") || n.endsWith(".p12") || n.endsWith("-combined.pem"))
        .doesNotContain("certs/cert.pem", ".gitignore");
    // Unpacked, it is the same work: every exercise still passes from the archive alone.
    Path back = tmp.resolve("back");
    assertThat(Submission.unpack(zip, back)).contains("s1");
    Run all = lab("exercise", "check", "all", "--dir", back.toString());
    assertThat(all.out()).as(all.out()).contains("8 of 11 exercises passed.");
    Run again = lab("exercise", "submit", "--dir", w.toString(), "--out", zip.toString());
    assertThat(again.exit()).isEqualTo(6);
  }

  @Test
  void aFailingCheckExitsOneWithHints(@TempDir Path empty) {
    Run r = lab("exercise", "check", "8", "--dir", empty.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL", "hint: ", "NOT YET");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void inClassTheCheckDemandsTheBundle() {
    Run r = lab("exercise", "check", "9", "--dir", complete.toString(), "--student", "alice");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL your challenge is known", "copy the bundle");
    Run ok =
        lab(
            "exercise",
            "check",
            "9",
            "--dir",
            StudentWork.get().classWork.toString(),
            "--student",
            StudentWork.CLASS_STUDENT.id());
    assertThat(ok.exit()).as(ok.out()).isZero();
  }

  /**
   * {@code lab exercise submit --student ID} with a bundle issued to someone else: refused in one
   * line (a typo would hand the work in under a classmate's ID, where it fails on their challenge
   * and flags them). The bundle's own ID, its name, or no --student at all are fine.
   */
  @Test
  void submitUnderAnotherStudentsIdThanTheBundlesIsRefused(@TempDir Path tmp) {
    Path w = StudentWork.get().classWork;
    Run other =
        lab(
            "exercise",
            "submit",
            "--dir",
            w.toString(),
            "--student",
            StudentWork.CLASS_OTHER.id(),
            "--out",
            tmp.resolve("x.zip").toString());
    assertThat(other.exit()).isEqualTo(3);
    assertThat(other.err().strip())
        .startsWith("lab exercise submit: your bundle in")
        .contains("was issued to " + StudentWork.CLASS_STUDENT.name(), StudentWork.CLASS_OTHER.id())
        .doesNotContain("\n");
    assertThat(tmp.resolve("x.zip")).doesNotExist();
    for (String me :
        java.util.List.of(StudentWork.CLASS_STUDENT.id(), StudentWork.CLASS_STUDENT.name())) {
      Run ok =
          lab(
              "exercise",
              "submit",
              "--dir",
              w.toString(),
              "--student",
              me,
              "--out",
              tmp.resolve(me + ".zip").toString());
      assertThat(ok.exit()).as(ok.err()).isZero();
    }
    Run plain =
        lab("exercise", "submit", "--dir", w.toString(), "--out", tmp.resolve("p.zip").toString());
    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.out()).contains("for " + StudentWork.CLASS_STUDENT.folder());
  }
}
