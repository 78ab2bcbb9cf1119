package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import picocli.CommandLine.Option;
import tlslab.common.LabException;
import tlslab.tls.HandshakeObserver;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.JsonLinesTrace;
import tlslab.trace.NssKeyLog;
import tlslab.trace.TimelineFormatter;
import tlslab.trace.TraceEvent;

/**
 * {@code --trace}, {@code --trace-json FILE} and {@code --keylog FILE} for {@code lab server} and
 * {@code lab client}: one {@link HandshakeInspector} plugged into the chat driver as its handshake
 * observer. Without these options nothing is recorded and JSSE's debug hooks stay off.
 */
final class TraceMixin implements AutoCloseable {
  @Option(names = "--trace", description = "Print each TLS handshake message as it happens.")
  boolean trace;

  @Option(
      names = "--trace-json",
      paramLabel = "FILE",
      description = "Write the handshake messages as JSON lines (refuses to overwrite).")
  Path traceJson;

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description = "Append an NSS key log, for Wireshark/tshark: -o tls.keylog_file:FILE.")
  Path keyLog;

  private HandshakeInspector inspector;
  private NssKeyLog log;
  private JsonLinesTrace json;

  /** Whether JSSE's debug hooks are needed (pass to {@code JsseSetup.prepare}). */
  boolean hooksNeeded() {
    return trace || traceJson != null || keyLog != null;
  }

  /**
   * The observer factory for the chat builder: {@code HandshakeObserver.NONE} when no option was
   * given. Trace lines go to {@code out}, key log problems to {@code err}.
   */
  Function<SSLEngine, HandshakeObserver> observers(PrintWriter out, PrintWriter err, String who) {
    if (!hooksNeeded()) {
      return e -> HandshakeObserver.NONE;
    }
    log = keyLog == null ? null : NssKeyLog.open(keyLog);
    json = traceJson == null ? null : JsonLinesTrace.open(traceJson, false);
    TimelineFormatter timeline = trace ? new TimelineFormatter(false) : null;
    inspector =
        HandshakeInspector.builder()
            .trace(e -> show(out, timeline, e))
            .keyLog(log)
            .onProblem(
                p -> {
                  synchronized (out) {
                    err.println("lab " + who + ": " + p);
                    err.flush();
                  }
                })
            .build();
    HandshakeObserver observer = inspector.observer();
    return e -> observer;
  }

  /** Problems met (a secret that could not be read): the client turns the first into exit 4. */
  void throwIfProblems() {
    if (inspector != null && !inspector.problems().isEmpty()) {
      throw LabException.environment(inspector.problems().get(0));
    }
  }

  private void show(PrintWriter out, TimelineFormatter timeline, TraceEvent e) {
    // The chat's own output also synchronises on out, so lines never interleave mid-line.
    synchronized (out) {
      if (timeline != null) {
        timeline.format(e).forEach(out::println);
        out.flush();
      }
      if (json != null) {
        json.write(e);
      }
    }
  }

  @Override
  public void close() {
    if (inspector != null) {
      inspector.close();
    }
    try {
      if (json != null) {
        json.close();
      }
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }
}
