package tlslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.capture.LiveCapture;
import tlslab.common.LabException;

/** {@code lab capture}: capture packets with pcap4j and label TLS live. */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    description = {
      "Capture packets with libpcap (pcap4j) into a pcap file that",
      "Wireshark opens, printing one line per TLS packet with the same",
      "labels as 'lab annotate'. Stops on --count, --duration or Ctrl-C,",
      "always leaving a complete file. Needs root or CAP_NET_RAW (exit 4)."
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
      description = "Output pcap (default: captures/capture-<time>.pcap).")
  Path out;

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

  @Option(names = "--force", description = "Overwrite an existing output file.")
  boolean force;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0 || duration < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--count and --duration must be >= 0");
    }
    String filter = null;
    if (selection != null) {
      if (selection.port != null) {
        if (selection.port < 1 || selection.port > 65535) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(), "--port must be 1..65535");
        }
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
                    + ".pcap");
    if (Files.exists(file) && !force) {
      throw LabException.refused(file + " exists; use --force to overwrite it");
    }
    LiveCapture capture =
        new LiveCapture(new LiveCapture.Options(iface, filter, file, count, duration));
    var err = spec.commandLine().getErr();
    Thread hook =
        new Thread(
            () -> {
              capture.stop();
              try {
                // Let the dumper flush and close before the JVM exits: the file must be complete.
                if (capture.awaitFinished(5000)) {
                  LiveCapture.Result p = capture.progress();
                  err.println(
                      "lab capture: interrupted; "
                          + p.packets()
                          + " packets ("
                          + p.tlsPackets()
                          + " TLS) written to "
                          + file);
                  err.flush();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "capture-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
    String banner =
        "lab capture: capturing on "
            + iface
            + (filter == null ? "" : " (" + filter + ")")
            + " into "
            + file
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
      r = capture.run(spec.commandLine().getOut());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down (Ctrl-C): the hook is running and prints the summary.
        shuttingDown = true;
      }
    }
    if (shuttingDown) return ExitCode.INTERRUPTED;
    err.println(
        "lab capture: " + r.packets() + " packets (" + r.tlsPackets() + " TLS) written to " + file);
    err.flush();
    return ExitCode.OK;
  }
}
