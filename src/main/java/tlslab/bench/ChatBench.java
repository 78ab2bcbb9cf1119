package tlslab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import tlslab.common.LabException;
import tlslab.net.ChatClient;
import tlslab.net.EventLoopGroup;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench chat}: chat servers side by side under the same load, in one run. Each server
 * (the lab's, the report-style Python "seed" server shipped with the lab, or any command that
 * speaks the line protocol) runs in its own process, started fresh ("cold"); the load generator
 * (non-blocking TLS clients in this process) measures it once just after start and once more
 * ("warm"). Every line carries its run, sender, sequence number and send time, so each receiver
 * counts lost, duplicated and reordered lines and the latency from send to receipt. The server's
 * CPU time is read from {@code /proc}, so the figure that matters, deliveries per server
 * CPU-second, does not depend on what else runs on the machine.
 *
 * <p>Two loads: <em>paced</em>, every client sends R lines a second (a chat), and <em>unpaced</em>,
 * a closed loop keeping W lines in flight (a burst). The floor is measured in the same run: bare
 * loopback writes of a record-sized buffer per CPU-second, no TLS. A server that writes once per
 * delivery cannot beat it.
 */
public final class ChatBench {
  private static final long BUCKET_NANOS = 10_000; // latency histogram: 10 µs buckets
  private static final int BUCKETS = 100_000; // up to 1 s; slower goes to the last bucket

  /**
   * The paced goal's latency bound: deliveries slower than this are counted by the second of the
   * run they were sent in, so that a cold run's tail can be placed (the first second's joins and
   * compilations, or pauses spread through the run).
   */
  private static final long SLOW_MS = 5;

  private static final int SLOW_SECONDS = 120; // a later second counts in the last

  /**
   * What to run.
   *
   * @param servers servers to compare (null: the lab's and the seed)
   * @param pacedClients clients of the paced load (0: no paced load)
   * @param rate lines per second per client, paced
   * @param seconds length of a paced run
   * @param clients clients of the unpaced load (0: no unpaced load)
   * @param messages lines per client, unpaced
   * @param window lines in flight at most, unpaced
   * @param size payload bytes per line
   */
  public record Options(
      List<String> servers,
      int pacedClients,
      double rate,
      int seconds,
      int clients,
      int messages,
      int window,
      int size) {}

  /** The figures of one measured run. */
  record Figures(
      long expected,
      long delivered,
      long duplicated,
      long reordered,
      String p50,
      String p99,
      double p99ms,
      double seconds,
      double serverCpu,
      String cpuSplit,
      String slowBySecond) {
    double perCpuSecond() {
      return delivered / serverCpu;
    }
  }

  private ChatBench() {}

  /** Runs the comparison and returns the report. */
  public static String run(Options o) {
    return run(o, port -> {});
  }

  /** As {@link #run(Options, java.util.function.IntConsumer)}, with the text of the report. */
  public static String run(Options o, java.util.function.IntConsumer onServer) {
    return measure(o, onServer).text();
  }

  /**
   * Runs the comparison, telling {@code onServer} each server's port once it listens and before any
   * client connects ({@code lab bench capture} starts its captures there).
   */
  public static Result measure(Options o, java.util.function.IntConsumer onServer) {
    if (o.pacedClients() == 1 || o.clients() == 1 || o.pacedClients() + o.clients() == 0) {
      throw LabException.badInput("need at least 2 clients for a load");
    }
    if (o.rate() <= 0 || o.seconds() < 1 || o.messages() < 1 || o.window() < 1 || o.size() < 0) {
      throw LabException.badInput("--rate, --seconds, --messages, --window must be positive");
    }
    JsseSetup.prepare(false, false);
    List<ServerProcess.Spec> specs = new ArrayList<>();
    Path certs = tempCerts();
    Path seed = certs.resolve("seed_chat_server.py");
    copyResource("seed_chat_server.py", seed);
    for (String s : o.servers() == null ? List.of("lab", "seed") : o.servers()) {
      switch (s) {
        case "lab":
          specs.add(new ServerProcess.Spec("lab", sameProgramServer(), true));
          break;
        case "seed":
          specs.add(
              new ServerProcess.Spec(
                  "seed",
                  List.of(Conformance.python(), seed.toString(), "{port}", "{cert}"),
                  true));
          break;
        default:
          specs.add(ServerProcess.Spec.parse(s));
      }
    }
    StringBuilder report = new StringBuilder();
    boolean intact = true;
    try (EventLoopGroup loops = new EventLoopGroup("bench-clients", 0)) {
      SSLContext ctx = TlsContexts.client(certs.resolve("ca.pem"), null, false);
      report.append(
          String.format(
              "chat bench: TLS 1.2 ECDHE-RSA-AES128-GCM (lab profile modern), RSA-2048, %d-byte"
                  + " payloads; servers in their own processes, load generator in this one%n"
                  + "  machine: %d cores, load average %.1f at start: figures per server"
                  + " CPU-second, compare within this run%n",
              o.size(),
              Runtime.getRuntime().availableProcessors(),
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      int recordBytes = 5 + 8 + 16 + lineLength(o); // TLS 1.2 AES-GCM record of one line
      // The floor drifts with the machine (230k to 400k writes per CPU-second between runs of one
      // hour): it is measured before and after each load, and each table uses the median.
      List<Double> floors = new ArrayList<>();
      floors.add(LoopbackFloor.writesPerCpuSecond(200, recordBytes, 2000));
      // The load generator is a JVM too: warmed against a private server first, so that the
      // first server measured does not pay for its JIT (latency) and every server meets the same
      // warm clients.
      warmLoadGenerator(certs, ctx, loops, o);
      if (o.pacedClients() > 0) {
        List<String> names = new ArrayList<>();
        List<Measured> figures = new ArrayList<>();
        for (ServerProcess.Spec spec : specs) {
          names.add(spec.name());
          figures.add(measure(spec, certs, ctx, loops, o, true, onServer));
        }
        floors.add(LoopbackFloor.writesPerCpuSecond(200, recordBytes, 2000));
        double floor = floor(report, recordBytes, floors);
        report.append(
            String.format(
                "paced: %d clients x %.1f lines/s for %d s, each line to the %d others%n",
                o.pacedClients(), o.rate(), o.seconds(), o.pacedClients() - 1));
        intact &= table(report, names, figures, floor, false);
        pacedGoals(report, names, figures, floor);
      }
      if (o.clients() > 0) {
        List<String> names = new ArrayList<>();
        List<Measured> figures = new ArrayList<>();
        for (ServerProcess.Spec spec : specs) {
          names.add(spec.name());
          figures.add(measure(spec, certs, ctx, loops, o, false, onServer));
        }
        floors.add(LoopbackFloor.writesPerCpuSecond(200, recordBytes, 2000));
        double floor = floor(report, recordBytes, floors);
        report.append(
            String.format(
                "unpaced: %d clients x %d lines, window %d lines in flight, each to the %d"
                    + " others%n",
                o.clients(), o.messages(), o.window(), o.clients() - 1));
        intact &= table(report, names, figures, floor, true);
        unpacedGoals(report, names, figures);
      }
    } finally {
      deleteTree(certs);
    }
    report.append(
        intact
            ? "every run: 0 lost, 0 duplicated, 0 reordered\n"
            : "FAILED: some run lost, duplicated or reordered lines (see lost/dup/reordered)\n");
    return new Result(report.toString(), intact);
  }

  /** Prints the floor's measurements so far and returns their median. */
  private static double floor(StringBuilder report, int recordBytes, List<Double> floors) {
    List<Double> sorted = new ArrayList<>(floors);
    sorted.sort(null);
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    StringBuilder each = new StringBuilder();
    for (double f : floors) {
      each.append(each.length() == 0 ? "" : ", ").append(String.format("%,.0f", f));
    }
    report.append(
        String.format(
            "  floor: bare %d-byte loopback writes to 200 sockets: %,.0f per CPU-second (%.2f µs"
                + " each), the median of %s measured so far in this run%n",
            recordBytes, median, 1e6 / median, each));
    return median;
  }

  /**
   * Runs a short paced and unpaced load (those of the two that will be measured) against a private
   * lab server in this process, and throws the figures away: it only warms the load generator's own
   * code.
   */
  private static void warmLoadGenerator(
      Path certs, SSLContext ctx, EventLoopGroup loops, Options o) {
    int n = Math.max(o.pacedClients(), o.clients());
    try (tlslab.net.ChatServer server =
        tlslab.net.ChatServer.builder()
            .context(TlsContexts.server(certs))
            .port(0)
            .profile(TlsProfile.MODERN)
            .maxOutboundBytes(64 << 20)
            .build()
            .start()) {
      Load load = new Load(n, o.size());
      List<ChatClient> clients = load.connect(server.port(), ctx, loops);
      try {
        Options brief = new Options(null, n, o.rate(), 2, n, 10, o.window(), o.size());
        if (o.pacedClients() > 0) { // only the loads that will be measured
          load.paced(null, 0, brief);
        }
        if (o.clients() > 0) {
          load.unpaced(null, 0, brief);
        }
      } finally {
        for (ChatClient c : clients) {
          c.closeAsync();
        }
      }
    }
  }

  private static int lineLength(Options o) {
    // "<b123> R SEQ NANOS payload\n"
    return "<b123> 1 999 ".length() + 19 + 1 + o.size() + 1;
  }

  /** One server's two runs, and what getting ready cost it. */
  record Measured(Figures cold, Figures warm, double startupCpu, double startupSeconds) {
    Figures phase(int i) {
      return i == 0 ? cold : warm;
    }
  }

  /** The report, and whether every line reached every receiver exactly once and in order. */
  public record Result(String text, boolean intact) {}

  /** Starts the server fresh, connects the clients, measures cold and then warm. */
  private static Measured measure(
      ServerProcess.Spec spec,
      Path certs,
      SSLContext ctx,
      EventLoopGroup loops,
      Options o,
      boolean paced,
      java.util.function.IntConsumer onServer) {
    int n = paced ? o.pacedClients() : o.clients();
    try (ServerProcess server = ServerProcess.start(spec, certs, ctx)) {
      onServer.accept(server.port);
      Load load = new Load(n, o.size());
      List<ChatClient> clients;
      try {
        clients = load.connect(server.port, ctx, loops);
      } catch (LabException e) {
        throw LabException.network(
            spec.name()
                + ": "
                + e.getMessage()
                + "; server said: "
                + ServerProcess.tail(server.log),
            e);
      }
      try {
        Figures cold = paced ? load.paced(server, 1, o) : load.unpaced(server, 1, o);
        Figures warm = paced ? load.paced(server, 2, o) : load.unpaced(server, 2, o);
        return new Measured(cold, warm, server.startupCpu, server.startupSeconds);
      } finally {
        for (ChatClient c : clients) {
          c.closeAsync();
        }
      }
    }
  }

  /** Prints one load's table; false if a run lost, duplicated or reordered a line. */
  private static boolean table(
      StringBuilder out, List<String> names, List<Measured> figures, double floor, boolean seed) {
    List<String> cols = new ArrayList<>();
    List<Figures> all = new ArrayList<>();
    List<String> startCpu = new ArrayList<>();
    List<String> withStart = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Measured m = figures.get(i);
      cols.add(names.get(i) + " cold");
      cols.add(names.get(i) + " warm");
      all.add(m.cold());
      all.add(m.warm());
      startCpu.add(String.format("%.2f (%.1fs)", m.startupCpu(), m.startupSeconds()));
      startCpu.add("");
      double cpu = m.startupCpu() + m.cold().serverCpu();
      withStart.add(String.format("%.2fx", m.cold().delivered() / cpu / floor));
      withStart.add("");
    }
    row(out, "", cols);
    row(out, "deliveries", map(all, f -> String.format("%,d", f.delivered())));
    row(
        out,
        "lost/dup/reordered",
        map(all, f -> (f.expected() - f.delivered()) + "/" + f.duplicated() + "/" + f.reordered()));
    row(out, "latency p50", map(all, Figures::p50));
    row(out, "latency p99", map(all, Figures::p99));
    row(out, "wall seconds", map(all, f -> String.format("%.2f", f.seconds())));
    row(out, "server CPU s", map(all, f -> String.format("%.2f", f.serverCpu())));
    row(out, "deliveries/CPU-s", map(all, f -> String.format("%,.0f", f.perCpuSecond())));
    row(out, "x floor", map(all, f -> String.format("%.2fx", f.perCpuSecond() / floor)));
    row(out, "start-up CPU (wall)", startCpu);
    row(out, "x floor, start-up in", withStart);
    for (int i = 0; i < all.size(); i++) {
      out.append(String.format("  %s CPU by thread: %s%n", cols.get(i), all.get(i).cpuSplit()));
    }
    for (int i = 0; !seed && i < all.size(); i++) { // the paced table: its goal bounds latency
      out.append(
          String.format(
              "  %s over %d ms, by second sent: %s%n",
              cols.get(i), SLOW_MS, all.get(i).slowBySecond()));
    }
    int seedAt = names.indexOf("seed");
    if (seed && seedAt >= 0) {
      List<String> ratio = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        Figures ref = figures.get(seedAt).phase(i % 2);
        ratio.add(String.format("%.2fx", all.get(i).perCpuSecond() / ref.perCpuSecond()));
      }
      row(out, "x seed (same phase)", ratio);
    }
    boolean intact = true;
    for (Figures f : all) {
      intact &= f.delivered() == f.expected() && f.duplicated() == 0 && f.reordered() == 0;
    }
    return intact;
  }

  /** Issue 16's paced goals, judged on this run's figures. */
  private static void pacedGoals(
      StringBuilder out, List<String> names, List<Measured> figures, double floor) {
    for (int i = 0; i < names.size(); i++) {
      Measured m = figures.get(i);
      out.append(
          String.format(
              "  goal %s: p99 <= 5 ms cold: %.2f ms, %s; >= 0.85x floor: cold %.2fx, warm %.2fx,"
                  + " %s%n",
              names.get(i),
              m.cold().p99ms(),
              verdict(m.cold().p99ms() <= 5),
              m.cold().perCpuSecond() / floor,
              m.warm().perCpuSecond() / floor,
              verdict(Math.min(m.cold().perCpuSecond(), m.warm().perCpuSecond()) >= 0.85 * floor)));
    }
  }

  /** Issue 16's unpaced goal: 1.5 times the seed's deliveries per CPU-second, cold and warm. */
  private static void unpacedGoals(StringBuilder out, List<String> names, List<Measured> figures) {
    int seedAt = names.indexOf("seed");
    if (seedAt < 0) {
      return;
    }
    Measured seed = figures.get(seedAt);
    for (int i = 0; i < names.size(); i++) {
      if (i == seedAt) {
        continue;
      }
      Measured m = figures.get(i);
      double cold = m.cold().perCpuSecond() / seed.cold().perCpuSecond();
      double warm = m.warm().perCpuSecond() / seed.warm().perCpuSecond();
      out.append(
          String.format(
              "  goal %s: >= 1.5x seed: cold %.2fx, warm %.2fx, %s%n",
              names.get(i), cold, warm, verdict(Math.min(cold, warm) >= 1.5)));
    }
  }

  private static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static List<String> map(
      List<Figures> all, java.util.function.Function<Figures, String> f) {
    List<String> out = new ArrayList<>();
    for (Figures x : all) {
      out.add(f.apply(x));
    }
    return out;
  }

  private static void row(StringBuilder out, String label, List<String> cells) {
    out.append(String.format("  %-20s", label));
    for (String c : cells) {
      out.append(String.format(" %12s", c));
    }
    out.append('\n');
  }

  /**
   * {@code server} of the program running now (the lab's command line, whose main class this
   * package does not name), in a JVM of its own started as the launcher starts it.
   */
  private static List<String> sameProgramServer() {
    return ServerProcess.labServerCommand(
        List.of(),
        List.of(
            "--port",
            "{port}",
            "--certs",
            "{certs}",
            "--profile",
            "modern",
            "--max-queued",
            "" + (64 << 20)));
  }

  /** N clients of one server and the counters of the current run. */
  private static final class Load {
    final int n;
    final String payload;
    final List<ChatClient> clients = new ArrayList<>();
    volatile Run run;

    Load(int n, int size) {
      this.n = n;
      this.payload = "p".repeat(size);
    }

    List<ChatClient> connect(int port, SSLContext ctx, EventLoopGroup loops) {
      Semaphore handshakes = new Semaphore(32); // handshakes in flight, so none times out
      List<CompletableFuture<ChatClient>> pending = new ArrayList<>();
      List<CompletableFuture<Void>> named = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        CompletableFuture<Void> isNamed = new CompletableFuture<>();
        named.add(isNamed);
        ChatClient c =
            ChatClient.builder()
                .host("localhost")
                .port(port)
                .context(ctx)
                .profile(TlsProfile.MODERN)
                .name("b" + i)
                .group(loops)
                .onLine(
                    line -> {
                      if (line.startsWith("<b")) {
                        Run r = run;
                        if (r != null) {
                          r.received(index, line);
                        }
                      } else if (line.startsWith("* you are now b")) {
                        isNamed.complete(null);
                      }
                    })
                .handshakeTimeout(Duration.ofSeconds(60))
                .build();
        handshakes.acquireUninterruptibly();
        CompletableFuture<ChatClient> f = c.connectAsync();
        f.whenComplete((v, e) -> handshakes.release());
        pending.add(f);
        clients.add(c);
      }
      for (int i = 0; i < n; i++) {
        try {
          pending.get(i).get(120, TimeUnit.SECONDS);
          named.get(i).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw LabException.network("bench client " + i + " could not join: " + e, e);
        }
      }
      return clients;
    }

    /** One paced run; {@code server} null (the load generator's warm-up): no CPU figures. */
    Figures paced(ServerProcess server, int id, Options o) {
      int perClient = (int) Math.round(o.rate() * o.seconds());
      Run r = new Run(id, n, perClient);
      run = r;
      long gap = (long) (1e9 / (o.rate() * n)); // lines leave evenly spread
      java.util.Map<String, Double> cpu0 = server == null ? Map.of() : server.cpuByThread();
      double process0 = server == null ? 0 : server.processCpuSeconds();
      long start = System.nanoTime();
      r.start = start;
      r.lastDelivery = start;
      for (int seq = 0; seq < perClient; seq++) {
        for (int c = 0; c < n; c++) {
          long due = start + ((long) seq * n + c) * gap;
          for (long wait; (wait = due - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
          }
          clients.get(c).send(id + " " + seq + " " + System.nanoTime() + " " + payload);
        }
      }
      return r.await(server, cpu0, process0, start);
    }

    /** One unpaced run; {@code server} null: no CPU figures. */
    Figures unpaced(ServerProcess server, int id, Options o) {
      Run r = new Run(id, n, o.messages());
      run = r;
      long perLine = n - 1;
      java.util.Map<String, Double> cpu0 = server == null ? Map.of() : server.cpuByThread();
      double process0 = server == null ? 0 : server.processCpuSeconds();
      long start = System.nanoTime();
      r.start = start;
      r.lastDelivery = start;
      for (int seq = 0; seq < o.messages(); seq++) {
        for (int c = 0; c < n; c++) {
          while (r.outstanding.get() > (long) o.window() * perLine) {
            // Park, not spin: on two cores a spinning sender would take a third of the machine.
            LockSupport.parkNanos(100_000);
            if (System.nanoTime() - r.lastDelivery > TimeUnit.SECONDS.toNanos(30)) {
              throw LabException.failed("chat bench stalled: nothing delivered for 30 s");
            }
          }
          r.outstanding.addAndGet(perLine);
          clients.get(c).send(id + " " + seq + " " + System.nanoTime() + " " + payload);
        }
      }
      return r.await(server, cpu0, process0, start);
    }
  }

  /** The counters of one measured run. */
  static final class Run {
    final int id;
    final int n;
    final int perSender;
    final long expected;
    final AtomicLong outstanding = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    final AtomicLongArray slowBySecond = new AtomicLongArray(SLOW_SECONDS);
    volatile long start;
    final int[][] maxSeq; // [receiver][sender], touched by the receiver's loop thread only
    final long[][] seen; // [receiver][sender * words + seq / 64]
    final int words;
    volatile long lastDelivery;

    Run(int id, int n, int perSender) {
      this.id = id;
      this.n = n;
      this.perSender = perSender;
      this.expected = (long) n * perSender * (n - 1);
      this.words = (perSender + 63) / 64;
      this.maxSeq = new int[n][n];
      for (int[] m : maxSeq) {
        java.util.Arrays.fill(m, -1);
      }
      this.seen = new long[n][n * words];
    }

    /** {@code <bS> RUN SEQ NANOS payload}. */
    void received(int receiver, String line) {
      long now = System.nanoTime();
      int close = line.indexOf('>');
      int sp1 = line.indexOf(' ', close + 2);
      int sp2 = line.indexOf(' ', sp1 + 1);
      int sp3 = line.indexOf(' ', sp2 + 1);
      if (Integer.parseInt(line, close + 2, sp1, 10) != id) {
        return; // a line of an earlier run: counted there as lost
      }
      int sender = Integer.parseInt(line, 2, close, 10);
      int seq = Integer.parseInt(line, sp1 + 1, sp2, 10);
      long sent = Long.parseLong(line, sp2 + 1, sp3, 10);
      int word = sender * words + seq / 64;
      long bit = 1L << (seq % 64);
      long[] s = seen[receiver];
      if ((s[word] & bit) != 0) {
        duplicated.incrementAndGet();
        return;
      }
      s[word] |= bit;
      if (seq < maxSeq[receiver][sender]) {
        reordered.incrementAndGet();
      } else {
        maxSeq[receiver][sender] = seq;
      }
      histogram.incrementAndGet((int) Math.min(BUCKETS - 1, (now - sent) / BUCKET_NANOS));
      if (now - sent > SLOW_MS * 1_000_000) {
        slowBySecond.incrementAndGet(
            (int) Math.max(0, Math.min(SLOW_SECONDS - 1, (sent - start) / 1_000_000_000L)));
      }
      delivered.incrementAndGet();
      outstanding.decrementAndGet();
      lastDelivery = now;
    }

    /**
     * Waits for the run's last delivery, then takes the server's CPU over the run from the whole
     * process ({@code /proc/PID/stat}), which keeps the CPU of threads that ended during the run
     * (the JVM retires idle compiler threads): summing the live threads' times would drop it, and
     * once made a cold run's CPU negative. The split by thread is of the live threads; what ended
     * is its own entry.
     */
    Figures await(
        ServerProcess server, java.util.Map<String, Double> cpu0, double process0, long start) {
      long idleLimit = TimeUnit.SECONDS.toNanos(10);
      while (delivered.get() + duplicated.get() < expected
          && System.nanoTime() - lastDelivery < idleLimit) {
        LockSupport.parkNanos(2_000_000);
      }
      java.util.Map<String, Double> after = server == null ? Map.of() : server.cpuByThread();
      double cpu = server == null ? 0 : server.cpuSince(process0, delivered.get());
      List<java.util.Map.Entry<String, Double>> split = new ArrayList<>();
      double live = 0;
      for (var e : after.entrySet()) {
        double d = e.getValue() - cpu0.getOrDefault(e.getKey(), 0.0);
        if (d > 0.005) {
          live += d;
          split.add(java.util.Map.entry(e.getKey(), d));
        }
      }
      // Process CPU counts in 1/100 s ticks: below that, the remainder is rounding.
      if (cpu - live > 0.02) split.add(java.util.Map.entry("threads that ended", cpu - live));
      split.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
      StringBuilder top = new StringBuilder();
      for (var e : split.subList(0, Math.min(4, split.size()))) {
        top.append(String.format("%s %.2f s; ", e.getKey(), e.getValue()));
      }
      return new Figures(
          expected,
          delivered.get(),
          duplicated.get(),
          reordered.get(),
          percentile(0.50),
          percentile(0.99),
          percentileMs(0.99),
          (lastDelivery - start) / 1e9,
          cpu,
          top.toString(),
          slowBySecond());
    }

    /** {@code "1: 120, 4: 3 (of 796,000)"}: second of the run (from 0) and count, or "none". */
    String slowBySecond() {
      StringBuilder b = new StringBuilder();
      long total = 0;
      for (int i = 0; i < SLOW_SECONDS; i++) {
        long c = slowBySecond.get(i);
        if (c > 0) {
          b.append(b.length() == 0 ? "" : ", ").append(i).append(": ").append(c);
          total += c;
        }
      }
      return total == 0
          ? "none"
          : String.format(
              "%s (%,d of %,d, %.2f%%)",
              b, total, delivered.get(), 100.0 * total / Math.max(1, delivered.get()));
    }

    private double percentileMs(double p) {
      long total = 0;
      for (int i = 0; i < BUCKETS; i++) {
        total += histogram.get(i);
      }
      long rank = (long) Math.ceil(p * total);
      long seenSoFar = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seenSoFar += histogram.get(i);
        if (seenSoFar >= rank && total > 0) {
          return (i + 1) * BUCKET_NANOS / 1e6;
        }
      }
      return Double.NaN;
    }

    private String percentile(double p) {
      double ms = percentileMs(p);
      if (Double.isNaN(ms)) {
        return "n/a";
      }
      return ms >= BUCKETS * BUCKET_NANOS / 1e6 ? ">= 1000 ms" : String.format("%.2f ms", ms);
    }
  }

  static void copyResource(String name, Path to) {
    try (InputStream in = ChatBench.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new AssertionError(name + " is missing from the build");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw LabException.environment("cannot write " + to + ": " + e.getMessage());
    }
  }

  static Path tempCerts() {
    return tempCerts(tlslab.pki.KeyType.RSA_2048);
  }

  static Path tempCerts(tlslab.pki.KeyType key) {
    try {
      Path dir = Files.createTempDirectory("lab-bench-certs");
      LabCertificates.init(InitOptions.builder().dir(dir).keyType(key).build());
      return dir;
    } catch (IOException e) {
      throw LabException.environment("cannot create a scratch folder: " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Scratch files in /tmp: not worth failing the benchmark for.
    }
  }
}
