package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;
import tlslab.exercise.checks.FramingCheck;

/**
 * Exercise 10: conceptual questions as multiple choice, options shuffled per student; read the way
 * a student reads them, from {@code lab exercise show 10}.
 */
class FramingCheckTest {
  @TempDir Path dir;

  private static final String MINE = "tlslab-0123456789abcdef0123";
  private static final String FRIEND = "tlslab-fedcba9876543210fedc";

  private static Path student(Path dir, String challenge) {
    Evidence.write(dir.resolve("challenge.txt"), challenge + "\n");
    return dir;
  }

  /** What lab exercise show 10 --dir DIR prints. */
  static String show(Path work) {
    StringWriter out = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(Writer.nullWriter()));
    assertThat(cmd.execute("exercise", "show", "10", "--dir", work.toString())).isZero();
    return out.toString();
  }

  /** Each question's letters as shown, by option text. */
  private static Map<String, Map<String, String>> letters(String shown) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    String current = null;
    Matcher q = Pattern.compile("^\\*\\*([a-z-]+)\\*\\*: ").matcher("");
    Matcher o = Pattern.compile("^\\s+([A-Z])\\) (.*)$").matcher("");
    for (String line : shown.split("\n")) {
      if (q.reset(line).find()) {
        current = q.group(1);
        out.put(current, new LinkedHashMap<>());
      } else if (current != null && o.reset(line).matches()) {
        out.get(current).put(o.group(2), o.group(1));
      }
    }
    return out;
  }

  /** The honest answers: the letter of the right option in this student's order. */
  static String rightAnswers(Path work) {
    Map<String, Map<String, String>> l = letters(show(work));
    StringBuilder b = new StringBuilder();
    for (FramingCheck.Question q : FramingCheck.QUESTIONS) {
      b.append(q.key()).append(": ").append(l.get(q.key()).get(q.options().get(0))).append('\n');
    }
    return b + "in-your-words: buf = b'' then buf += recv(n - len(buf)); never unpickle\n";
  }

  private static Report check(Path work, String answers) {
    Evidence.write(work.resolve("answers/10.txt"), answers);
    return new FramingCheck().check(new Workspace(work, Optional.empty()));
  }

  @Test
  void theRightLettersInMyOrderPassAndMyWordsAreCollected() {
    Path w = student(dir.resolve("me"), MINE);
    String shown = show(w);
    assertThat(shown).doesNotContain("<!-- choices -->").contains("**pickle-risk**: ", "   A) ");
    assertThat(shown).contains("TypeError").contains("calcsize(\"L\")");
    Report r = check(w, rightAnswers(w));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.collected()).containsKey("in-your-words");
  }

  @Test
  void aFriendsLettersAreNotMyAnswers() {
    Path me = student(dir.resolve("me"), MINE);
    Path friend = student(dir.resolve("friend"), FRIEND);
    assertThat(letters(show(me))).isNotEqualTo(letters(show(friend)));
    Report r = check(me, rightAnswers(friend));
    assertThat(r.passed()).isFalse();
    assertThat(failures(r)).allSatisfy(i -> assertThat(i.hint()).contains("is not it"));
  }

  @Test
  void theOppositeAnswerFailsWithAHintThatTeaches() {
    Path w = student(dir.resolve("me"), MINE);
    Map<String, String> pickle = letters(show(w)).get("pickle-risk");
    String opposite =
        pickle.get("no code can run: pickle only rebuilds lists, strings and numbers");
    Report r = check(w, rightAnswers(w).replaceAll("pickle-risk: .", "pickle-risk: " + opposite));
    assertThat(failures(r)).hasSize(1);
    assertThat(failed(r, "pickle-risk").hint()).contains("__reduce__", "os.system");
    // The opposite written out in full is an option's text too: still wrong.
    Report full =
        check(
            w,
            rightAnswers(w)
                .replaceAll(
                    "pickle-risk: .",
                    "pickle-risk: no code can run: pickle only rebuilds lists, strings and numbers"));
    assertThat(failures(full)).hasSize(1);
  }

  @Test
  void keywordStuffedAnswersFail() {
    Path w = student(dir.resolve("me"), MINE);
    Report r =
        check(
            w,
            "loop-bug: overwrite append += b'' lost discard replace\n"
                + "length-prefix: 8 bytes !I native network order\n"
                + "pickle-risk: code execution run __reduce__ command\n"
                + "length-risk: memory block hang wait dos denial\n"
                + "lab-framing: line newline max limit length\n"
                + "in-your-words: x\n");
    assertThat(failures(r)).hasSize(5);
    assertThat(failures(r))
        .allSatisfy(i -> assertThat(i.hint()).contains("answer with one letter"));
  }

  @Test
  void missingFileOrChallengeFailsWithHint() {
    Report none = new FramingCheck().check(new Workspace(dir, Optional.empty()));
    assertThat(failed(none, "your challenge is known").hint()).contains("lab exercise challenge");
    Path w = student(dir.resolve("me"), MINE);
    Report r = new FramingCheck().check(new Workspace(w, Optional.empty()));
    assertThat(failed(r, "answers file").hint()).contains("10.txt");
  }
}
