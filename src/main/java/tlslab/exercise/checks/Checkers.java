package tlslab.exercise.checks;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;

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

  private Checkers() {}

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
      } catch (RuntimeException e) {
        return new Report()
            .fail(
                "your evidence can be checked",
                "the checker stopped on " + e + "; check your files, and tell your instructor");
      }
    };
  }
}
