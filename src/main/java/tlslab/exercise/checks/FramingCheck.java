package tlslab.exercise.checks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import tlslab.exercise.Answers;
import tlslab.exercise.Catalog;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 10: the report's receive loop and pickle framing. Conceptual questions, so no keyword
 * matching: each is multiple choice, its options shuffled per student (seeded by the student's
 * challenge, so a friend's letters are not the answers), and the student's own explanation is
 * collected for the instructor to read. The wrong options are the misreadings students really
 * write, including the opposite of the right answer.
 */
public final class FramingCheck implements Checker {
  /** One question; {@code options.get(0)} is the right answer (shown shuffled). */
  public record Question(String key, String text, List<String> options) {}

  public static final List<Question> QUESTIONS =
      List.of(
          new Question(
              "loop-bug",
              "What is wrong with the while loop, and what fixes it in Python 3?",
              List.of(
                  "`buf = channel.recv(...)` throws away what was received before; start with"
                      + " `buf = b\"\"` and append: `buf += channel.recv(size - len(buf))`",
                  "`buf = \"\"` and `buf += channel.recv(...)`: a one-character fix",
                  "nothing: recv() always returns the whole message in one call",
                  "the loop never ends, because len(buf) stays 0")),
          new Question(
              "length-prefix",
              "What do struct.calcsize(\"L\") and unpack(\"L\", ...) read on 64-bit Linux?",
              List.of(
                  "8 bytes in the host's byte order (\"L\" is the native C long); a portable"
                      + " 4-byte big-endian prefix is \"!I\", which needs no ntohl",
                  "4 bytes in network byte order, the same on every machine",
                  "2 bytes, so a message must be shorter than 64 KiB")),
          new Question(
              "pickle-risk",
              "What can a malicious peer do through pickle.loads?",
              List.of(
                  "run any code it likes in the receiver: unpickling calls whatever an object's"
                      + " __reduce__ names, e.g. os.system",
                  "no code can run: pickle only rebuilds lists, strings and numbers",
                  "nothing: TLS encrypts the bytes, so pickle only sees trusted data",
                  "only crash the receiver with a malformed pickle")),
          new Question(
              "length-risk",
              "What goes wrong when the peer announces a huge size?",
              List.of(
                  "the receiver waits for and buffers whatever is announced: memory exhaustion or"
                      + " a connection blocked for ever (denial of service)",
                  "nothing: each recv() is capped, so a huge size is harmless",
                  "TLS refuses records that long, so it cannot happen")),
          new Question(
              "lab-framing",
              "How does the lab's protocol (docs/PROTOCOL.md) frame messages?",
              List.of(
                  "UTF-8 lines ended by a newline, with a maximum line length (8192 bytes by"
                      + " default): a longer line gets an error and the connection is closed",
                  "a 4-byte length prefix and a pickle, as in the report",
                  "one TLS record per message, so it needs no framing")));

  /** The free-text answer collected for the instructor. */
  static final String OWN_WORDS = "in-your-words";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    if (id == null) {
      return r;
    }
    Answers a = ws.answers("10.txt");
    if (!a.exists()) {
      return r.fail(
          "answers file",
          "write " + a.file() + " with the keys listed in lab exercise show 10 --dir " + ws.dir());
    }
    for (Question q : QUESTIONS) {
      List<String> shown = shuffled(q, id);
      String answer = a.get(q.key()).orElse("");
      Optional<Integer> picked = pick(answer, shown);
      String requirement = q.key() + ": " + q.text();
      if (picked.isEmpty()) {
        r.fail(
            requirement,
            "answer with one letter, A to "
                + (char) ('A' + shown.size() - 1)
                + ", from lab exercise show 10 --dir "
                + ws.dir()
                + " (the options are shuffled for you)");
      } else {
        r.expect(
            shown.get(picked.get()).equals(q.options().get(0)),
            requirement,
            "option " + (char) ('A' + picked.get()) + " is not it: " + hint(q.key()));
      }
    }
    Optional<String> own = a.get(OWN_WORDS);
    own.ifPresent(w -> r.collect(OWN_WORDS, w));
    r.expect(
        own.isPresent(),
        OWN_WORDS + " is answered (your instructor reads it)",
        "write "
            + OWN_WORDS
            + ": <the fixed receive function, or why it is dangerous, in your own"
            + " words> in "
            + a.file());
    return r;
  }

  private static String hint(String key) {
    return switch (key) {
      case "loop-bug" ->
          "in Python 3 recv() returns bytes: what does \"\" + b\"...\" do, and what does `buf ="
              + " ...` do to the bytes already received?";
      case "length-prefix" ->
          "run python3 -c 'import struct; print(struct.calcsize(\"L\"), struct.calcsize(\"!I\"))'";
      case "pickle-risk" ->
          "what does unpickling do with an object whose __reduce__ returns (os.system,"
              + " ('...',))?";
      case "length-risk" -> "the loop trusts the announced size: what happens at 4 GiB?";
      default -> "read docs/PROTOCOL.md: how is a message delimited, and how long may it be?";
    };
  }

  /** The letter (A, "b)", "C.") or the exact text of one option; empty when neither. */
  private static Optional<Integer> pick(String answer, List<String> shown) {
    String t = answer.strip();
    if (t.matches("(?i)[a-z][).]?")) {
      int i = Character.toUpperCase(t.charAt(0)) - 'A';
      return i >= 0 && i < shown.size() ? Optional.of(i) : Optional.empty();
    }
    for (int i = 0; i < shown.size(); i++) {
      if (shown.get(i).equalsIgnoreCase(t)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The options of {@code q} in this student's order: a shuffle seeded by their challenge. */
  static List<String> shuffled(Question q, Identity id) {
    List<String> out = new ArrayList<>(q.options());
    java.util.Collections.shuffle(out, new Random(seed(id.challenge() + "/" + q.key())));
    return out;
  }

  private static long seed(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is in every JDK", e);
    }
  }

  /**
   * The questions as this student sees them, for {@code lab exercise show 10}: markdown, options
   * lettered in the student's order; or a line saying how to get a challenge first.
   */
  /**
   * The markdown text of an exercise as {@code ws}'s student should read it: multiple-choice
   * questions, whose options are shuffled per student, are filled in at {@link
   * Catalog#CHOICES_MARK}.
   */
  public static String personalised(String text, Workspace ws) {
    return text.contains(Catalog.CHOICES_MARK)
        ? text.replace(Catalog.CHOICES_MARK, choices(ws).strip())
        : text;
  }

  public static String choices(Workspace ws) {
    Identity id = ws.identity();
    if (id.problem() != null) {
      return "(Your questions appear here once you have a challenge: " + id.problem() + ")\n";
    }
    StringBuilder b = new StringBuilder();
    for (Question q : QUESTIONS) {
      b.append("**").append(q.key()).append("**: ").append(q.text()).append('\n');
      List<String> shown = shuffled(q, id);
      for (int i = 0; i < shown.size(); i++) {
        b.append("   ").append((char) ('A' + i)).append(") ").append(shown.get(i)).append('\n');
      }
      b.append('\n');
    }
    return b.toString();
  }
}
