package tlslab.annotate.html;

import java.util.List;

/**
 * What a page shows beside the capture, as values (the demo fills it from its run): a trace of the
 * same handshake as one TLS stack logged it, each step paired with the frame that carried it, and
 * the report's claims checked against this capture, each with the frames it cites.
 *
 * @param title the page's heading, e.g. "TLS Lab demo (profile modern)"
 * @param traceTitle the trace's heading, e.g. "The same handshake inside JSSE (server side)"
 * @param traceConnection the capture connection (1-based) the trace belongs to
 * @param trace the trace's steps, in the order the stack logged them
 * @param verdicts the report's claims, checked against this capture
 */
public record PageExtras(
    String title,
    String traceTitle,
    int traceConnection,
    List<TraceStep> trace,
    List<Verdict> verdicts) {
  public PageExtras {
    trace = List.copyOf(trace);
    verdicts = List.copyOf(verdicts);
  }

  /** Nothing beside the capture: the plain {@code lab annotate --format html} page. */
  public static final PageExtras NONE = new PageExtras(null, null, 0, List.of(), List.of());

  /**
   * One message as the TLS stack logged it.
   *
   * @param frame the frame that carried it, or 0 when no frame matched
   * @param sent true when the traced side sent it (→), false when it received it (←)
   * @param fromServer true when the server sent it
   * @param message the stack's name for the message, e.g. "Server Key Exchange"
   * @param wireLabel Wireshark's label for it in that frame ("" when no frame matched)
   * @param details what the stack logged about it (group, suite, lengths)
   */
  public record TraceStep(
      long frame,
      boolean sent,
      boolean fromServer,
      String message,
      String wireLabel,
      String details) {}

  /**
   * One of the report's claims, checked on this capture.
   *
   * @param right true when the capture bears the report out
   * @param text what the report says and what this capture shows
   * @param frames the frames the text cites, in order (may be empty)
   */
  public record Verdict(boolean right, String text, List<Long> frames) {
    public Verdict {
      frames = List.copyOf(frames);
    }
  }
}
