package tlslab.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import picocli.CommandLine.Option;
import tlslab.common.LabException;
import tlslab.tls.HandshakeObserver;
import tlslab.trace.HandshakeInspector;
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
  private BufferedWriter json;

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
    if (traceJson != null && Files.exists(traceJson)) {
      throw LabException.refused(traceJson + " exists; choose another file or remove it");
    }
    log = keyLog == null ? null : NssKeyLog.open(keyLog);
    json = traceJson == null ? null : openJson(traceJson);
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
        try {
          json.write(e.toJson());
          json.write('\n');
          json.flush();
        } catch (IOException x) {
          throw LabException.badInput(traceJson + ": cannot write (" + x.getMessage() + ")", x);
        }
      }
    }
  }

  private static BufferedWriter openJson(Path file) {
    try {
      return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write (" + e.getMessage() + ")", e);
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
    } catch (IOException e) {
      throw LabException.badInput(traceJson + ": cannot write (" + e.getMessage() + ")", e);
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }
}
