package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.annotate.TableColors;
import tlslab.cli.ColorMixin.When;

/**
 * {@code --color}: the rule (terminal, NO_COLOR, TERM=dumb, the user's explicit choice) and the
 * option as {@code lab annotate} takes it. The same rule in real processes on a real
 * pseudo-terminal: {@link ColorTerminalTest}.
 */
class ColorOptionTest {
  @TempDir Path dir;

  private String out;
  private String err;

  static Path capture() {
    try {
      return Path.of(ColorOptionTest.class.getResource("/captures/tls13.pcap").toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private int run(String... args) {
    CliRun.Result r = CliRun.run(args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  @Test
  void autoColoursOnlyATerminalWithoutNoColorOrDumbTerm() {
    assertThat(ColorMixin.enabled(When.AUTO, Map.of(), () -> true)).isTrue();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of(), () -> false)).isFalse();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of("TERM", "xterm-256color"), () -> true))
        .isTrue();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of("NO_COLOR", "1"), () -> true)).isFalse();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of("NO_COLOR", "0"), () -> true))
        .as("any non-empty value, even 0, disables colour")
        .isFalse();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of("NO_COLOR", ""), () -> true))
        .as("an empty NO_COLOR is as if unset (no-color.org)")
        .isTrue();
    assertThat(ColorMixin.enabled(When.AUTO, Map.of("TERM", "dumb"), () -> true)).isFalse();
  }

  @Test
  void alwaysAndNeverWinOverTheEnvironment() {
    Map<String, String> env = Map.of("NO_COLOR", "1", "TERM", "dumb");
    assertThat(ColorMixin.enabled(When.ALWAYS, env, () -> false)).isTrue();
    assertThat(ColorMixin.enabled(When.NEVER, Map.of(), () -> true)).isFalse();
  }

  @Test
  void alwaysColoursTheTableAndNothingElse() {
    Path p = capture();
    assertThat(run("annotate", p.toString(), "--color=always")).isZero();
    String coloured = out;
    assertThat(coloured).contains("\u001b[");
    assertThat(run("annotate", p.toString(), "--color", "never")).isZero();
    assertThat(out).doesNotContain("\u001b").isEqualTo(TableColors.strip(coloured));
    assertThat(run("annotate", p.toString(), "--classroom", "--width", "72", "--color=always"))
        .isZero();
    String classroom = out;
    assertThat(classroom).contains("\u001b[");
    assertThat(run("annotate", p.toString(), "--classroom", "--width", "72")).isZero();
    assertThat(out).isEqualTo(TableColors.strip(classroom));
    for (String format : new String[] {"tsv", "json", "markdown", "html"}) {
      assertThat(run("annotate", p.toString(), "--format", format, "--color=always")).isZero();
      assertThat(out).as(format).isNotEmpty().doesNotContain("\u001b");
    }
  }

  @Test
  void autoIsOffWhenStdoutIsNotATerminal() {
    // Surefire's forked JVM writes its stdout to a pipe (and the command to a StringWriter).
    assertThat(Terminal.stdoutIsTerminal()).isFalse();
    assertThat(run("annotate", capture().toString())).isZero();
    assertThat(out).contains("Client Hello").doesNotContain("\u001b");
  }

  @Test
  void outFileIsColouredOnlyWhenAskedFor() throws Exception {
    Path auto = dir.resolve("auto.txt");
    assertThat(run("annotate", capture().toString(), "--out", auto.toString())).isZero();
    assertThat(Files.readString(auto, StandardCharsets.UTF_8))
        .contains("Client Hello")
        .doesNotContain("\u001b");
    Path always = dir.resolve("always.txt");
    assertThat(run("annotate", capture().toString(), "--out", always.toString(), "--color=always"))
        .isZero();
    String coloured = Files.readString(always, StandardCharsets.UTF_8);
    assertThat(coloured).contains("\u001b[");
    assertThat(TableColors.strip(coloured)).isEqualTo(Files.readString(auto));
  }

  @Test
  void aBadValueIsAUsageError() {
    assertThat(run("annotate", capture().toString(), "--color=sometimes"))
        .isEqualTo(ExitCode.USAGE);
    assertThat(out).isEmpty();
    assertThat(err.split("\n"))
        .containsExactly(
            "lab annotate: Invalid value for option '--color': 'sometimes' is not one of auto,"
                + " always, never",
            "Try 'lab annotate --help' for usage.");
  }
}
