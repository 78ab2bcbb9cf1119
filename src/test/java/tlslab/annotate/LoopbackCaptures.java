package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: real TLS sessions between {@code openssl s_server} and {@code openssl s_client} on
 * loopback, captured by {@code tcpdump -i lo}. Captures are made once per JVM and shared by the
 * parity, decryption and fuzz tests (they are the expensive part).
 */
final class LoopbackCaptures {
  /** A capture file, the server port (for tshark's "-d tcp.port==P,tls") and its secrets. */
  record Capture(String name, Path file, int port, Path keylog, Path serverKey) {}

  /**
   * Captures by name, each made once: a name's first caller makes it, callers meanwhile wait for
   * that one (other names are made at the same time, see {@link #prepare}).
   */
  private static final Map<String, CompletableFuture<Capture>> CACHE = new ConcurrentHashMap<>();

  /** tshark's rows by capture file and options, each run once (see {@link #tshark}). */
  private static final Map<List<String>, CompletableFuture<List<String[]>>> TSHARK =
      new ConcurrentHashMap<>();

  /** Makes one capture (or runs one tshark) for {@link #once}. */
  interface Make<T> {
    T make() throws Exception;
  }

  /**
   * The value cached under {@code key}, made by {@code make} if no one made it or is making it:
   * concurrent callers of one key wait for the first one's result; a failure is not kept (the next
   * caller tries again) and reaches every caller that waited for it.
   */
  static <K, T> T once(Map<K, CompletableFuture<T>> cache, K key, Make<T> make)
      throws IOException, InterruptedException {
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> theirs = cache.putIfAbsent(key, mine);
    if (theirs == null) {
      try {
        mine.complete(make.make());
      } catch (Throwable t) {
        cache.remove(key, mine);
        mine.completeExceptionally(t);
      }
      theirs = mine;
    }
    try {
      return theirs.get();
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof IOException io) throw io;
      if (t instanceof InterruptedException ie) throw ie;
      if (t instanceof RuntimeException re) throw re;
      if (t instanceof Error err) throw err;
      throw new IOException(t);
    }
  }

  private static Capture cached(String name, Make<Capture> make)
      throws IOException, InterruptedException {
    return once(CACHE, name, make);
  }

  /** Threads that make captures ahead of the tests that read them (see {@link #prepare}). */
  private static final ExecutorService PREPARE =
      Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "capture-prepare");
            t.setDaemon(true);
            return t;
          });

  /**
   * Starts {@code work} (making captures, running tshark on them) on a few threads and returns at
   * once: a test class calls it with everything its cases will ask for, so that sessions which
   * mostly wait (for a handshake, for tcpdump) wait at the same time, each on a port of its own. A
   * case that asks for a capture still being made waits for it; one not started yet is made by the
   * case itself. What fails here is made again by the case that needs it, which then fails with its
   * own error (the first one is printed).
   */
  static void prepare(List<? extends Make<?>> work) {
    for (Make<?> w : work) {
      PREPARE.execute(
          () -> {
            try {
              w.make();
            } catch (Exception | AssertionError e) {
              System.out.println("made ahead, failed (the test that needs it tries again): " + e);
            }
          });
    }
  }

  private static Path dir;
  private static Path cert;
  private static Path key;
  private static Path clientCert;
  private static Path clientKey;

  private LoopbackCaptures() {}

  static synchronized Path dir() throws IOException, InterruptedException {
    if (dir == null) {
      dir = Files.createTempDirectory("tlslab-captures");
      Path d = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
      cert = dir.resolve("server.pem");
      key = dir.resolve("server.key");
      clientCert = dir.resolve("client.pem");
      clientKey = dir.resolve("client.key");
      run(
          List.of(
              "openssl",
              "req",
              "-x509",
              "-newkey",
              "rsa:2048",
              "-nodes",
              "-keyout",
              key.toString(),
              "-out",
              cert.toString(),
              "-subj",
              "/CN=localhost",
              "-days",
              "2"));
      run(
          List.of(
              "openssl",
              "req",
              "-x509",
              "-newkey",
              "rsa:2048",
              "-nodes",
              "-keyout",
              clientKey.toString(),
              "-out",
              clientCert.toString(),
              "-subj",
              "/CN=lab-client",
              "-days",
              "2"));
    }
    return dir;
  }

  static Path serverKey() throws IOException, InterruptedException {
    dir();
    return key;
  }

  /**
   * An {@code openssl s_server} command on {@code port} with the lab's server certificate and key,
   * then {@code options}; a list the caller may add to.
   */
  static List<String> sServer(int port, String... options)
      throws IOException, InterruptedException {
    dir();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_server",
                "-accept",
                Integer.toString(port),
                "-cert",
                cert.toString(),
                "-key",
                key.toString()));
    cmd.addAll(List.of(options));
    return cmd;
  }

  /**
   * One openssl session (or several, for resumption) captured on lo.
   *
   * @param serverArgs extra s_server arguments
   * @param clientArgs extra s_client arguments, one list per client connection
   * @param snaplen tcpdump -s value (0 = default)
   */
  static Capture openssl(String name, String serverArgs, List<String> clientArgs, int snaplen)
      throws IOException, InterruptedException {
    return openssl(name, serverArgs, clientArgs, snaplen, "lo", "127.0.0.1");
  }

  /**
   * As above on interface {@code iface} ("any" gives Linux cooked v2), connecting to {@code host}.
   */
  static Capture openssl(
      String name,
      String serverArgs,
      List<String> clientArgs,
      int snaplen,
      String iface,
      String host)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path d = dir();
          int port;
          try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
          }
          Path pcap = d.resolve(name + ".pcap");
          Path keylog = d.resolve(name + ".keylog");
          Process dump = tcpdump(pcap, iface, snaplen, port);
          List<String> srv = sServer(port, "-keylogfile", keylog.toString());
          if (host.contains(":")) srv.add("-6");
          srv.addAll(split(serverArgs.replace("CLIENT_CA", clientCert.toString())));
          Process server = new ProcessBuilder(srv).redirectErrorStream(true).start();
          try {
            Lines serverSays = new Lines(server.getInputStream(), "s_server");
            int seen = serverSays.await("ACCEPT", 0);
            Path sess = d.resolve(name + ".sess");
            for (String ca : clientArgs) {
              List<String> cli =
                  new ArrayList<>(
                      List.of(
                          "openssl",
                          "s_client",
                          "-connect",
                          (host.contains(":") ? "[" + host + "]" : host) + ":" + port));
              boolean big = ca.contains("BIGDATA"); // a 40 KB message: several full-size records
              ca = ca.replace("BIGDATA", "");
              cli.addAll(
                  split(
                      ca.replace("SESS", sess.toString())
                          .replace("CLIENT_CERT", clientCert.toString())
                          .replace("CLIENT_KEY", clientKey.toString())));
              Process client = new ProcessBuilder(cli).redirectErrorStream(true).start();
              Lines clientSays = new Lines(client.getInputStream(), "s_client");
              // Each step waits for the one before it to have happened, so that the session's
              // messages come in the same order however slowly the machine runs: s_client reads
              // its input once its handshake is done, the server answers once it has printed the
              // client's whole line, and the client's input ends once it has printed the answer.
              String line = big ? "x".repeat(40_000) : "hello from client";
              OutputStream cin = client.getOutputStream();
              cin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
              cin.flush();
              seen = serverSays.await(line, seen);
              OutputStream sin = server.getOutputStream();
              sin.write("hello from server\n".getBytes(StandardCharsets.US_ASCII));
              sin.flush();
              clientSays.await("hello from server", 0);
              cin.close(); // s_client sends close_notify and exits on end of input
              assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("s_client exits").isTrue();
            }
            awaitEnds(pcap, clientArgs.size());
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
            dump.destroy(); // SIGTERM: tcpdump flushes and closes the file
            dump.waitFor(5, TimeUnit.SECONDS);
          }
          return new Capture(name, pcap, port, keylog, key);
        });
  }

  /**
   * Starts tcpdump on {@code iface} for TCP port {@code port} into {@code pcap} ({@code snaplen}
   * bytes per frame, 0: all) and returns once it says it is listening.
   *
   * <p>-B 65536: a 64 MiB kernel buffer (tcpdump's default is 2 MiB), as lab capture's default. On
   * a loaded machine tcpdump runs late, and a burst of 64 KB loopback segments (a download)
   * overflowed 2 MiB: "38 packets dropped by kernel", measured. Immediate mode: without it libpcap
   * hands packets over in blocks, once a second, and a session shorter than that is lost when
   * tcpdump is stopped ("86 packets received by filter, 0 packets captured").
   *
   * <p>tcpdump prints "listening on" after pcap_activate and pcap_setfilter: from then on the
   * kernel queues every matching packet for it, so a connection opened after the line has its SYN
   * in the file (no pause needed; {@link #awaitEnds} checks each capture has it).
   */
  private static Process tcpdump(Path pcap, String iface, int snaplen, int port)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "tcpdump",
                "-B",
                "65536",
                "-i",
                iface,
                "--immediate-mode",
                "-U",
                "-n",
                "-w",
                pcap.toString()));
    if (snaplen > 0) cmd.addAll(List.of("-s", Integer.toString(snaplen)));
    cmd.add("tcp port " + port);
    Process dump = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    awaitLine(dump, true, "listening on");
    return dump;
  }

  /**
   * Runs {@code cmd} (curl, headless Chromium) with its key log in SSLKEYLOGFILE until it and every
   * process it started have ended, at most {@code seconds}; it must exit 0 and leave a key log.
   * Chromium's network service, a child process, writes the key log: waiting for the first process
   * alone may miss its last lines.
   */
  static void runWithKeyLog(List<String> cmd, Path keylog, int seconds) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("SSLKEYLOGFILE", keylog.toString());
    Process p = pb.start();
    java.util.Set<ProcessHandle> family = new java.util.HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (p.isAlive() && System.nanoTime() < deadline) {
      p.descendants().forEach(family::add);
      p.waitFor(100, TimeUnit.MILLISECONDS);
    }
    if (p.isAlive()) {
      p.destroyForcibly();
      throw new AssertionError(cmd.get(0) + " did not finish in " + seconds + " s");
    }
    for (ProcessHandle h : family) {
      h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
    assertThat(keylog).as("key log of " + cmd.get(0)).isNotEmptyFile();
  }

  /** Something that talks TLS on a loopback port while tcpdump records it. */
  interface PortAction {
    /** Runs the session(s) against 127.0.0.1:{@code port}; may return a key log, or null. */
    Path run(int port) throws Exception;
  }

  /**
   * Captures whatever {@code action} does on a free loopback port - the hook for adding captures of
   * the lab's own server and client to the parity test in one line: {@code capture("lab-chat", ()
   * -> LoopbackCaptures.around("lab-chat", port -> ...))}.
   */
  static Capture around(String name, PortAction action) throws Exception {
    return around(name, 0, action);
  }

  /** As {@link #around(String, PortAction)}, keeping {@code snaplen} bytes per frame (0: all). */
  static Capture around(String name, int snaplen, PortAction action)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path d = dir();
          int port;
          try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
          }
          Path pcap = d.resolve(name + ".pcap");
          Process dump = tcpdump(pcap, "lo", snaplen, port);
          Path keylog;
          try {
            keylog = action.run(port);
            awaitEnds(pcap, 1);
          } finally {
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);
          }
          return new Capture(name, pcap, port, keylog, key);
        });
  }

  /** An existing capture file (e.g. from `lab capture`), with the server port tshark needs. */
  static Capture file(String name, Path pcap, int port, Path keylog) {
    return new Capture(name, pcap, port, keylog, null);
  }

  /** Derives a capture by rewriting another one's frames (split, drop). */
  static Capture derived(String name, Capture from, PcapRewriter.Rewrite rewrite)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          PcapRewriter.rewrite(from.file(), out, rewrite);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /**
   * The same capture with the start of one data segment overwritten (see {@link
   * PcapRewriter#patchPayload}).
   */
  static Capture patched(String name, Capture from, int which, byte[] bytes)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          PcapRewriter.patchPayload(from.file(), out, which, bytes);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /** Rewrites one capture file into another (see {@link PcapRewriter}). */
  interface Transform {
    void apply(Path in, Path out) throws IOException;
  }

  /** {@code from} rewritten by {@code t}, with its port and secrets. */
  static Capture transformed(String name, Capture from, Transform t)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          t.apply(from.file(), out);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /** The same capture without its first {@code n} frames. */
  static Capture startingAt(String name, Capture from, int n)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          PcapRewriter.dropFirst(from.file(), out, n);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /** Reorders or duplicates one data segment (see {@link PcapRewriter#reorder}). */
  static Capture reordered(String name, Capture from, int k, boolean duplicate)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          PcapRewriter.reorder(from.file(), out, k, duplicate);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /** A capture written by code (e.g. the benchmark's JSSE sessions). */
  interface Writer {
    void write(Path file) throws IOException;
  }

  static Capture generated(String name, int port, Writer w)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = dir().resolve(name + ".pcap");
          w.write(out);
          return new Capture(name, out, port, null, null);
        });
  }

  /**
   * A pcapng of {@code from} with its key log stored inside as a Decryption Secrets Block, by
   * Wireshark's {@code editcap --inject-secrets tls,KEYLOG}.
   */
  static Capture injectSecrets(String name, Capture from) throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcapng");
          run(
              List.of(
                  "editcap",
                  "--inject-secrets",
                  "tls," + from.keylog(),
                  from.file().toString(),
                  out.toString()));
          return new Capture(name, out, from.port(), null, null);
        });
  }

  /** Converts with Wireshark's editcap (-F pcapng, nsecpcap...). */
  static Capture editcap(String name, Capture from, String format)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".cap");
          run(List.of("editcap", "-F", format, from.file().toString(), out.toString()));
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /** Re-encapsulates (raw IP, Linux cooked v1) and/or byte-swaps a capture. */
  static Capture relinked(String name, Capture from, int linkType, boolean bigEndian)
      throws IOException, InterruptedException {
    return cached(
        name,
        () -> {
          Path out = from.file().resolveSibling(name + ".pcap");
          PcapRewriter.relink(from.file(), out, linkType, bigEndian);
          return new Capture(name, out, from.port(), from.keylog(), from.serverKey());
        });
  }

  /**
   * Runs tshark's column output; each line is frame number, protocol, info (and data.data). tshark
   * reads a capture file with given options the same way every time, so each command runs once per
   * JVM: the classes that compare against one capture share its rows (see {@link #prepare}).
   */
  static List<String[]> tshark(Capture c, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of("tshark", "-r", c.file().toString(), "-d", "tcp.port==" + c.port() + ",tls"));
    cmd.addAll(List.of(extra));
    cmd.addAll(
        List.of(
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.col.Protocol",
            "-e",
            "_ws.col.Info",
            "-e",
            "data.data"));
    return once(TSHARK, List.copyOf(cmd), () -> runTshark(cmd));
  }

  private static List<String[]> runTshark(List<String> cmd)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split("\t", -1);
        if (f.length >= 3) rows.add(f);
      }
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("tshark exit code").isZero();
    return java.util.Collections.unmodifiableList(rows);
  }

  /**
   * Waits until {@code p} prints a line containing {@code marker} (on stderr or stdout), at most a
   * minute, and keeps reading what it prints so that it never blocks on a full pipe.
   */
  static void awaitLine(Process p, boolean stderr, String marker) throws IOException {
    Lines lines =
        new Lines(
            stderr ? p.getErrorStream() : p.getInputStream(),
            p.info().command().orElse("a process"));
    try {
      lines.await(marker, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for '" + marker + "'");
    }
  }

  /**
   * What a process prints, line by line, read by a thread of its own (so that the process never
   * blocks on a full pipe) and kept, so that a test waits for what it printed instead of sleeping.
   */
  static final class Lines {
    /** How long {@link #await} waits: a generous bound for a loaded machine, not a pace. */
    static final long WAIT_SECONDS = 60;

    private final List<String> lines = new ArrayList<>();
    private final String what;
    private boolean ended;

    Lines(java.io.InputStream in, String what) {
      this.what = what;
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) add(line);
                } catch (IOException e) {
                  // the process ended
                } finally {
                  end();
                }
              },
              "lines of " + what);
      t.setDaemon(true);
      t.start();
    }

    private synchronized void add(String line) {
      lines.add(line);
      notifyAll();
    }

    private synchronized void end() {
      ended = true;
      notifyAll();
    }

    /**
     * Waits until a line from the {@code from}-th on contains {@code marker} and returns the index
     * after it; throws when the process ends without printing it or after {@link #WAIT_SECONDS}.
     */
    synchronized int await(String marker, int from) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      for (int i = from; ; ) {
        for (; i < lines.size(); i++) if (lines.get(i).contains(marker)) return i + 1;
        long left = deadline - System.nanoTime();
        if (ended || left <= 0) {
          String shown = marker.length() > 40 ? marker.substring(0, 40) + "..." : marker;
          throw new IOException(
              what
                  + (ended ? " ended" : " went on for " + WAIT_SECONDS + " s")
                  + " without printing '"
                  + shown
                  + "'; its last lines: "
                  + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /**
   * Waits until tcpdump's file {@code pcap} holds at least {@code connections} TCP connections,
   * every one whole from its SYN to its end (both FINs and the last ACK, or an RST), at most {@link
   * Lines#WAIT_SECONDS}, before tcpdump is stopped: stopping after a fixed pause lost the last
   * packets on a loaded machine. tcpdump writes each packet as it gets it (-U).
   */
  static void awaitEnds(Path pcap, int connections) throws IOException, InterruptedException {
    tlslab.capture.CaptureFiles.awaitWhole(pcap, connections, Lines.WAIT_SECONDS);
  }

  private static void deleteTree(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory left behind is harmless
    }
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    for (String p : s.trim().split("\\s+")) if (!p.isEmpty()) out.add(p);
    return out;
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
  }
}
