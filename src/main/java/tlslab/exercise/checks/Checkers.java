package tlslab.exercise.checks;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tlslab.common.LabException;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * The checker of each exercise, by number. It lives beside the checks, not in {@code exercise}, so
 * that {@code exercise.checks} depends on {@code exercise} and never the other way round.
 */
public final class Checkers {
  private static final Map<Integer, Checker> BY_NUMBER = new TreeMap<>();

  static {
    BY_NUMBER.put(1, new CertificatesCheck());
    BY_NUMBER.put(2, new FirstChatCheck());
    BY_NUMBER.put(3, new HandshakeReadingCheck());
    BY_NUMBER.put(4, new KeyExchangeCheck());
    BY_NUMBER.put(5, new ForwardSecrecyCheck());
    BY_NUMBER.put(6, new FinishedCheck());
    BY_NUMBER.put(7, new ResumptionCheck());
    BY_NUMBER.put(8, new MitmCheck());
    BY_NUMBER.put(9, new MutualTlsCheck());
    BY_NUMBER.put(10, new FramingCheck());
    BY_NUMBER.put(11, new RevocationCheck());
  }

  /**
   * Why, in class, an exercise's evidence does not carry the student's class key, by exercise;
   * every other exercise's does (a handshake in the student's capture with their class certificate
   * and a Certificate Verify only its key can sign, RFC 5246 §7.4.8), so a classmate cannot make it
   * for them without their key. These are bound by the challenge and the student's own certificates
   * only: a classmate given both could have made the evidence.
   */
  private static final Map<Integer, String> NOT_BOUND_TO_CLASS_KEY =
      Map.of(
          1,
          "certificates and answers only, no handshake: nothing in them shows who made them;"
              + " exercise 2 shows the same server certificate in a handshake with the class key",
          8,
          "the victim's handshake ends at the attacker, who asks for no client certificate, and the"
              + " attacker's own handshake cannot carry the victim's key: the class key takes no"
              + " part");

  private Checkers() {}

  /**
   * Why exercise {@code n}'s evidence, in class, is not bound to the student's class key; empty
   * when it is (the checker then requires the class certificate in a verified handshake).
   */
  public static Optional<String> notBoundToClassKey(int n) {
    return Optional.ofNullable(NOT_BOUND_TO_CLASS_KEY.get(n));
  }

  /** The note a check of exercise {@code n} adds in class when its evidence is not key-bound. */
  static void noteBinding(Report r, tlslab.exercise.Identity id, int n) {
    if (id != null && id.mode() != tlslab.exercise.Identity.Mode.SELF_STUDY) {
      notBoundToClassKey(n)
          .ifPresent(
              why ->
                  r.note(
                      "in class this exercise is not bound to your class key ("
                          + why
                          + "): your challenge and your own certificates bind it"));
    }
  }

  /**
   * The checker of exercise {@code n}. Checkers report bad evidence as failed items; should one
   * still meet something unforeseen, the student gets a failed item naming it, not a stack trace.
   */
  public static Optional<Checker> forExercise(int n) {
    return Optional.ofNullable(BY_NUMBER.get(n)).map(Checkers::guarded);
  }

  private static Checker guarded(Checker c) {
    return ws -> {
      try {
        return c.check(ws);
      } catch (LabException e) {
        // Evidence the lab refuses to read (too large, not what it claims): say which and why.
        return new Report().fail("your evidence can be checked", e.getMessage());
      } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
        return new Report()
            .fail(
                "your evidence can be checked",
                "the checker stopped on " + e + "; check your files, and tell your instructor");
      }
    };
  }

  /**
   * The markdown text of an exercise as {@code ws}'s student should read it: multiple-choice
   * questions, whose options are shuffled per student, are filled in at {@link
   * tlslab.exercise.Catalog#CHOICES_MARK}.
   */
  public static String text(
      tlslab.exercise.Catalog catalog, tlslab.exercise.Exercise e, Workspace ws) {
    String t = catalog.text(e);
    return t.contains(tlslab.exercise.Catalog.CHOICES_MARK)
        ? t.replace(tlslab.exercise.Catalog.CHOICES_MARK, FramingCheck.choices(ws).strip())
        : t;
  }
}
