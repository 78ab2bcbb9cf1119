package tlslab.exercise;

/** Checks one exercise against a student's own evidence. */
public interface Checker {
  /**
   * Examines the evidence in {@code ws} and reports each requirement. Never throws for bad or
   * missing evidence: that is a failed requirement with a hint.
   */
  Report check(Workspace ws);
}
