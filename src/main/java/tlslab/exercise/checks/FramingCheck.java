package tlslab.exercise.checks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Catalog;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 10: the report's receive loop and pickle framing, against the lab's line framing.
 *
 * <p>Two parts. The evidence: the student's own lab server refusing an over-long line that carries
 * the student's challenge, in their capture decrypted with their key log (the server's {@code !
 * line too long (max N bytes); closing}, then the close). Multiple-choice letters alone can be
 * found by trying each against the checker (a few runs), so they never pass the exercise without
 * that session. The questions: conceptual, so no keyword matching; each is multiple choice, its
 * options shuffled per student (seeded by the student's challenge, so a friend's letters are not
 * the answers), and the student's own explanation is collected for the instructor to read. The
 * wrong options are the misreadings students really write, including the opposite of the right
 * answer.
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

  /** The capture of the over-long line, and the key log of that session. */
  public static final String PCAP = "10.pcap";

  public static final String KEYLOG = "10.keylog";

  /** The lab server's refusal (docs/PROTOCOL.md, "line length"). */
  private static final Pattern REFUSAL =
      Pattern.compile("! line too long \\(max (\\d+) bytes\\); closing");

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    if (id == null) {
      return r;
    }
    overlongLine(r, ws, id);
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

  /**
   * The part no one can guess: the student's own server refusing an over-long line that carries
   * their challenge, decrypted from their capture with their key log. The letters below can be
   * tried one by one against the checker; this cannot, since it needs a real session with the
   * student's own server certificate, and the challenge inside its encrypted bytes.
   */
  private static void overlongLine(Report r, Workspace ws, Identity id) {
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null) {
      return;
    }
    String how =
        "the command block of exercise 10: lab capture --port 8443 --out "
            + ws.capture(PCAP)
            + " while lab client --keylog "
            + ws.capture(KEYLOG)
            + " sends one line of 9000 bytes or more that carries your challenge";
    KeyMaterial keys =
        Steps.keyLog(r, ws, KEYLOG, PCAP, "your key log " + KEYLOG + " is readable", how);
    if (keys == null) {
      return;
    }
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, keys, how);
    if (cap == null || Steps.ownServerHandshake(r, ws, cap, PCAP, mine, how).isEmpty()) {
      return;
    }
    List<ConnectionFacts> sessions = Steps.ownSessions(cap, mine);
    String refused = "your server refused an over-long line in " + PCAP + " and closed";
    String carries = "the over-long line in " + PCAP + " carries your challenge";
    Optional<ConnectionFacts> refusal = Optional.empty();
    int max = -1;
    for (ConnectionFacts c : sessions) {
      List<String> lines = cap.chatLines(c).get("server");
      Matcher m = lines.isEmpty() ? null : REFUSAL.matcher(lines.get(lines.size() - 1));
      if (m != null && m.matches()) {
        refusal = Optional.of(c);
        max = Integer.parseInt(m.group(1));
        break;
      }
    }
    if (refusal.isEmpty()) {
      boolean decrypted = sessions.stream().anyMatch(c -> c.decryptedRecords() > 0);
      r.fail(
          refused,
          !decrypted
              ? "none of the secrets in "
                  + ws.capture(KEYLOG)
                  + " belongs to a session of "
                  + PCAP
                  + ": hand in the key log the client wrote during this very capture"
              : "no session in "
                  + PCAP
                  + " ends with your server's '! line too long (max N bytes); closing': send"
                  + " one line longer than the server's maximum (8192 bytes by default), as "
                  + how);
      return;
    }
    r.pass(refused);
    int limit = max;
    String sent = cap.sentText(refusal.get(), "client");
    List<String> overlong =
        java.util.Arrays.stream(sent.split("\n", -1))
            .filter(l -> l.getBytes(StandardCharsets.UTF_8).length > limit)
            .toList();
    boolean mineInside = overlong.stream().anyMatch(l -> l.contains(id.challenge()));
    r.expect(
        mineInside,
        carries,
        overlong.isEmpty()
            ? "the client's decrypted bytes hold no line longer than "
                + limit
                + " bytes (was a packet lost? capture again)"
            : "the over-long line does not carry your challenge ("
                + id.challenge()
                + "): put it in that line, as "
                + how);
    Steps.classCertificateUsed(r, ws, id, cap, List.of(refusal.get()), PCAP);
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
