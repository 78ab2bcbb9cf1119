package tlslab.trace;

/** Which end of a TLS connection a trace event was seen on. */
public enum Side {
  CLIENT("client"),
  SERVER("server");

  private final String label;

  Side(String label) {
    this.label = label;
  }

  /** Lower-case name used in the timeline and in JSON: {@code client} or {@code server}. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
