package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FramingCheck;

class FramingCheckTest {
  @TempDir Path dir;

  private Report check(String answers) throws IOException {
    Files.createDirectories(dir.resolve("answers"));
    Files.writeString(dir.resolve("answers/10.txt"), answers);
    return new FramingCheck().check(new Workspace(dir, Optional.empty()));
  }

  @Test
  void correctAnswersPass() throws IOException {
    Report r =
        check(
            "loop-bug: buf = recv() overwrites what was received; use += to append\n"
                + "pickle-risk: a peer can execute arbitrary code via __reduce__\n"
                + "length-risk: a huge size exhausts memory or blocks forever\n"
                + "lab-framing: newline-terminated lines with a maximum line length\n");
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items()).hasSize(4);
  }

  @Test
  void missingFileFailsWithHint() {
    Report r = new FramingCheck().check(new Workspace(dir, Optional.empty()));
    assertThat(r.passed()).isFalse();
    assertThat(r.items().get(0).hint()).contains("10.txt");
  }

  @Test
  void templatePlaceholdersAndVagueAnswersFail() throws IOException {
    Report r =
        check(
            "loop-bug: <what is wrong>\n"
                + "pickle-risk: pickle is bad\n"
                + "length-risk: it is slow\n"
                + "lab-framing: json\n");
    assertThat(r.passed()).isFalse();
    assertThat(r.items()).filteredOn(i -> !i.ok()).hasSize(4);
  }

  @Test
  void oneWrongAnswerFailsOnlyThatItem() throws IOException {
    Report r =
        check(
            "loop-bug: buf is overwritten each time; fix with +=\n"
                + "pickle-risk: it is fine\n"
                + "length-risk: memory exhaustion\n"
                + "lab-framing: lines ending in \\n, max length 8192\n");
    assertThat(r.passed()).isFalse();
    assertThat(r.items())
        .filteredOn(i -> !i.ok())
        .extracting(Report.Item::requirement)
        .containsExactly("pickle-risk names arbitrary code execution");
  }
}
