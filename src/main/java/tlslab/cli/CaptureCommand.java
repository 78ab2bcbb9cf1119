package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tlslab.capture.CaptureStats;
import tlslab.capture.LiveCapture;
import tlslab.capture.TcpEnds;
import tlslab.common.LabException;

/** {@code lab capture}: capture packets with pcap4j and label TLS live. */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    description = {
      "Capture packets with libpcap (pcap4j) into a pcap file that Wireshark opens,",
      "printing one line per TLS packet with the same labels as 'lab annotate'.",
      "Packets are written first; labels are printed from a queue, and when the",
      "terminal cannot keep up, lines (never packets) are skipped and counted.",
      "libpcap's drop counters are reported while capturing and at the end, and",
      "kept in FILE.stats; a capture that lost packets ends with a warning and",
      "exit code 7. At the end it names each TCP connection the file does not hold",
      "whole (begun before the capture, or still open when it stopped).",
      "With --keylog the file is pcapng with the keys inside",
      "(Decryption Secrets Block): Wireshark opens it decrypted, with no option.",
      "Stops on --count, --duration or Ctrl-C, always leaving a complete file.",
      "Needs root or CAP_NET_RAW (exit 4)."
    },
    footer = {"", ExitCode.TABLE})
public final class CaptureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--iface",
      paramLabel = "NAME",
      defaultValue = "lo",
      description = "Interface (default: ${DEFAULT-VALUE}).")
  String iface;

  @ArgGroup(exclusive = true)
  Selection selection;

  static final class Selection {
    @Option(
        names = "--port",
        paramLabel = "PORT",
        converter = PortConverter.Connect.class,
        description = "Capture TCP traffic on this port.")
    Integer port;

    @Option(
        names = "--filter",
        paramLabel = "BPF",
        description = "A BPF filter, e.g. 'tcp port 8443'.")
    String filter;
  }

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "Output file (default: captures/capture-<time>.pcap, or .pcapng with --keylog)."
              + " pcapng if the name ends with .pcapng.")
  Path out;

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description =
          "NSS key log the TLS peers write (their --keylog): its lines go into the"
              + " pcapng file (Decryption Secrets Block), which is then written 0600.")
  Path keyLog;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N packets.")
  long count;

  @Option(
      names = "--duration",
      paramLabel = "S",
      defaultValue = "0",
      description = "Stop after S seconds.")
  double duration;

  @Option(
      names = {"--snaplen", "-s"},
      paramLabel = "BYTES",
      description = "Bytes kept of each packet (default: 262144, as tcpdump).")
  int snaplen = LiveCapture.DEFAULT_SNAPLEN;

  @Option(
      names = {"--buffer-size", "-B"},
      paramLabel = "SIZE",
      description =
          "Kernel capture buffer, e.g. 64M, 512K or bytes (default: 64M; tcpdump's is 2M)."
              + " Raise it if packets are dropped.")
  String bufferSize = "64M";

  @Option(
      names = "--immediate",
      negatable = true,
      defaultValue = "false",
      fallbackValue = "true",
      description =
          "libpcap immediate mode, as tcpdump --immediate-mode: each packet is delivered as it"
              + " arrives. Default off (as tcpdump -w): packets come in blocks within 100 ms,"
              + " and the kernel buffer holds many more of them.")
  boolean immediate;

  @Option(
      names = "--status",
      paramLabel = "S",
      defaultValue = "10",
      description = "Report the counters every S seconds on stderr (0: only at the end).")
  double status;

  @Option(names = "--force", description = "Overwrite an existing output file.")
  boolean force;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0 || duration < 0 || status < 0) {
      throw new ParameterException(
          spec.commandLine(), "--count, --duration and --status must be >= 0");
    }
    if (snaplen < 64 || snaplen > LiveCapture.DEFAULT_SNAPLEN) {
      throw new ParameterException(spec.commandLine(), "--snaplen must be 64..262144");
    }
    int buffer = parseSize(bufferSize);
    String filter = null;
    if (selection != null) {
      if (selection.port != null) {
        filter = "tcp port " + selection.port;
      } else {
        filter = selection.filter;
      }
    }
    Path file =
        out != null
            ? out
            : Path.of(
                "captures",
                "capture-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + (keyLog != null ? ".pcapng" : ".pcap"));
    if (keyLog != null && !file.getFileName().toString().endsWith(".pcapng")) {
      throw new ParameterException(
          spec.commandLine(),
          "--keylog writes pcapng (the keys go in a Decryption Secrets Block):"
              + " name the output FILE.pcapng");
    }
    // A folder is never replaced, not even with --force (an empty one was, by the finished file).
    if (Files.isDirectory(file)) {
      throw LabException.badInput(file + ": is a folder; --out names the file to write");
    }
    if (keyLog != null && Files.isDirectory(keyLog)) {
      // Refused now: read only at the end, it left a capture without keys and an error after it.
      throw LabException.badInput(keyLog + ": is a folder; --keylog names the peers' key log file");
    }
    if (Files.exists(file) && !force) {
      throw LabException.refused(file + " exists; use --force to overwrite it");
    }
    LiveCapture capture =
        new LiveCapture(
            new LiveCapture.Options(iface, filter, file, count, duration)
                .withSnaplen(snaplen)
                .withBufferBytes(buffer)
                .withImmediate(immediate)
                .withKeyLog(keyLog)
                .withStatusSeconds(status));
    // Which TCP connections the file holds whole: libpcap's counters cannot tell a connection that
    // began before the capture or was still open when it stopped (Ctrl-C mid-connection).
    TcpEnds ends = capture.trackTcpEnds();
    PrintWriter err = spec.commandLine().getErr();
    AtomicBoolean interrupted = new AtomicBoolean();
    // Ctrl-C (SIGINT) and SIGTERM stop the capture and let this method finish: the file is
    // completed, the summary printed, and the exit code says whether packets were lost.
    boolean handled =
        Signals.onInterrupt(
            () -> {
              interrupted.set(true);
              capture.stop();
            });
    // Other ways the JVM ends (or signals we could not handle) still complete the file.
    Thread hook =
        new Thread(
            () -> {
              interrupted.set(true);
              capture.stop();
              try {
                if (capture.awaitFinished(30_000)) {
                  CaptureStats s = capture.progress().stats();
                  err.println(
                      "lab capture: interrupted; "
                          + (s == null ? capture.progress().packets() + " captured" : s.summary())
                          + "; written to "
                          + file);
                  err.flush();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "capture-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String banner =
        "lab capture: capturing on "
            + iface
            + (filter == null ? "" : " (" + filter + ")")
            + " into "
            + file
            + (keyLog == null ? "" : " with the keys of " + keyLog)
            + "; Ctrl-C to stop";
    // Say "capturing" only once the handle is open and writing: packets sent after this line are
    // in the file (scripts and tests wait for it instead of guessing with a sleep).
    Thread announce =
        new Thread(
            () -> {
              try {
                if (capture.awaitOpened(60_000)) {
                  err.println(banner);
                  err.flush();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "capture-banner");
    announce.setDaemon(true);
    announce.start();
    LiveCapture.Result r;
    boolean shuttingDown = false;
    try {
      r =
          capture.run(
              spec.commandLine().getOut(),
              line -> {
                synchronized (err) {
                  err.println("lab capture: " + line);
                  err.flush();
                }
              });
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down: the hook is running and prints the summary.
        shuttingDown = true;
      }
    }
    if (shuttingDown) return ExitCode.INTERRUPTED;
    CaptureStats s = r.stats();
    err.println(
        "lab capture: "
            + (interrupted.get() && handled ? "interrupted; " : "")
            + s.summary()
            + "; written to "
            + file);
    reportConnections(err, ends.connections());
    if (r.keyLogLines() == 0) {
      err.println(
          "lab capture: warning: "
              + keyLog
              + " had no key log lines at the end of the capture; the file holds no keys");
    } else if (r.keyLogLines() > 0) {
      err.println(
          "lab capture: "
              + r.keyLogLines()
              + " key log lines from "
              + keyLog
              + " are inside the file: it opens decrypted in Wireshark (keep it private)");
    }
    if (!s.complete()) {
      err.println(
          String.format(
              Locale.ROOT,
              "lab capture: WARNING: this capture is INCOMPLETE: %d of %d packets were lost"
                  + " before reaching the file (%s). Gaps such as '[TCP Previous segment not"
                  + " captured]' are the capture's, not the network's. Raise --buffer-size or"
                  + " narrow the filter. Recorded in %s.",
              s.dropped(),
              s.dropped() + s.written(),
              s.summary(),
              CaptureStats.sidecar(file)));
      err.flush();
      return ExitCode.INCOMPLETE;
    }
    err.flush();
    return interrupted.get() && handled ? ExitCode.INTERRUPTED : ExitCode.OK;
  }

  /** Connections listed one by one at most; more are counted. */
  static final int LISTED = 20;

  /**
   * Says whether the file holds each TCP connection whole, from its SYN to its last ACK ({@link
   * TcpEnds}), and names each one that it does not: one that began before the capture, or was still
   * open (or its last packets not yet captured) when it stopped. Nothing was lost by the capture,
   * so the exit code stays that of the stop; but what the file shows of such a connection is
   * partial, and the student must know which.
   */
  static void reportConnections(PrintWriter err, List<TcpEnds.Connection> connections) {
    if (connections.isEmpty()) return;
    int cut = 0;
    for (TcpEnds.Connection c : connections) if (!c.whole()) cut++;
    int n = connections.size();
    if (cut == 0) {
      err.println(
          "lab capture: "
              + (n == 1
                  ? "the TCP connection in the file is"
                  : "all " + n + " TCP connections in the file are")
              + " whole (SYN to the last ACK)");
      return;
    }
    err.println(
        "lab capture: "
            + cut
            + " of "
            + n
            + " TCP connection"
            + (n == 1 ? "" : "s")
            + (cut == 1 ? " is" : " are")
            + " cut: the file does not hold "
            + (cut == 1 ? "it" : "them")
            + " whole (begun before the capture started, or not ended when it stopped),"
            + " so what it shows of "
            + (cut == 1 ? "it" : "them")
            + " is partial:");
    int listed = 0;
    for (int i = 0; i < n && listed < LISTED; i++) {
      TcpEnds.Connection c = connections.get(i);
      if (c.whole()) continue;
      listed++;
      err.println("lab capture:   " + c.name(i + 1) + " " + String.join("; ", c.gaps()) + ".");
    }
    if (cut > listed) {
      err.println("lab capture:   and " + (cut - listed) + " more cut connections");
    }
  }

  /** "16M", "512K", "4096" to bytes. */
  private int parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("M") || t.endsWith("MIB")) unit = 1 << 20;
    else if (t.endsWith("K") || t.endsWith("KIB")) unit = 1 << 10;
    String digits = t.replaceAll("(MIB|KIB|M|K)$", "");
    try {
      long v = Long.parseLong(digits) * unit;
      if (v < 0 || v > Integer.MAX_VALUE) throw new NumberFormatException();
      return (int) v;
    } catch (NumberFormatException e) {
      throw new ParameterException(
          spec.commandLine(), "--buffer-size: '" + s + "' is not a size such as 16M, 512K or 4096");
    }
  }
}
