package tlslab.trace;

/**
 * Whether the side that logged a message built and sent it ({@link #PRODUCED}) or received and
 * processed it ({@link #CONSUMED}). Every TLS message appears once per side: produced by one end,
 * consumed by the other.
 */
public enum Direction {
  PRODUCED("produced", "→"),
  CONSUMED("consumed", "←");

  private final String label;
  private final String arrow;

  Direction(String label, String arrow) {
    this.label = label;
    this.arrow = arrow;
  }

  /** {@code produced} or {@code consumed}. */
  public String label() {
    return label;
  }

  /** The arrow the timeline prints: {@code →} for a message sent, {@code ←} for one received. */
  public String arrow() {
    return arrow;
  }
}
