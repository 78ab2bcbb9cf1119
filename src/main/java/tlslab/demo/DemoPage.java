package tlslab.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.html.HtmlReport;
import tlslab.annotate.html.PageExtras;
import tlslab.trace.Direction;
import tlslab.trace.TimelineFormatter;

/**
 * {@code lab demo --html}: the demo's capture as an HTML page (the ladder, decrypted with the
 * demo's key log, with the report's corrections in each note), and beside it what the text demo
 * shows beside the wire: the server's JSSE trace of alice's handshake, each message next to the
 * frame that carried it, and the report's claims checked against this capture, with the frames they
 * cite. The page takes these as values from the run, never from the text demo's lines.
 */
public final class DemoPage {
  private DemoPage() {}

  /** Writes the page for {@code run} to {@code out}. */
  public static void write(DemoRun run, String profile, PrintWriter out) {
    DemoReport report = new DemoReport(run, new PrintWriter(PrintWriter.nullWriter()));
    // The page shows the capture decrypted with the key log, so the trace is paired with the
    // decrypted frames (TLS 1.3's hidden handshake, TLS 1.2's Finished) whatever the version.
    List<WireTraceAlignment.Pair> pairs =
        report.alignedTrace(run.decrypted().isEmpty() ? run.rows() : run.decrypted());
    List<PageExtras.TraceStep> steps = new ArrayList<>();
    for (WireTraceAlignment.Pair p : pairs) {
      boolean sent = p.event().direction() == Direction.PRODUCED;
      steps.add(
          new PageExtras.TraceStep(
              p.frame(),
              sent,
              sent, // the trace is the server's: what it sent came from the server
              p.event().message().label(),
              p.wireLabel(),
              TimelineFormatter.details(p.event(), "TLSv1.3".equals(run.protocol()))));
    }
    List<PageExtras.Verdict> verdicts = new ArrayList<>();
    for (DemoReport.Verdict v : report.verdictList())
      verdicts.add(new PageExtras.Verdict(v.right(), v.text(), v.frames()));
    PageExtras extras =
        new PageExtras(
            "TLS Lab demo (profile " + profile + "): " + run.protocol() + ", " + run.cipherSuite(),
            "The same handshake inside JSSE (server side, alice's connection)",
            1,
            steps,
            verdicts);
    KeyMaterial keys = KeyMaterial.none();
    if (run.capture() != null && run.keyLog() != null) keys.withKeyLog(run.keyLog());
    HtmlReport.write(
        run.capture(),
        run.capture() == null
            ? "no capture: " + run.captureProblem()
            : run.captureIncomplete()
                ? "this capture is INCOMPLETE: " + String.join(" ", run.captureCheck().gaps())
                : null,
        keys,
        new AnnotateReport.View(true, true, false, true, false, 0),
        extras,
        out);
  }
}
