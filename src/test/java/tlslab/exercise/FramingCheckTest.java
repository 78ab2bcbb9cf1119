package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;
import tlslab.exercise.checks.FramingCheck;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * Exercise 10: the student's own server refusing an over-long line that carries their challenge (a
 * real chat server, a real libpcap capture and the client's key log, made once for the class), and
 * conceptual questions as multiple choice, options shuffled per student; read the way a student
 * reads them, from {@code lab exercise show 10}.
 */
class FramingCheckTest {
  @TempDir Path dir;

  @TempDir static Path shared;

  private static final String MINE = "tlslab-0123456789abcdef0123";
  private static final String FRIEND = "tlslab-fedcba9876543210fedc";

  /** alice's work folder with challenge MINE and a real captures/10.pcap + 10.keylog. */
  private static Path work;

  @BeforeAll
  static void overlongLineSession() {
    work = StudentWork.copy(StudentWork.get().mine, shared.resolve("work"));
    Evidence.write(work.resolve("challenge.txt"), MINE + "\n");
    StudentWork.chat(
        work,
        "10.pcap",
        "10.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        StudentWork.NAME,
        List.of("my challenge is " + MINE + " " + "0".repeat(9000)));
  }

  /** A fresh copy of the honest work folder, to alter. */
  private Path mine() {
    return StudentWork.copy(work, dir.resolve("w"));
  }

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
    Path w = mine();
    String shown = show(w);
    assertThat(shown).doesNotContain("<!-- choices -->").contains("**pickle-risk**: ", "   A) ");
    assertThat(shown).contains("TypeError").contains("calcsize(\"L\")");
    Report r = check(w, rightAnswers(w));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.collected()).containsKey("in-your-words");
  }

  @Test
  void aFriendsLettersAreNotMyAnswers() {
    Path me = mine();
    Path friend = student(dir.resolve("friend"), FRIEND);
    assertThat(letters(show(me))).isNotEqualTo(letters(show(friend)));
    Report r = check(me, rightAnswers(friend));
    assertThat(r.passed()).isFalse();
    assertThat(failures(r)).allSatisfy(i -> assertThat(i.hint()).contains("is not it"));
  }

  @Test
  void theOppositeAnswerFailsWithAHintThatTeaches() {
    Path w = mine();
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
    Path w = mine();
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
    Path w = mine();
    Report r = new FramingCheck().check(new Workspace(w, Optional.empty()));
    assertThat(failed(r, "answers file").hint()).contains("10.txt");
  }

  /**
   * The brute force: the letters can be tried one at a time against the checker, which says which
   * are wrong. All five right, found that way or copied, still fail without the session.
   */
  @Test
  void theRightLettersAloneDoNotPass() throws IOException {
    Path w = mine();
    Files.delete(w.resolve("captures/10.pcap"));
    Files.delete(w.resolve("captures/10.pcap.stats"));
    Report r = check(w, rightAnswers(w));
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "10.pcap is a readable capture").hint())
        .contains("10.pcap does not exist", "9000 bytes or more that carries your challenge");
    assertThat(failures(r)).hasSize(1);
  }

  @Test
  void anOrdinaryChatIsNotTheRefusedLine() {
    Path w = mine();
    // Exercise 2's chat, handed in as exercise 10's: own server, own keys, but no over-long line.
    Evidence.copyCapture(w.resolve("captures/02.pcap"), w.resolve("captures/10.pcap"));
    Evidence.copy(w.resolve("captures/02.keylog"), w.resolve("captures/10.keylog"));
    Report r = check(w, rightAnswers(w));
    assertThat(failed(r, "your server refused an over-long line").hint())
        .contains("! line too long (max N bytes); closing", "8192 bytes");
  }

  @Test
  void someoneElsesRefusedLineIsNotMine() {
    // The same session with another challenge in the work folder: a classmate's capture (and
    // the classmate's server certificate would fail even before this).
    Path w = student(mine(), FRIEND);
    Report r = check(w, rightAnswers(w));
    assertThat(failed(r, "the over-long line in 10.pcap carries your challenge").hint())
        .contains("does not carry your challenge (" + FRIEND + ")");
  }

  @Test
  void aKeyLogOfAnotherSessionDecryptsNothing() {
    Path w = mine();
    Evidence.copy(w.resolve("captures/02.keylog"), w.resolve("captures/10.keylog"));
    Report r = check(w, rightAnswers(w));
    assertThat(failed(r, "your server refused an over-long line").hint())
        .contains("none of the secrets in", "belongs to a session of 10.pcap");
  }
}
