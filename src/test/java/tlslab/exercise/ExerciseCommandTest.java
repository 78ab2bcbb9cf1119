package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;

/** {@code lab exercise list|check} end to end, on a work folder that completes exercises 2-9. */
@Tag("jdk") // the evidence holds a report-profile capture and JSSE traces
class ExerciseCommandTest {
  static Path complete;

  @BeforeAll
  static void completeWorkFolder(@TempDir Path tmp) {
    StudentWork work = StudentWork.get();
    complete = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(
        complete.resolve("answers/03.txt"),
        String.join(
            "\n",
            "client-hello: " + frame("Client Hello"),
            "server-hello: " + frame("Server Hello"),
            "client-key-exchange: " + frame("Client Key Exchange"),
            "new-session-ticket: " + frame("New Session Ticket"),
            "first-application-data: " + frame("Application Data")));
    var modern = Evidence.facts(complete.resolve("captures/04-modern.pcap"));
    Evidence.write(
        complete.resolve("answers/04.txt"),
        "report-suite: TLS_RSA_WITH_AES_128_CBC_SHA\nreport-key-exchange: RSA\nmodern-suite: "
            + modern.cipherSuiteName()
            + "\nmodern-key-exchange: ECDHE\nmodern-group: "
            + tlslab.wire.NamedGroup.labelOf(modern.keyExchangeGroup())
            + "\n");
    Evidence.write(
        complete.resolve("answers/05.txt"),
        "decrypted-line: " + StudentWork.REPORT_LINE + "\n" + ForwardSecrecyCheckTest.WHY);
    Evidence.write(complete.resolve("answers/06.txt"), FinishedCheckTest.ANSWERS);
    Evidence.write(complete.resolve("answers/07.txt"), ResumptionCheckTest.ANSWERS);
    Evidence.write(complete.resolve("answers/08.txt"), MitmCheckTest.FIX);
  }

  private static long frame(String label) {
    return Evidence.firstFrameLabelled(StudentWork.get().mine.resolve("captures/02.pcap"), label);
  }

  private record Run(int exit, String out, String err) {}

  private static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return new Run(cmd.execute(args), out.toString(), err.toString());
  }

  @Test
  void everyExerciseFromTwoToNinePassesOnTheStudentsOwnEvidence() {
    for (int n = 2; n <= 9; n++) {
      Run r = lab("exercise", "check", String.valueOf(n), "--dir", complete.toString());
      assertThat(r.exit()).as("exercise %d:%n%s%s", n, r.out(), r.err()).isZero();
      assertThat(r.out()).contains("PASSED").doesNotContain("FAIL");
    }
  }

  @Test
  void listMarksThePassedExercises() {
    Run r = lab("exercise", "list", "--dir", complete.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains(" 2  passed A first chat", " 9  passed Mutual TLS")
        .contains(" 1         Make and inspect", "10         Why the report's framing");
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
    assertThat(r.out()).contains("FAIL your bundle is in");
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
}
