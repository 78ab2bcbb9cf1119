package tlslab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tlslab.common.LabException;

/**
 * A chat server under test, in its own process, so that its CPU time can be read apart from the
 * load generator's: its CPU time and that of its descendants (a wrapper script's child), from
 * {@code /proc/PID/stat}, and per thread from {@code /proc/PID/task/}{@code TID/schedstat}
 * (nanoseconds, Linux).
 */
final class ServerProcess implements AutoCloseable {
  /**
   * How to start a server.
   *
   * @param name shown in the report
   * @param command the command; {@code {port}}, {@code {certs}} (a {@code lab certs init} folder)
   *     and {@code {cert}} (its combined {@code cert.pem}) are replaced
   */
  record Spec(String name, List<String> command, boolean saysListening) {
    Spec(String name, List<String> command) {
      this(name, command, false);
    }

    /** {@code NAME=COMMAND WORDS}, as given to {@code --server}. */
    static Spec parse(String s) {
      int eq = s.indexOf('=');
      if (eq <= 0 || eq == s.length() - 1) {
        throw LabException.badInput(
            "--server wants NAME=COMMAND (with {port}, {certs} or {cert}), got: " + s);
      }
      return new Spec(s.substring(0, eq), List.of(s.substring(eq + 1).trim().split("\\s+")));
    }
  }

  final String name;
  private final Process process;
  final int port;
  final Path log;

  /** CPU seconds the server spent from its start until it was ready (JVM start, warm-up). */
  double startupCpu;

  /** Wall seconds from its start until it was ready. */
  double startupSeconds;

  private ServerProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the server and waits until it accepts connections. */
  static ServerProcess start(Spec spec, Path certs, javax.net.ssl.SSLContext ctx) {
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    for (String w : spec.command()) {
      cmd.add(
          w.replace("{port}", "" + port)
              .replace("{certs}", certs.toString())
              .replace("{cert}", certs.resolve("cert.pem").toString()));
    }
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(certs.resolve(spec.name() + ".log").toFile())
              .start();
    } catch (IOException e) {
      throw LabException.environment("cannot start " + spec.name() + ": " + e.getMessage());
    }
    long t0 = System.nanoTime();
    ServerProcess s = new ServerProcess(spec.name(), p, port, certs.resolve(spec.name() + ".log"));
    long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw LabException.environment(
            spec.name()
                + " exited with "
                + p.exitValue()
                + " before listening: "
                + cmd
                + "; its output: "
                + tail(certs.resolve(spec.name() + ".log")));
      }
      // A server that says "listening" (the lab's and the seed both do) is ready when it says
      // so: the lab server binds, warms up, and only then accepts and says it. Others: when a
      // TLS handshake completes, not a mere TCP connect, which the kernel's listen backlog
      // answers as soon as the port is bound (a JVM that warms up before accepting would
      // otherwise be measured while it warms up).
      if (tail(s.log).contains("listening")) {
        return s.ready(t0);
      }
      if (!spec.saysListening() && handshakes(port, ctx, deadline)) {
        return s.ready(t0);
      }
      sleep(50);
    }
    s.close();
    throw LabException.environment(spec.name() + " did not listen on port " + port + " in 30 s");
  }

  /**
   * The JVM options {@code ./lab server} starts the chat server with, so that a benchmark measures
   * the server users run. They are kept in one place, the resource {@code server-jvm.options} (one
   * option per line), which the launcher hands to {@code java} as an argument file ({@code @FILE})
   * and this class reads. What each is for (measurements in {@code docs/CHAT-SPEED.md}):
   *
   * <ul>
   *   <li>{@code -XX:-TieredCompilation}: the warm-up brings the hot path straight to C2 before the
   *       server accepts, where tiered C1 profiling left C2 recompiling it in the first seconds of
   *       real load;
   *   <li>{@code -XX:PerMethodTrapLimit=0 -XX:PerBytecodeTrapLimit=0}: C2 compiles every branch and
   *       type it has not seen instead of a trap that throws the compiled code away when one is
   *       first taken. Without them the first real clients deoptimized the warmed-up hot path (JFR
   *       showed 180 deoptimizations, mostly branches of the handshake and join paths that the
   *       warm-up's profile had never seen), and C2 spent 1 to 2 CPU-seconds recompiling it while
   *       the clients waited: 30 to 60 ms p99 latency and two thirds of the warm throughput in the
   *       first seconds ({@code lab bench chat}, before and after);
   *   <li>{@code -XX:-UseTypeSpeculation}: the trap limits do not cover C2's speculation on the
   *       types and nulls a profile has seen. The warm-up never found the buffer pool empty, so C2
   *       assumed {@code BufferPool.acquire} always got a pooled buffer; 200 real clients emptied
   *       it, and {@code TlsDriver.wrap}, {@code readMore} and {@code readAndUnwrap}, the hot path
   *       itself, were thrown away and ran interpreted until C2 had compiled them again (about 0.9
   *       s, JIT log). Without speculation, the hot path is no longer thrown away after the server
   *       starts listening (four runs with the JIT log).
   * </ul>
   */
  static final List<String> LAB_SERVER_JVM_OPTIONS = serverJvmOptions();

  private static List<String> serverJvmOptions() {
    try (InputStream in = ServerProcess.class.getResourceAsStream("server-jvm.options")) {
      if (in == null) {
        throw new AssertionError("server-jvm.options is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::trim)
          .filter(l -> !l.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The server's process id. */
  long pid() {
    return process.pid();
  }

  /**
   * {@code server ARGS} of the program running now (the lab's command line, whose main class this
   * package does not name), in a JVM of its own started as the launcher ({@code ./lab}) starts
   * {@code lab server}: {@link #LAB_SERVER_JVM_OPTIONS}, the same module and TLS options, and
   * {@code jvmOptions} after those.
   */
  static List<String> labServerCommand(List<String> jvmOptions, List<String> serverArgs) {
    String command = System.getProperty("sun.java.command", "").trim();
    if (command.isEmpty()) {
      throw LabException.environment("cannot tell how to start the lab server (no main class)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(LAB_SERVER_JVM_OPTIONS); // as ./lab starts the server
    cmd.addAll(
        List.of(
            "--add-opens",
            "java.base/sun.security.ssl=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Djdk.tls.rejectClientInitiatedRenegotiation=true"));
    if (System.getProperty("lab.home") != null) {
      cmd.add("-Dlab.home=" + System.getProperty("lab.home"));
    }
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), command.split("\\s+")[0]));
    cmd.add("server");
    cmd.addAll(serverArgs);
    return cmd;
  }

  /** Notes what getting ready cost: all the CPU the process used so far, threads ended included. */
  private ServerProcess ready(long t0) {
    startupSeconds = (System.nanoTime() - t0) / 1e9;
    startupCpu = processCpuSeconds();
    return this;
  }

  /**
   * CPU seconds of the server so far: {@code utime + stime} of {@code /proc/PID/stat} (clock ticks
   * of 1/100 s), which unlike the per-thread figures also holds threads that ended, such as a
   * warm-up's; plus {@code cutime + cstime}, the children it waited for; over the process and its
   * live descendants, so that a command that runs the server under a shell or a wrapper ({@code sh
   * -c}, a script that does not {@code exec}) is measured, not the wrapper's idle process.
   */
  double processCpuSeconds() {
    double sum = 0;
    for (long pid : tree()) {
      Path stat = Path.of("/proc", "" + pid, "stat");
      try {
        String s = Files.readString(stat, StandardCharsets.US_ASCII);
        // The command name (field 2) may hold spaces: fields are counted after its ')'.
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long ticks = 0;
        for (int i = 11; i <= 14; i++) {
          ticks += Long.parseLong(f[i]);
        }
        sum += ticks / 100.0;
      } catch (IOException | RuntimeException e) {
        if (pid == process.pid()) {
          throw LabException.environment("cannot read " + stat + ": " + e.getMessage());
        }
        // A descendant that ended between the listing and the read: its parent's cutime has it.
      }
    }
    return sum;
  }

  /**
   * The server's CPU seconds since it had used {@code before}, for work that delivered {@code
   * delivered} lines. Throws if none can be seen: deliveries per CPU-second would be infinite, and
   * every goal "met".
   */
  double cpuSince(double before, long delivered) {
    double cpu = processCpuSeconds() - before;
    if (delivered > 0 && cpu < 0.01) {
      throw LabException.environment(
          name
              + " delivered "
              + delivered
              + " lines on no measurable CPU: its command must run the server in the process it"
              + " starts or a descendant (one that hands it to a daemon cannot be measured)");
    }
    return cpu;
  }

  /** The server's process id, then those of its live descendants. */
  private List<Long> tree() {
    List<Long> pids = new ArrayList<>();
    pids.add(process.pid());
    process.descendants().forEach(h -> pids.add(h.pid()));
    return pids;
  }

  /** Whether a TLS handshake with the server completes before the deadline. */
  private static boolean handshakes(int port, javax.net.ssl.SSLContext ctx, long deadline) {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 200);
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      tcp.setSoTimeout((int) Math.max(1, left));
      try (javax.net.ssl.SSLSocket tls =
          (javax.net.ssl.SSLSocket)
              ctx.getSocketFactory().createSocket(tcp, "localhost", port, false)) {
        tls.startHandshake();
        return true;
      }
    } catch (IOException e) {
      return false; // not yet (or not at all: the deadline says when to give up)
    }
  }

  /** CPU time of every thread of the server so far, in seconds. */
  double cpuSeconds() {
    return cpuByThread().values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * CPU seconds so far per kind of thread: the name without digits ("C2 CompilerThre" for the JIT,
   * "GC Thread#" for the collector, "chat-server-loop-" for the lab's event loops).
   */
  java.util.Map<String, Double> cpuByThread() {
    java.util.Map<String, Double> out = new java.util.TreeMap<>();
    for (long pid : tree()) {
      threadsOf(pid, out);
    }
    return out;
  }

  private void threadsOf(long pid, java.util.Map<String, Double> out) {
    Path tasks = Path.of("/proc", "" + pid, "task");
    try (Stream<Path> ts = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) ts::iterator) {
        try (InputStream in = Files.newInputStream(t.resolve("schedstat"))) {
          String s = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
          double secs = Long.parseLong(s.substring(0, s.indexOf(' '))) / 1e9;
          String comm = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "");
          out.merge(comm, secs, Double::sum);
        } catch (IOException | RuntimeException gone) {
          // A thread that ended between the listing and the read.
        }
      }
    } catch (IOException e) {
      if (pid == process.pid()) {
        throw LabException.environment("cannot read " + tasks + ": " + e.getMessage());
      }
      // A descendant that ended between the listing and the read.
    }
  }

  /**
   * Stops the server and its descendants: a wrapper script that does not {@code exec} would
   * otherwise leave the real server running, listening and using CPU, after the bench.
   */
  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    process.descendants().forEach(all::add);
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : all) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        h.destroyForcibly();
      } catch (InterruptedException e) {
        all.forEach(ProcessHandle::destroyForcibly);
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The last lines the server printed (it writes them to NAME.log in the scratch folder). */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no output)";
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw LabException.environment("no free port: " + e.getMessage());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
