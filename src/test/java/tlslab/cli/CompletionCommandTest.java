package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lab completion}: the script it prints, sourced into a real bash, completes subcommands,
 * options, option values and file names as bash would on TAB (COMP_WORDS and COMP_CWORD set, the
 * registered completion function called, COMPREPLY read back).
 */
class CompletionCommandTest {
  @TempDir static Path dir;
  private static Path script;
  private static Path driver;

  private static String run(String... args) {
    CliRun.Result r = CliRun.run(args);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  @BeforeAll
  static void generate() throws Exception {
    script = dir.resolve("lab.bash");
    Files.writeString(script, run("completion", "bash"), StandardCharsets.UTF_8);
    // What bash does on TAB: the words of the line, the index of the one under the cursor, then
    // the function `complete -p lab` names, called with (command, current word, previous word).
    driver = dir.resolve("tab.sh");
    Files.writeString(
        driver,
        String.join(
            "\n",
            "source \"$1\"; shift",
            "spec=$(complete -p lab) || exit 90",
            "fn=$(sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p' <<<\"$spec\")",
            "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 ))",
            "COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()",
            "\"$fn\" lab \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"",
            "printf '%s\\n' \"${COMPREPLY[@]}\"",
            ""),
        StandardCharsets.UTF_8);
  }

  /** The completions bash offers for {@code words} (the last one is being typed). */
  private static List<String> tab(String... words) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", driver.toString(), script.toString()));
    cmd.addAll(List.of(words));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    Path err = dir.resolve("bash.err");
    pb.redirectError(err.toFile()).redirectInput(new File("/dev/null"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("bash finished").isTrue();
    assertThat(p.exitValue()).as("bash: " + Files.readString(err)).isZero();
    List<String> r = new ArrayList<>();
    for (String l : out.split("\n")) if (!l.isBlank()) r.add(l.strip());
    return r;
  }

  @Test
  void theScriptIsForLabAndServesBashAndZsh() {
    String bash = run("completion");
    assertThat(bash)
        .startsWith("#!/usr/bin/env bash")
        .contains("bashcompinit") // zsh: the script switches on zsh's bash compatibility itself
        .contains("complete -F _complete_lab -o default lab");
    assertThat(run("completion", "zsh")).isEqualTo(bash);
  }

  @Test
  void subcommandsComplete() throws Exception {
    assertThat(tab("lab", "ann")).containsExactly("annotate");
    assertThat(tab("lab", "c")).contains("certs", "ca", "client", "capture", "class", "completion");
    assertThat(tab("lab", "certs", "is")).containsExactly("issue");
    assertThat(tab("lab", "bench", "hand")).containsExactly("handshakes");
    // What ./lab itself runs (not a Java command) is offered too.
    assertThat(tab("lab", "te")).containsExactly("test");
    assertThat(tab("lab", "se")).containsExactlyInAnyOrder("server", "setup");
  }

  @Test
  void optionsAndTheirValuesComplete() throws Exception {
    assertThat(tab("lab", "annotate", "--for")).containsExactlyInAnyOrder("--format", "--force");
    assertThat(tab("lab", "annotate", "--form")).containsExactly("--format");
    assertThat(tab("lab", "annotate", "--col")).containsExactly("--color");
    assertThat(tab("lab", "annotate", "--cl")).containsExactly("--classroom");
    assertThat(tab("lab", "annotate", "--format", "m")).containsExactly("markdown");
    assertThat(tab("lab", "annotate", "--color", "")).containsExactly("auto", "always", "never");
    assertThat(tab("lab", "completion", "")).containsExactly("bash", "zsh");
  }

  @Test
  void fileArgumentsCompleteFiles() throws Exception {
    Path caps = Files.createDirectories(dir.resolve("caps"));
    Files.write(caps.resolve("chat.pcapng"), new byte[0]);
    Files.write(caps.resolve("chat.keylog"), new byte[0]);
    Files.write(caps.resolve("other.txt"), new byte[0]);
    assertThat(tab("lab", "annotate", "caps/ch"))
        .containsExactlyInAnyOrder("caps/chat.pcapng", "caps/chat.keylog");
    assertThat(tab("lab", "annotate", "caps/chat.pcapng", "--keylog", "caps/chat.k"))
        .containsExactly("caps/chat.keylog");
    assertThat(tab("lab", "annotate", "caps/o")).containsExactly("caps/other.txt");
  }
}
