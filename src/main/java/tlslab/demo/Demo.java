package tlslab.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import tlslab.annotate.Annotator;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.capture.LiveCapture;
import tlslab.common.LabException;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.pki.OcspServer;
import tlslab.pki.RevocationUrls;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.RevocationPolicy;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.NssKeyLog;
import tlslab.trace.TraceEvent;

/**
 * The lab's main job in one run: the report's system rebuilt and observed from every angle.
 *
 * <p>In a temporary folder it makes a lab CA and server certificate, starts the chat server on a
 * free loopback port, starts a libpcap capture of that port, connects two clients (alice and bob)
 * that verify the server and chat, and records JSSE's own view of each handshake plus an NSS key
 * log. It then reads the capture back with the lab's annotator, decrypting it with the key log.
 * {@link DemoReport} prints the result side by side.
 *
 * <p>Everything runs in this process, so Ctrl-C (a shutdown hook calling {@link #abort()}) stops
 * the capture with a complete file and closes every connection.
 */
public final class Demo {
  /** The chat the demo plays: who says what, in order. */
  static final String ALICE_LINE = "hi bob, this line crosses the wire encrypted";

  static final String BOB_LINE = "hello alice, and only we can read it";

  private final TlsProfile profile;
  private final boolean staple;
  private final Path capturesDir;
  private final PrintWriter progress;
  private final List<AutoCloseable> open = Collections.synchronizedList(new ArrayList<>());
  private volatile LiveCapture capture;
  private volatile CompletableFuture<LiveCapture.Result> captureDone;
  private volatile tlslab.capture.TcpEnds tcpEnds;

  /** alice's connection and bob's: what a whole capture of the demo holds on the server's port. */
  private static final int CONNECTIONS = 2;

  /**
   * @param profile the TLS profile of server and clients
   * @param capturesDir where {@code demo.pcapng} (keys inside: Wireshark opens it decrypted) and
   *     {@code demo.keylog} are left
   * @param progress one line per step, as it happens
   */
  public Demo(TlsProfile profile, Path capturesDir, PrintWriter progress) {
    this(profile, false, capturesDir, progress);
  }

  /**
   * @param staple also run the lab CA's OCSP responder and have the server staple its answer (RFC
   *     6066 8): the server's first flight then carries the report's "Certificate Status", and the
   *     clients refuse the server unless that answer says "good"
   */
  public Demo(TlsProfile profile, boolean staple, Path capturesDir, PrintWriter progress) {
    this.profile = profile;
    this.staple = staple;
    this.capturesDir = capturesDir;
    this.progress = progress;
  }

  /** Runs the whole demo; the caller must have called {@code JsseSetup.prepare} first. */
  public DemoRun run() {
    Path work = tempDir();
    try {
      return runIn(work);
    } finally {
      abort();
      deleteQuietly(work);
    }
  }

  /** Stops the capture and closes every connection; safe from a shutdown hook, idempotent. */
  public void abort() {
    LiveCapture c = capture;
    if (c != null) {
      c.stop();
      try {
        c.awaitFinished(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<AutoCloseable> toClose;
    synchronized (open) {
      toClose = new ArrayList<>(open);
      open.clear();
    }
    Collections.reverse(toClose);
    for (AutoCloseable a : toClose) {
      try {
        a.close();
      } catch (Exception e) {
        // Closing during shutdown: nothing useful to do with a failure here.
      }
    }
  }

  private DemoRun runIn(Path work) {
    Path certs = work.resolve("certs");
    step("certificates: a lab CA and a server certificate for localhost (" + certs + ")");
    InitOptions.Builder init = InitOptions.builder().dir(certs);
    if (staple) {
      // The responder starts first so that the certificate can name its real port.
      OcspServer ocsp = OcspServer.start("127.0.0.1", 0, certs, Duration.ofHours(1), line -> {});
      open.add(ocsp);
      init.revocationUrls(RevocationUrls.onLoopback(ocsp.port()));
      step("OCSP: the lab CA's responder answers on http://127.0.0.1:" + ocsp.port() + "/");
    }
    LabCertificates.init(init.build());

    Path pcap = capturesDir.resolve("demo.pcapng");
    Path keyLogFile = capturesDir.resolve("demo.keylog");
    createDirectories(capturesDir);
    deleteQuietly(keyLogFile);
    List<TraceEvent> events = new CopyOnWriteArrayList<>();
    NssKeyLog keyLog = NssKeyLog.open(keyLogFile);
    HandshakeInspector inspector =
        HandshakeInspector.builder().trace(events::add).keyLog(keyLog).build();
    open.add(keyLog);
    open.add(inspector);
    HandshakeObserver observer = inspector.observer();

    ChatServer.Builder serverConfig =
        ChatServer.builder()
            .context(TlsContexts.server(certs, staple, RevocationPolicy.off()))
            .bind("127.0.0.1")
            .port(0)
            .profile(profile)
            .observers(e -> observer)
            .log(line -> {});
    ChatServer server = serverConfig.build().start();
    // A free port that Wireshark gives another dissector would make the capture open there as
    // that protocol, not TLS, and the report's sentences about Wireshark false: take another.
    for (int tries = 0; WiresharkPorts.otherDissector(server.port()) && tries < 8; tries++) {
      ChatServer taken = server;
      server = serverConfig.build().start();
      taken.close();
    }
    open.add(server);
    step("server: listening on 127.0.0.1:" + server.port() + ", profile " + profile);

    String captureProblem = startCapture(pcap, keyLogFile, server.port());

    SSLContext clientContext =
        TlsContexts.client(
            certs.resolve("ca.pem"),
            null,
            false,
            staple
                ? new RevocationPolicy(RevocationPolicy.Mode.HARD, List.of())
                : RevocationPolicy.off());
    List<String> received = new CopyOnWriteArrayList<>();
    ChatClient alice = client("alice", server.port(), clientContext, observer, received);
    ChatClient bob = client("bob", server.port(), clientContext, observer, received);
    step(
        "clients: alice and bob connected, each verified the server's certificate and name"
            + (staple ? " and its stapled OCSP answer" : ""));
    // Both are members once each has its /nick acknowledged; only then is a broadcast sure to
    // reach the other.
    awaitLine(received, l -> l.equals("alice: * you are now alice"));
    awaitLine(received, l -> l.equals("bob: * you are now bob"));
    alice.send(ALICE_LINE);
    awaitLine(received, l -> l.equals("bob: <alice> " + ALICE_LINE));
    bob.send(BOB_LINE);
    awaitLine(received, l -> l.equals("alice: <bob> " + BOB_LINE));
    step("chat: alice and bob exchanged a line each");
    String[] session = alice.sessionSummary().split(" ", 2);
    alice.close();
    bob.close();
    server.close();
    inspector.close();
    keyLog.close();

    List<Row> rows = List.of();
    List<Row> decrypted = List.of();
    List<ConnectionFacts> connections = List.of();
    Path serverKey = null;
    CaptureCheck check = null;
    if (captureProblem == null) {
      LiveCapture.Result result = stopCapture();
      step("capture: " + pcap + " (key log: " + keyLogFile + ")");
      rows = annotate(pcap, KeyMaterial.none(), null);
      List<ConnectionFacts> facts = new ArrayList<>();
      decrypted = annotate(pcap, KeyMaterial.none().withKeyLog(keyLogFile), facts);
      connections = List.copyOf(facts);
      List<CaptureCheck.Decryption> decryption = new ArrayList<>();
      for (ConnectionFacts f : facts) {
        decryption.add(
            new CaptureCheck.Decryption(f.index(), f.decryptedRecords(), f.decryptionStatus()));
      }
      check =
          new CaptureCheck(
              result == null ? null : result.stats(),
              tcpEnds.connections(),
              CONNECTIONS,
              inspector.problems(),
              decryption);
      if (!check.complete()) {
        step("capture: INCOMPLETE, see the warning below");
      }
      if (profile == TlsProfile.REPORT) {
        serverKey = capturesDir.resolve("demo-server.key");
        copyKey(certs.resolve("server.key"), serverKey);
      }
    }
    return new DemoRun(
        server.port(),
        captureProblem == null ? pcap : null,
        keyLogFile,
        rows,
        decrypted,
        List.copyOf(events),
        session[0],
        session.length > 1 ? session[1] : "",
        List.of("alice: " + ALICE_LINE, "bob: " + BOB_LINE),
        List.copyOf(received),
        serverKey,
        captureProblem,
        connections,
        check);
  }

  private ChatClient client(
      String name, int port, SSLContext ctx, HandshakeObserver observer, List<String> received) {
    ChatClient c =
        ChatClient.builder()
            .host("localhost")
            .port(port)
            .context(ctx)
            .profile(profile)
            .name(name)
            .observers(e -> observer)
            .onLine(line -> received.add(name + ": " + line))
            .handshakeTimeout(Duration.ofSeconds(10))
            // Either end's port can make Wireshark read the connection as another protocol.
            .localPortAllowed(p -> !WiresharkPorts.otherDissector(p))
            .build();
    open.add(c);
    return c.connect();
  }

  /** Starts capturing the server's port; returns why it could not, or null when it runs. */
  private String startCapture(Path pcap, Path keyLog, int port) {
    // pcapng with the key log inside (Decryption Secrets Block): one file that Wireshark opens
    // decrypted. The key log is closed before the capture stops, so every line is in the file.
    LiveCapture c =
        new LiveCapture(
            new LiveCapture.Options("lo", "tcp port " + port, pcap, 0, 0).withKeyLog(keyLog));
    // Which connections the file holds from SYN to the last ACK: the end of the demo waits on
    // it, and CaptureCheck reports what is missing.
    tcpEnds = c.trackTcpEnds();
    StringWriter ignored = new StringWriter();
    CompletableFuture<LiveCapture.Result> done =
        CompletableFuture.supplyAsync(
            () -> c.run(new PrintWriter(ignored)),
            r -> {
              Thread t = new Thread(r, "demo-capture");
              t.setDaemon(true);
              t.start();
            });
    capture = c;
    captureDone = done;
    try {
      if (c.awaitOpened(10_000)) {
        step("capture: libpcap is recording tcp port " + port + " on lo");
        return null;
      }
      done.get(1, TimeUnit.SECONDS);
      return "the capture stopped before it started";
    } catch (java.util.concurrent.ExecutionException e) {
      capture = null;
      String why = e.getCause() instanceof LabException ? e.getCause().getMessage() : e.toString();
      step("capture: not possible here (" + why + "); the demo goes on without it");
      return why;
    } catch (java.util.concurrent.TimeoutException e) {
      capture = null;
      return "the capture did not start within 10 s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted");
    }
  }

  /**
   * Stops the capture once it holds the end of both connections, and says what it holds: the
   * sockets are closed by now, but their last packets (FIN, the last ACK) reach libpcap a moment
   * later, and a loaded machine can stretch that moment. So wait for those packets themselves (at
   * most 10 s), not for a fixed pause; whatever is still missing then is reported, not hidden.
   */
  private LiveCapture.Result stopCapture() {
    LiveCapture c = capture;
    LiveCapture.Result result = null;
    try {
      c.awaitTcpClosed(CONNECTIONS, 10_000);
      c.stop();
      if (c.awaitFinished(10_000)) result = captureDone.get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      String why = e.getCause() instanceof LabException ? e.getCause().getMessage() : e.toString();
      throw LabException.failed("the capture failed: " + why);
    } catch (java.util.concurrent.TimeoutException e) {
      // CaptureCheck reports counters that could not be read
    }
    capture = null;
    return result;
  }

  /** The demo's own capture: notes with the report's corrections; facts go to {@code facts}. */
  private static List<Row> annotate(Path pcap, KeyMaterial keys, List<ConnectionFacts> facts) {
    Annotator annotator = new Annotator(keys, new Annotator.Options(true, false, true, false));
    List<Row> rows = new ArrayList<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(pcap)) {
      while (r.next(f)) {
        rows.add(annotator.annotate(f).copy());
      }
    }
    if (facts != null) facts.addAll(annotator.facts());
    return rows;
  }

  /** Copies the demo's throw-away server key, owner-only like every key the lab writes. */
  private static void copyKey(Path from, Path to) {
    try {
      Files.deleteIfExists(to);
      Files.createFile(
          to,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.write(to, Files.readAllBytes(from));
    } catch (IOException e) {
      throw LabException.badInput(to + ": cannot write (" + e.getMessage() + ")");
    }
  }

  private static void awaitLine(List<String> received, Predicate<String> wanted) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (received.stream().anyMatch(wanted)) {
        return;
      }
      sleep(10);
    }
    throw LabException.failed("the chat did not deliver a line within 10 s; received: " + received);
  }

  private void step(String line) {
    progress.println("  · " + line);
    progress.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("tlslab-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw LabException.badInput(dir + ": cannot create (" + e.getMessage() + ")");
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      if (Files.isDirectory(p)) {
        try (var walk = Files.walk(p)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(Demo::deleteOne);
        }
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary folder left behind is harmless.
    }
  }

  private static void deleteOne(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // See deleteQuietly.
    }
  }
}
