package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.annotate.TableColors;

/**
 * {@code lab annotate} as a real process, its output piped, or on a real pseudo-terminal made by
 * util-linux's {@code script}: colour by default only on the terminal, never with {@code NO_COLOR}
 * or {@code TERM=dumb}, always with {@code --color=always}. Tagged "jdk": whether Java sees a
 * terminal changed in JDK 22 ({@code System.console()} is no longer null when output is
 * redirected), so {@code ./lab test} runs this on Temurin 25 too.
 */
@Tag("jdk")
class ColorTerminalTest {
  private static final String ESC = "\u001b[";
  private static String plain;

  @TempDir static Path dir;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void plainTable() throws Exception {
    Run r = piped(Map.of(), "--color=never");
    assertThat(r.code()).as(r.err()).isZero();
    plain = r.out();
    assertThat(plain).contains("Client Hello").doesNotContain("\u001b");
  }

  @Test
  void pipedOutputHasNoColour() throws Exception {
    Run r = piped(Map.of("TERM", "xterm-256color"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(plain);
  }

  @Test
  void aTerminalGetsColourAndTheSameText() throws Exception {
    Run r = onTerminal(Map.of("TERM", "xterm-256color"), "");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(ESC + "36m").contains(ESC + "35m");
    assertThat(TableColors.strip(r.out())).isEqualTo(plain);
  }

  @Test
  void aTerminalWithStdinRedirectedStillCounts() throws Exception {
    Run r = onTerminal(Map.of("TERM", "xterm-256color"), " < /dev/null");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(ESC);
    assertThat(TableColors.strip(r.out())).isEqualTo(plain);
  }

  @Test
  void stdoutRedirectedFromATerminalHasNoColour() throws Exception {
    Path file = dir.resolve("redirected.txt");
    Run r = onTerminal(Map.of("TERM", "xterm-256color"), " > '" + file + "'");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(plain);
  }

  @Test
  void noColorSwitchesItOffOnATerminal() throws Exception {
    Run r = onTerminal(Map.of("TERM", "xterm-256color", "NO_COLOR", "1"), "");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(plain);
  }

  @Test
  void aDumbTerminalGetsNoColour() throws Exception {
    Run r = onTerminal(Map.of("TERM", "dumb"), "");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(plain);
  }

  @Test
  void alwaysWinsOverNoColorAndAPipe() throws Exception {
    Run r = piped(Map.of("NO_COLOR", "1", "TERM", "dumb"), "--color=always");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(ESC);
    assertThat(TableColors.strip(r.out())).isEqualTo(plain);
  }

  @Test
  void neverWinsOverATerminal() throws Exception {
    Run r = onTerminal(Map.of("TERM", "xterm-256color"), " --color=never");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(plain);
  }

  /** The lab's command line, as ./lab runs it (minus the build step), on the test class path. */
  private static List<String> lab(String... args) {
    String cp =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp));
    cmd.addAll(List.of("tlslab.cli.Main", "annotate", ColorOptionTest.capture().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Run piped(Map<String, String> env, String... args) throws Exception {
    return start(lab(args), env);
  }

  /**
   * Runs the lab under {@code script -qec}, whose child has a pseudo-terminal as stdin, stdout and
   * stderr; {@code shellTail} is appended to the command script runs ({@code " > FILE"}).
   */
  private static Run onTerminal(Map<String, String> env, String shellTail) throws Exception {
    StringBuilder sh = new StringBuilder();
    for (String a : lab()) sh.append(sh.length() > 0 ? " " : "").append(quote(a));
    sh.append(shellTail);
    Run r = start(List.of("script", "-qec", sh.toString(), "/dev/null"), env);
    // The terminal's line discipline turns "\n" into "\r\n"; the lab writes "\n".
    return new Run(r.code(), r.out().replace("\r\n", "\n"), r.err());
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static Run start(List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // The test decides the environment: whatever NO_COLOR or TERM the build runs under is gone.
    pb.environment().remove("NO_COLOR");
    pb.environment().remove("TERM");
    pb.environment().remove("COLUMNS");
    pb.environment().putAll(env);
    pb.redirectInput(new File("/dev/null"));
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectError(err.toFile()); // stdout stays a pipe, read here to its end
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(
          cmd.get(0) + " cannot be run (script comes with util-linux/bsdutils): " + e, e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("no exit within 60 s: " + cmd);
    }
    return new Run(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
  }
}
