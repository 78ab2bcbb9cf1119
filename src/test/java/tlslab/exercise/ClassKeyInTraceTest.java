package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.failed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FinishedCheck;
import tlslab.exercise.checks.ResumptionCheck;

/**
 * Exercises 6 (part A) and 7 are {@code lab trace} runs, captured. They were bound to the student
 * by their challenge alone, in their server certificate: a classmate given the student's {@code
 * work/certs} could run the trace and hand over trace and capture. In class, {@code lab trace}'s
 * client now presents the student's class certificate (the bundle's {@code .p12} copied to {@code
 * certs/client-trace.p12}, {@code --client-auth want}), and the checks require it, with its
 * Certificate Verify verified against the captured handshake: only the holder of the class key can
 * sign that. Real runs of {@code lab trace}, captured with libpcap: the honest one, one without the
 * certificate (the steps as they were), and one a classmate made with their own class key.
 */
class ClassKeyInTraceTest {
  static StudentWork work;
  static ClassRecord klass;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
    klass = ClassRecord.load(work.classDir);
  }

  /** The class student's folder with their own server certificates, trusting the class CA. */
  private Path student(String name) {
    Path w = StudentWork.copy(work.classWork, tmp.resolve(name));
    StudentWork.initCertificates(w, tlslab.pki.KeyType.EC_P256);
    StudentWork.trustClassCa(w);
    return w;
  }

  private Path mine(Path w) {
    return w.resolve("bundle/" + StudentWork.CLASS_STUDENT.folder() + ".p12");
  }

  private static Path classmates() {
    return work.otherBundle.resolve(StudentWork.CLASS_OTHER.folder() + ".p12");
  }

  /**
   * {@code lab trace --certs W/certs --port P [--resume] [--client-auth want] --trace-json
   * W/traces/TRACE} while {@code lab capture --port P} records it into {@code W/captures/PCAP};
   * with {@code keyStore}, copied to {@code certs/client-trace.p12} first, as the exercise says.
   */
  private static void trace(Path w, String pcap, String trace, Path keyStore, boolean resume)
      throws IOException {
    if (keyStore != null) {
      Files.copy(keyStore, w.resolve("certs/client-trace.p12"));
    }
    int port = StudentWork.freePort();
    List<String> args =
        new ArrayList<>(
            List.of("trace", "--certs", w.resolve("certs").toString(), "--port", "" + port));
    if (resume) {
      args.add("--resume");
    }
    if (keyStore != null) {
      args.addAll(List.of("--client-auth", "want"));
    }
    args.addAll(List.of("--trace-json", w.resolve("traces").resolve(trace).toString()));
    Files.createDirectories(w.resolve("traces"));
    StudentWork.capture(
        w.resolve("captures").resolve(pcap),
        port,
        () -> {
          String err = StudentWork.lab(args.toArray(String[]::new));
          assertThat(w.resolve("traces").resolve(trace)).as("lab trace ran: " + err).exists();
        });
  }

  private static Report graded(Checker c, Path w) {
    return c.check(
        new Workspace(w, Optional.of(StudentWork.CLASS_STUDENT.id()), Optional.of(klass)));
  }

  private static final String IN_07 = "your class certificate is in the handshake of 07.pcap";
  private static final String IN_06 = "your class certificate is in the handshake of 06-trace.pcap";

  private static void answers07(Path w) {
    Evidence.write(
        w.resolve("answers/07.txt"),
        "missing-in-resumed: Certificate, Server Key Exchange, Client Key Exchange\n");
  }

  @Test
  void exercise7WithTheClassKeyPassesWithoutItOrWithAClassmatesItFails() throws IOException {
    Path w = student("honest7");
    trace(w, "07.pcap", "07.jsonl", mine(w), true);
    answers07(w);
    Report r = graded(new ResumptionCheck(), w);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).anyMatch(i -> i.ok() && i.requirement().equals(IN_07));

    Path bare = student("bare7");
    trace(bare, "07.pcap", "07.jsonl", null, true);
    answers07(bare);
    assertThat(failed(graded(new ResumptionCheck(), bare), IN_07).hint())
        .contains("sent no certificate", "client-trace.p12", "--client-auth want");

    Path friend = student("friend7");
    trace(friend, "07.pcap", "07.jsonl", classmates(), true);
    answers07(friend);
    assertThat(failed(graded(new ResumptionCheck(), friend), IN_07).hint())
        .contains("the class manifest lists serial", StudentWork.CLASS_STUDENT.name());
  }

  @Test
  void exercise6PartAWithTheClassKeyPassesAClassmatesFails() throws IOException {
    Path w = student("honest6");
    trace(w, "06-trace.pcap", "06.jsonl", mine(w), false);
    Report r = graded(new FinishedCheck(), w);
    assertThat(r.items()).anyMatch(i -> i.ok() && i.requirement().equals(IN_06));
    assertThat(r.items())
        .anyMatch(
            i ->
                i.ok()
                    && i.requirement().startsWith("the handshake in 06-trace.pcap verifies")
                    && i.requirement().contains("Certificate Verify"));

    Path friend = student("friend6");
    trace(friend, "06-trace.pcap", "06.jsonl", classmates(), false);
    assertThat(failed(graded(new FinishedCheck(), friend), IN_06).hint())
        .contains("the class manifest lists serial");
  }
}
