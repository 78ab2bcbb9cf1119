package tlslab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.capture.CaptureStats;
import tlslab.common.LabException;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * {@code lab bench capture}: {@code lab capture} and tcpdump recording the same chat load side by
 * side, each in its own process so that its CPU time is its own.
 *
 * <p>The chat load is {@link ChatBench}'s (N clients broadcasting through one server, a window of
 * lines in flight), run four times on one fixed port: with no capture, with tcpdump alone, with
 * {@code lab capture} alone, and with both at once. The last run is the comparison: both tools see
 * the same packets, so the packets each wrote (counted by reading its file) and the drops each
 * reported must add up to the same total. tcpdump runs with its defaults (2 MiB buffer, no
 * immediate mode when writing a file); {@code lab capture} with its own (64 MiB, no immediate
 * mode), printing its labels into a pipe that this process reads as fast as it can.
 */
public final class CaptureBench {
  /** What one capture tool did during one chat run. */
  record Tool(
      String name,
      long written,
      long dropped,
      long received,
      String dropNote,
      Duration cpu,
      long lines) {}

  private final int clients;
  private final int messages;
  private final int size;
  private final int window;
  private final String labBuffer;
  private final Path dir;
  private final String mainClass;

  private CaptureBench(
      int clients,
      int messages,
      int size,
      int window,
      String labBuffer,
      Path dir,
      String mainClass) {
    this.mainClass = mainClass;
    this.clients = clients;
    this.messages = messages;
    this.size = size;
    this.window = window;
    this.labBuffer = labBuffer;
    this.dir = dir;
  }

  /**
   * Runs the four chat runs and returns the report.
   *
   * @param mainClass the class whose {@code main} runs {@code lab} (the command line passes its
   *     own), started as {@code java -cp <this class path> mainClass capture ...}
   */
  public static String run(
      int clients, int messages, int size, int window, String labBuffer, String mainClass) {
    Path dir;
    try {
      dir = Files.createTempDirectory("lab-bench-capture");
    } catch (IOException e) {
      throw LabException.environment("cannot create a scratch folder: " + e.getMessage());
    }
    try {
      return new CaptureBench(clients, messages, size, window, labBuffer, dir, mainClass).execute();
    } finally {
      ChatBench.deleteTree(dir);
    }
  }

  /** The captures of one chat run, started once its server listens. */
  private final class Phase {
    final boolean tcpdump;
    final boolean lab;
    final String name;
    Running tcpdumpRun;
    Running labRun;

    Phase(String name, boolean tcpdump, boolean lab) {
      this.name = name;
      this.tcpdump = tcpdump;
      this.lab = lab;
    }

    /** Runs the chat load with this phase's captures recording its server's port. */
    String chat() {
      ChatBench.Options o =
          new ChatBench.Options(List.of("lab"), 0, 1, 1, clients, messages, window, size);
      String report =
          ChatBench.run(
              o,
              port -> {
                if (tcpdump) tcpdumpRun = startTcpdump(port, name + "-tcpdump.pcap");
                if (lab) labRun = startLab(port, name + "-lab.pcap");
              });
      // The run's connections close asynchronously after it returns: let their last packets
      // pass before the captures stop.
      pause(2000);
      return report;
    }
  }

  private String execute() {
    StringBuilder r = new StringBuilder();
    r.append(
        String.format(
            Locale.ROOT,
            "capture bench: chat load %d clients x %d messages x %d bytes, window %d (lab bench"
                + " chat's unpaced load, cold and warm, lab server); each capture in its own"
                + " process%n",
            clients,
            messages,
            size,
            window));
    Phase none = new Phase("none", false, false);
    Phase tcpdumpOnly = new Phase("tcpdump", true, false);
    Phase labOnly = new Phase("lab", false, true);
    Phase both = new Phase("both", true, true);
    String noneReport = none.chat();
    String tcpdumpReport = tcpdumpOnly.chat();
    List<Tool> alone = new ArrayList<>();
    alone.add(tcpdumpOnly.tcpdumpRun.stop());
    String labReport = labOnly.chat();
    alone.add(labOnly.labRun.stop());
    String bothReport = both.chat();
    Tool tcpdump = both.tcpdumpRun.stop();
    Tool lab = both.labRun.stop();

    r.append("\nsame load, both capturing at once:\n");
    r.append(
        String.format(
            Locale.ROOT,
            "  %-13s %12s %14s %10s  %s%n",
            "",
            "packets",
            "drops reported",
            "CPU s",
            "notes"));
    for (Tool t : List.of(tcpdump, lab)) r.append(row(t));
    long tcpdumpTotal = tcpdump.written() + tcpdump.dropped();
    long labTotal = lab.written() + lab.dropped();
    r.append(
        String.format(
            Locale.ROOT,
            "  packets written: lab/tcpdump = %.4f (%+d); written + dropped: lab %d, tcpdump %d%n",
            tcpdump.written() == 0 ? Double.NaN : (double) lab.written() / tcpdump.written(),
            lab.written() - tcpdump.written(),
            labTotal,
            tcpdumpTotal));
    r.append(
        String.format(
            Locale.ROOT,
            "  packets on the wire: %d by tcpdump's count (received by filter / 2), %d by lab's;"
                + " lab written + reported drops = %d (%s)%n",
            tcpdump.received(),
            lab.received(),
            labTotal,
            labTotal == tcpdump.received()
                ? "every packet written or reported lost"
                : "differs from tcpdump's count by " + (labTotal - tcpdump.received())));
    r.append(
        String.format(
            Locale.ROOT,
            "  CPU: lab/tcpdump = %.2f%n",
            tcpdump.cpu().toMillis() == 0
                ? Double.NaN
                : (double) lab.cpu().toMillis() / tcpdump.cpu().toMillis()));
    r.append("\neach alone (a separate run of the same load):\n");
    for (Tool t : alone) r.append(row(t));
    r.append("\nchat throughput (lab bench chat's report of each run):\n");
    r.append(section("no capture", noneReport));
    r.append(section("tcpdump capturing", tcpdumpReport));
    r.append(section("lab capture capturing", labReport));
    r.append(section("both capturing", bothReport));
    r.append(
        "\n(CPU is user+system time of each capture process from 'ready' until the load ended"
            + " and, for lab capture, its labels were printed; the machine may be shared, so"
            + " compare figures of one run with each other.)\n");
    return r.toString();
  }

  private static String row(Tool t) {
    return String.format(
        Locale.ROOT,
        "  %-13s %12d %14d %10.2f  %s%n",
        t.name(),
        t.written(),
        t.dropped(),
        t.cpu().toMillis() / 1000.0,
        t.dropNote() + (t.lines() >= 0 ? "; " + t.lines() + " label lines printed" : ""));
  }

  private static String section(String title, String chatReport) {
    StringBuilder s = new StringBuilder("  " + title + ":\n");
    chatReport.lines().skip(1).forEach(l -> s.append("  ").append(l).append('\n'));
    return s.toString();
  }

  /** A capture process started and ready. */
  private interface Running {
    Tool stop();
  }

  private Running startTcpdump(int port, String file) {
    Path out = dir.resolve(file);
    Process p =
        start(
            List.of("tcpdump", "-i", "lo", "-n", "-w", out.toString(), "tcp port " + port),
            "tcpdump");
    BufferedReader err = reader(p.getErrorStream());
    awaitLine(err, "listening on", "tcpdump", p);
    StringBuilder tail = new StringBuilder();
    CompletableFuture<Void> rest = readAll(err, tail);
    Duration cpu0 = cpu(p);
    return () -> {
      Duration cpu = cpu(p).minus(cpu0);
      // tcpdump -w reads TPACKET_V3 blocks as they retire, at the latest after its 1 s timeout,
      // and does not read a partly filled block when interrupted: give it that second, or the
      // comparison counts the last block against it.
      pause(1500);
      interrupt(p);
      rest.join();
      Matcher m = Pattern.compile("(\\d+) packets? dropped by kernel").matcher(tail);
      long dropped = m.find() ? Long.parseLong(m.group(1)) : -1;
      Matcher rcv = Pattern.compile("(\\d+) packets? received by filter").matcher(tail);
      long received = rcv.find() ? Long.parseLong(rcv.group(1)) : -1;
      String note = "drops: tcpdump's own count (lo copies); received by filter: " + received;
      // On lo libpcap counts each packet twice (sent and received copies): docs/CAPTURE.md.
      return new Tool(
          "tcpdump", frames(out), dropped, received < 0 ? -1 : received / 2, note, cpu, -1);
    };
  }

  private Running startLab(int port, String file) {
    Path out = dir.resolve(file);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        List.of(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            mainClass,
            "capture",
            "--iface",
            "lo",
            "--port",
            Integer.toString(port),
            "--buffer-size",
            labBuffer,
            "--status",
            "0",
            "--out",
            out.toString());
    Process p = start(cmd, "lab capture");
    AtomicLong lines = new AtomicLong();
    CompletableFuture<Void> labels =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader in = reader(p.getInputStream())) {
                while (in.readLine() != null) lines.incrementAndGet();
              } catch (IOException e) {
                // the process ended
              }
            });
    BufferedReader err = reader(p.getErrorStream());
    awaitLine(err, "capturing on", "lab capture", p);
    StringBuilder tail = new StringBuilder();
    CompletableFuture<Void> rest = readAll(err, tail);
    Duration cpu0 = cpu(p);
    return () -> {
      // The labeller may still be catching up after the load: its CPU counts too, so wait until
      // the label lines stop coming (at most 30 s) before reading the CPU time.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (long before = -1; lines.get() != before && System.nanoTime() < deadline; ) {
        before = lines.get();
        pause(500);
      }
      Duration cpu = cpu(p).minus(cpu0);
      interrupt(p);
      rest.join();
      labels.join();
      CaptureStats s =
          CaptureStats.readFor(out)
              .orElseThrow(() -> LabException.failed("lab capture left no statistics: " + tail));
      String note =
          String.format(
              Locale.ROOT,
              "drops: %d kernel + %d lab; exit %d; label lines skipped %d, packets not"
                  + " labelled live %d",
              s.kernelDropped(),
              s.labDropped() + s.interfaceDropped(),
              p.exitValue(),
              s.labelLinesSkipped(),
              s.packetsUnlabelled());
      return new Tool(
          "lab capture", frames(out), s.dropped(), s.received(), note, cpu, lines.get());
    };
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process start(List<String> cmd, String what) {
    try {
      return new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw LabException.environment("cannot start " + what + ": " + e.getMessage());
    }
  }

  private static void interrupt(Process p) {
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw LabException.failed("a capture did not stop within 60 s of SIGINT");
      }
    } catch (IOException e) {
      throw LabException.environment("cannot signal a capture: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** user + system CPU time of a live process (from /proc, via ProcessHandle). */
  private static Duration cpu(Process p) {
    return p.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private static void awaitLine(BufferedReader err, String wanted, String what, Process p) {
    StringBuilder seen = new StringBuilder();
    try {
      for (String l; (l = err.readLine()) != null; ) {
        if (l.contains(wanted)) return;
        seen.append(l).append('\n');
      }
    } catch (IOException e) {
      seen.append(e);
    }
    p.destroyForcibly();
    throw LabException.environment(what + " did not start capturing (root needed): " + seen);
  }

  private static CompletableFuture<Void> readAll(BufferedReader in, StringBuilder into) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            for (String l; (l = in.readLine()) != null; ) {
              synchronized (into) {
                into.append(l).append('\n');
              }
            }
          } catch (IOException e) {
            // the process ended
          }
        });
  }

  private static long frames(Path file) {
    long n = 0;
    try (CaptureReader r = CaptureReader.open(file)) {
      Frame f = new Frame();
      while (r.next(f)) n++;
    }
    return n;
  }
}
