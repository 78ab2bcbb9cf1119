package tlslab.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.common.LabException;
import tlslab.pki.KeyType;
import tlslab.tls.TlsEngine;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench handshakes}: full TLS handshakes per second, measured by {@code openssl s_time
 * -new} (one client, one connection at a time, a new session for every connection, no resumption)
 * against the lab's chat server and against {@code openssl s_server} with the same certificate and
 * key, alternating in the same run, and their ratio.
 *
 * <p>What makes the comparison fair (each point is printed with the result):
 *
 * <ul>
 *   <li>the same client for both, {@code s_time}, restricted to the profile's version and suites;
 *   <li>the same certificate, key and chain: the lab's key store holds the server certificate and
 *       the lab CA and the lab sends both, so {@code s_server} gets {@code -cert_chain ca.pem}; the
 *       negotiated protocol, suite, key-exchange group, signature scheme and the number of
 *       certificates each server sent are read with {@code openssl s_client} and printed; {@code
 *       --group} pins the group on both servers;
 *   <li>the lab server in a JVM of its own, started as {@code ./lab server} starts it (without
 *       tiered compilation), so that its CPU is read from {@code /proc} like {@code s_server}'s;
 *   <li>the same warm-up for both: {@code --warm-up} seconds of untimed handshakes against the lab,
 *       then more until its JIT compiler is quiet (code that runs once per connection is compiled
 *       only after thousands of handshakes), and as many seconds against {@code s_server};
 *   <li>one connection at a time: neither server can use a second core for a handshake;
 *   <li>the runs alternate, who goes first too, so both servers meet the same background load, and
 *       each side keeps its best run;
 *   <li>besides handshakes per wall-clock second, the servers' own CPU time per handshake (from
 *       {@code /proc}; for the lab its whole JVM: JIT and GC threads count against it), which
 *       background load on a shared machine hardly changes, the client's CPU per handshake and
 *       share of the wall time, to show whether the client limits the rate, and the lab's JIT share
 *       during the timed runs.
 * </ul>
 *
 * <p>Where a JSSE handshake's time goes is in docs/HANDSHAKES.md; the short version: on JDK 17 the
 * X25519 key exchange and the RSA signature are done in Java and cost several times what OpenSSL's
 * assembly does, so JSSE stays below {@code s_server}; {@code --engine boringssl} runs the same
 * driver over native BoringSSL.
 */
public final class HandshakeBench {
  private static final Pattern REAL = Pattern.compile("(\\d+) connections in (\\d+) real seconds");
  private static final Pattern USER = Pattern.compile("(\\d+) connections in ([0-9.]+)s;");

  /**
   * What to measure.
   *
   * @param profile the TLS profile (both servers and the client)
   * @param seconds length of each timed run
   * @param loops the lab server's event loops (0 = one per core, -1 = {@code lab server}'s default)
   * @param key the certificate key type of both servers
   * @param engine the lab server's TLS engine
   * @param group the key-exchange group to pin on both servers, or null for their own choice
   * @param rounds how many timed runs each server gets, alternating
   */
  public record Options(
      TlsProfile profile,
      int seconds,
      int loops,
      KeyType key,
      TlsEngine engine,
      String group,
      int rounds,
      int warmUpSeconds) {}

  /** One timed run of s_time against one server. */
  record Run(
      double perSecond,
      double serverCpuPerHandshakeMs,
      double clientCpuShare,
      double clientCpuPerHandshakeMs) {}

  private HandshakeBench() {}

  /** Runs with JSSE, the default group and two rounds (kept for callers of the old signature). */
  public static String run(TlsProfile profile, int seconds, int loops, KeyType key) {
    return run(new Options(profile, seconds, loops, key, TlsEngine.JSSE, null, 2, 3));
  }

  /** Runs the measurements and returns the report. */
  public static String run(Options o) {
    if (o.seconds() < 1) {
      throw LabException.badInput("--time must be >= 1 second");
    }
    if (o.warmUpSeconds() < 0) {
      throw LabException.badInput("--warm-up must be >= 0 seconds");
    }
    if (o.rounds() < 1) {
      throw LabException.badInput("--rounds must be >= 1");
    }
    if (o.loops() < -1) {
      throw LabException.badInput("--loops must be >= 0 (0 = one per core)");
    }
    if (o.profile() == TlsProfile.REPORT && !o.key().label().startsWith("rsa")) {
      throw LabException.badInput("profile report (TLS_RSA) needs an RSA key");
    }
    String group = o.group() == null ? null : parseGroup(o.group());
    Path certs = ChatBench.tempCerts(o.key());
    StringBuilder report = new StringBuilder();
    Process sServer = null;
    try (ServerProcess lab =
        ServerProcess.start(
            new ServerProcess.Spec("lab", labServer(o, group), true), certs, null)) {
      int port = freePort();
      sServer =
          new ProcessBuilder(sServerCommand(port, certs, o.profile(), group))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      awaitListening(port);
      long sServerPid = sServer.pid();
      report.append(
          String.format(
              "handshake bench: openssl s_time -new -time %d, one connection at a time, profile %s (%s), %s server key, lab engine %s, lab server in its"
                  + " own JVM as ./lab server starts it (%s)%n",
              o.seconds(),
              o.profile(),
              String.join(" ", protocolArgs(o.profile())),
              o.key().label(),
              o.engine().label(),
              System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));
      String labParams = negotiated(lab.port, o.profile());
      String sslParams = negotiated(port, o.profile());
      report.append("  negotiated, lab server:       ").append(labParams).append('\n');
      report.append("  negotiated, openssl s_server: ").append(sslParams).append('\n');
      if (!labParams.equals(sslParams)) {
        report.append(
            "  NOTE: the two servers negotiated different parameters (see above); the ratio"
                + " compares different handshakes\n");
      }
      CpuClock labCpu = () -> processCpuNanos(lab.pid());
      CpuClock sslCpu = () -> processCpuNanos(sServerPid);
      // The same untimed warm-up for both: the lab's JIT, and both servers' first-use costs.
      int warmUp = warmUp(lab, o, labCpu);
      if (warmUp > 0) {
        sTime(port, o.profile(), warmUp, sslCpu);
      }
      report.append(
          String.format(
              "  warm-up: %d s of handshakes against each server (at least --warm-up %d s, then"
                  + " until two %d s runs in a row in which the lab's JIT compiler used under %.0f%%"
                  + " of its CPU%s)%n",
              warmUp,
              o.warmUpSeconds(),
              WARM_UP_STEP,
              100 * JIT_QUIET,
              warmUp >= maxWarmUp(o) ? "; NOTE: not reached within " + warmUp + " s" : ""));
      double jit0 = jitSeconds(lab);
      double cpu0 = lab.processCpuSeconds();
      List<Run> labRuns = new ArrayList<>();
      List<Run> sslRuns = new ArrayList<>();
      for (int i = 0; i < o.rounds(); i++) {
        // Alternating which goes first, so that neither always meets the other's after-effects
        // (a closing socket's TIME_WAIT, a compiler thread finishing) first.
        if (i % 2 == 0) {
          labRuns.add(sTime(lab.port, o.profile(), o.seconds(), labCpu));
          sslRuns.add(sTime(port, o.profile(), o.seconds(), sslCpu));
        } else {
          sslRuns.add(sTime(port, o.profile(), o.seconds(), sslCpu));
          labRuns.add(sTime(lab.port, o.profile(), o.seconds(), labCpu));
        }
      }
      double jitShare = (jitSeconds(lab) - jit0) / Math.max(1e-9, lab.processCpuSeconds() - cpu0);
      Run labBest = best(labRuns);
      Run sslBest = best(sslRuns);
      report.append(line("lab server:      ", labBest, labRuns));
      report.append(line("openssl s_server:", sslBest, sslRuns));
      report.append(
          String.format(
              "  lab server's JIT compiler: %.1f%% of its CPU during the timed runs%n",
              100 * jitShare));
      report.append(
          String.format(
              "  ratio lab/openssl: %.2fx handshakes/s (goal >= 1.0x); %.2fx handshakes per server"
                  + " CPU-second%n",
              labBest.perSecond() / sslBest.perSecond(),
              sslBest.serverCpuPerHandshakeMs() / labBest.serverCpuPerHandshakeMs()));
      report.append(
          String.format(
              "  load: %.2f (1-min average over %d cores) at the end%n",
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
              Runtime.getRuntime().availableProcessors()));
      if (o.engine().limitation() != null) {
        report.append("  ").append(o.engine().limitation()).append('\n');
      }
    } catch (IOException e) {
      throw LabException.environment("cannot run openssl: " + e.getMessage());
    } finally {
      if (sServer != null) {
        sServer.destroy();
      }
      ChatBench.deleteTree(certs);
    }
    return report.toString();
  }

  /** Seconds per warm-up step after the first {@code --warm-up} seconds. */
  static final int WARM_UP_STEP = 3;

  /** The JIT is quiet when its compiler threads use less than this share of the server's CPU. */
  static final double JIT_QUIET = 0.02;

  private static int maxWarmUp(Options o) {
    return Math.max(o.warmUpSeconds(), 60);
  }

  /**
   * Warms the lab server up: {@code --warm-up} seconds of handshakes, then more in steps of {@value
   * #WARM_UP_STEP} s until two steps in a row in which its JIT compiler threads used under {@link
   * #JIT_QUIET} of its CPU (at most 60 s in all). Why: the server runs without tiered compilation
   * (as {@code ./lab server} does), so code that runs once per connection (accept, a new engine,
   * join and leave) stays interpreted until C2 compiles it after about 10,000 calls, that is 10,000
   * handshakes: seconds of time, measured at 0.9-1.1 ms of server CPU per handshake before and
   * 0.46-0.55 ms after. Returns the seconds spent, which {@code s_server} then gets too.
   */
  private static int warmUp(ServerProcess lab, Options o, CpuClock labCpu) throws IOException {
    if (o.warmUpSeconds() == 0) {
      return 0;
    }
    int spent = o.warmUpSeconds();
    int quiet = 0;
    sTime(lab.port, o.profile(), spent, labCpu);
    while (spent < maxWarmUp(o)) {
      double jit0 = jitSeconds(lab);
      double cpu0 = lab.processCpuSeconds();
      sTime(lab.port, o.profile(), WARM_UP_STEP, labCpu);
      spent += WARM_UP_STEP;
      double cpu = lab.processCpuSeconds() - cpu0;
      // Two quiet steps in a row: C2's queue may be empty for a moment and fill again.
      quiet = cpu > 0 && (jitSeconds(lab) - jit0) < JIT_QUIET * cpu ? quiet + 1 : 0;
      if (quiet == 2) {
        break;
      }
    }
    return spent;
  }

  /** CPU seconds of the server's JIT compiler threads so far (those alive now). */
  private static double jitSeconds(ServerProcess lab) {
    double sum = 0;
    for (java.util.Map.Entry<String, Double> e : lab.cpuByThread().entrySet()) {
      if (e.getKey().contains("CompilerThre")) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /**
   * {@code lab server} in a JVM of its own, started as the launcher starts it, with its defaults
   * (its warm-up before it listens, its flush delay) and the bench's profile, engine and loops;
   * {@code --group} as the JSSE property that both JSSE and netty's engine read.
   */
  static List<String> labServer(Options o, String group) {
    List<String> jvm = new ArrayList<>();
    if (group != null) {
      jvm.add("-Djdk.tls.namedGroups=" + group);
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                "{port}",
                "--certs",
                "{certs}",
                "--profile",
                o.profile().label(),
                "--engine",
                o.engine().label()));
    if (o.loops() >= 0) {
      args.addAll(List.of("--loops", String.valueOf(o.loops())));
    }
    return ServerProcess.labServerCommand(jvm, args);
  }

  /**
   * {@code openssl s_server} with the lab server's certificate and key, and the same chain: the
   * lab's key store holds the server certificate and the lab CA, and both JSSE and BoringSSL send
   * the two (RFC 8446 §4.4.2 allows leaving out the trust anchor; the lab shows the chain it has).
   * A client's work grows with the chain (it parses and checks each certificate: measured with
   * {@code s_time}, half a millisecond per handshake for the second certificate), so a comparison
   * in which only one server sends the CA compares different handshakes.
   */
  static List<String> sServerCommand(int port, Path certs, TlsProfile profile, String group) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_server",
                "-accept",
                String.valueOf(port),
                "-cert",
                certs.resolve("server.pem").toString(),
                "-key",
                certs.resolve("server.key").toString(),
                "-cert_chain",
                certs.resolve("ca.pem").toString(),
                "-quiet",
                "-naccept",
                "1000000000"));
    cmd.addAll(protocolArgs(profile));
    if (group != null) {
      cmd.addAll(List.of("-groups", openSslGroup(group)));
    }
    return cmd;
  }

  private static String line(String who, Run best, List<Run> runs) {
    StringBuilder all = new StringBuilder();
    for (Run r : runs) {
      all.append(all.length() == 0 ? "" : ", ").append(String.format("%.1f", r.perSecond()));
    }
    return String.format(
        "  %s %8.1f handshakes/s (runs: %s); server CPU %.3f ms/handshake; client CPU %.3f"
            + " ms/handshake, %.0f%% of wall time%n",
        who,
        best.perSecond(),
        all,
        best.serverCpuPerHandshakeMs(),
        best.clientCpuPerHandshakeMs(),
        100 * best.clientCpuShare());
  }

  private static Run best(List<Run> runs) {
    Run best = runs.get(0);
    for (Run r : runs) {
      if (r.perSecond() > best.perSecond()) {
        best = r;
      }
    }
    return best;
  }

  /** {@code x25519} or {@code secp256r1} (JSSE's names; also P-256). */
  static String parseGroup(String g) {
    String s = g.toLowerCase(Locale.ROOT);
    switch (s) {
      case "x25519":
        return "x25519";
      case "secp256r1":
      case "p-256":
      case "prime256v1":
        return "secp256r1";
      default:
        throw LabException.badInput("--group: x25519 or secp256r1, got '" + g + "'");
    }
  }

  private static String openSslGroup(String jsseName) {
    return jsseName.equals("x25519") ? "X25519" : "P-256";
  }

  private static List<String> protocolArgs(TlsProfile profile) {
    switch (profile) {
      case MODERN:
        return List.of(
            "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
      case REPORT:
        return List.of("-tls1_2", "-cipher", "AES128-SHA");
      case TLS13:
        // One suite for client and both servers: JSSE picks by its own order, s_server and
        // BoringSSL by the client's.
        return List.of("-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256");
      default:
        throw new AssertionError(profile);
    }
  }

  private static final Pattern S_CLIENT_FIELD =
      Pattern.compile(
          "^(Protocol version|Ciphersuite|Hash used|Signature type|Server Temp Key|Negotiated TLS1.3"
              + " group): (.*)$",
          Pattern.MULTILINE);

  /** What one {@code openssl s_client -brief} connection negotiated, as one line. */
  private static String negotiated(int port, TlsProfile profile) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-brief"));
    cmd.addAll(protocolArgs(profile));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close(); // EOF on stdin: s_client closes after the handshake
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    waitFor(p, 30);
    Matcher m = S_CLIENT_FIELD.matcher(out);
    List<String> parts = new ArrayList<>();
    while (m.find()) {
      parts.add(m.group(2).strip());
    }
    if (parts.isEmpty()) {
      return "(s_client printed no parameters)";
    }
    parts.add(certificatesSent(port, profile) + " certificate(s) sent");
    return String.join(", ", parts);
  }

  private static final Pattern CHAIN_ENTRY = Pattern.compile("^ *\\d+ s:", Pattern.MULTILINE);

  /** How many certificates the server sends (the "Certificate chain" of {@code s_client}). */
  static int certificatesSent(int port, TlsProfile profile) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    cmd.addAll(protocolArgs(profile));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    waitFor(p, 30);
    return countChainEntries(out);
  }

  /** Entries of the "Certificate chain" section of {@code s_client}'s output (" 0 s:..."). */
  static int countChainEntries(String sClientOutput) {
    int start = sClientOutput.indexOf("Certificate chain");
    if (start < 0) {
      return 0;
    }
    int end = sClientOutput.indexOf("---", start);
    Matcher m =
        CHAIN_ENTRY.matcher(sClientOutput.substring(start, end < 0 ? sClientOutput.length() : end));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** A CPU-time reading in nanoseconds. */
  private interface CpuClock {
    long nanos();
  }

  /** utime + stime of a process from /proc/PID/stat, in nanoseconds (USER_HZ = 100). */
  private static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
      return ticks * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Runs s_time and returns full handshakes per wall-clock second and the CPU figures. */
  private static Run sTime(int port, TlsProfile profile, int seconds, CpuClock server)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_time",
                "-connect",
                "127.0.0.1:" + port,
                "-new",
                "-time",
                String.valueOf(seconds)));
    cmd.addAll(protocolArgs(profile));
    long cpu0 = server.nanos();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    waitFor(p, seconds + 30L);
    long cpu1 = server.nanos();
    Matcher real = REAL.matcher(out);
    if (!real.find()) {
      throw LabException.failed("openssl s_time printed no result: " + out.strip());
    }
    long n = Long.parseLong(real.group(1));
    long secs = Long.parseLong(real.group(2));
    // s_time's "real seconds" is rounded to whole seconds: use its own -time when they agree.
    double wall = Math.max(seconds, secs);
    Matcher user = USER.matcher(out);
    double clientCpu = user.find() ? Double.parseDouble(user.group(2)) : Double.NaN;
    double serverMs = n == 0 || cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e6 / n;
    return new Run(n / wall, serverMs, clientCpu / wall, n == 0 ? Double.NaN : clientCpu * 1e3 / n);
  }

  private static void waitFor(Process p, long seconds) {
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void awaitListening(int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw LabException.environment("openssl s_server did not start listening on port " + port);
  }
}
