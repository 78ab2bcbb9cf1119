package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import picocli.CommandLine;
import tlslab.capture.LiveCapture;
import tlslab.cli.Main;
import tlslab.mitm.Interceptor;
import tlslab.mitm.MitmLog;
import tlslab.mitm.RecordRelay;
import tlslab.mitm.TamperMode;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.JsonLinesTrace;
import tlslab.trace.NssKeyLog;

/**
 * Exercises 6 (part B) and 8 done as their markdown says, with the lab's real pieces: the student's
 * server, {@code lab mitm} (its library classes, with the options the command builds), a libpcap
 * capture of both legs, {@code lab client} for the refusal, the insecure chat client, openssl
 * s_client with the exercise's no-EMS configuration. Made once per JVM (root: it captures).
 */
final class MitmWork {
  static final String NAME = "alice";
  static final String SECRET = "my password is hunter2";

  private static MitmWork instance;

  final Path root;
  final Path work;

  private MitmWork(Path root) {
    this.root = root;
    this.work = root.resolve("work");
  }

  static synchronized MitmWork get() {
    if (instance == null) {
      try {
        Path root = Files.createTempDirectory("tlslab-mitm-exercise-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        MitmWork w = new MitmWork(root);
        w.make();
        instance = w;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The student's self-study challenge (lab exercise challenge --dir work). */
  String challenge;

  private void make() throws IOException {
    Path certs = work.resolve("certs");
    Path evil = work.resolve("evil");
    // Exercise 1: a challenge, and certificates that carry it as a SAN.
    Identity.newSelfStudyChallenge(work);
    challenge = Files.readString(work.resolve(Identity.SELF_STUDY_FILE)).strip();
    LabCertificates.init(
        InitOptions.builder()
            .dir(certs)
            .sans(List.of("localhost", "127.0.0.1", challenge + ".invalid"))
            .build());
    // Step 1 of exercise 8.
    LabCertificates.init(
        InitOptions.builder()
            .dir(evil)
            .commonName("evil.example")
            .sans(List.of("evil.example"))
            .build());
    Files.createDirectories(work.resolve("answers"));
    exercise8(certs, evil);
    exercise6(certs);
  }

  private void exercise8(Path certs, Path evil) throws IOException {
    try (ChatServer real = server(certs, TlsProfile.MODERN, HandshakeObserver.NONE)) {
      NssKeyLog keyLog = NssKeyLog.open(work.resolve("captures/08.keylog"));
      HandshakeInspector inspector = HandshakeInspector.builder().keyLog(keyLog).build();
      HandshakeObserver observer = inspector.observer();
      MitmLog log = MitmLog.open(work.resolve("mitm/08.jsonl"), false, e -> {});
      try (Interceptor mitm =
          new Interceptor(
                  new Interceptor.Options(
                      "127.0.0.1",
                      0,
                      evil,
                      TlsProfile.MODERN,
                      "localhost",
                      real.port(),
                      () -> TlsContexts.client(certs.resolve("ca.pem"), null, false),
                      TlsProfile.MODERN,
                      false,
                      e -> observer),
                  log)
              .start()) {
        capture(
            work.resolve("captures/08.pcap"),
            "tcp port " + real.port() + " or tcp port " + mitm.port(),
            () -> {
              // Step 5: lab client --port 9443 --ca work/certs/ca.pem 2>
              // work/answers/08-refused.txt
              write(
                  work.resolve("answers/08-refused.txt"),
                  lab(
                      "client",
                      "--port",
                      String.valueOf(mitm.port()),
                      "--ca",
                      certs.resolve("ca.pem").toString()));
              awaitEntry(log, e -> e.kind().equals("alert"));
              // Step 6: the insecure client; its standard output is every line it received.
              List<String> received = new CopyOnWriteArrayList<>();
              try (ChatClient c =
                  ChatClient.builder()
                      .host("localhost")
                      .port(mitm.port())
                      .context(TlsContexts.client(null, null, true))
                      .insecure(true)
                      .name(NAME)
                      .onLine(received::add)
                      .handshakeTimeout(Duration.ofSeconds(10))
                      .build()
                      .connect()) {
                c.send(SECRET + ", my challenge is " + challenge);
                c.send("/whoami");
                await(received, l -> l.startsWith("* you are " + NAME + " from"));
              }
              write(work.resolve("answers/08-insecure.txt"), String.join("\n", received) + "\n");
              awaitEntry(log, e -> e.kind().equals("closed") && e.connection() == 2);
            });
      } finally {
        inspector.close();
        keyLog.close();
        log.close();
      }
    }
    write(
        work.resolve("answers/08.txt"),
        "fix: the client must verify the server certificate and hostname against a trusted CA\n");
  }

  private void exercise6(Path certs) throws IOException {
    // Part A: lab trace --certs work/certs --port P --trace-json work/traces/06.jsonl, captured
    // on that port only (lab capture --port P).
    int port = StudentWork.freePort();
    capture(
        work.resolve("captures/06-trace.pcap"),
        "tcp port " + port,
        () ->
            lab(
                "trace",
                "--certs",
                certs.toString(),
                "--port",
                String.valueOf(port),
                "--trace-json",
                work.resolve("traces/06.jsonl").toString()));
    JsonLinesTrace json = JsonLinesTrace.open(work.resolve("traces/06-server.jsonl"), false);
    HandshakeInspector inspector = HandshakeInspector.builder().trace(json::write).build();
    HandshakeObserver observer = inspector.observer();
    MitmLog log = MitmLog.open(work.resolve("mitm/06.jsonl"), false, e -> {});
    try (ChatServer real = server(certs, TlsProfile.REPORT, observer);
        RecordRelay relay =
            new RecordRelay(
                    new RecordRelay.Options(
                        "127.0.0.1", 0, "localhost", real.port(), TamperMode.STRIP_DHE),
                    log)
                .start()) {
      capture(
          work.resolve("captures/06.pcap"),
          "tcp port " + real.port() + " or tcp port " + relay.port(),
          () -> {
            ProcessBuilder pb =
                new ProcessBuilder(
                        "openssl",
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + relay.port(),
                        "-servername",
                        "localhost",
                        "-CAfile",
                        certs.resolve("ca.pem").toString(),
                        "-tls1_2")
                    .redirectErrorStream(true);
            pb.environment()
                .put(
                    "OPENSSL_CONF", Path.of("exercises/06-no-ems.cnf").toAbsolutePath().toString());
            String out = run(pb);
            assertThat(out)
                .as("openssl s_client through the tamper relay")
                .contains("alert decrypt error");
            awaitEntry(log, e -> e.kind().equals("closed"));
          });
    } finally {
      inspector.close();
      json.close();
      log.close();
    }
    write(
        work.resolve("answers/06.txt"),
        "message: Finished\n"
            + "proves: a MAC over the hash of all handshake messages, keyed by the master secret:"
            + " both saw the same handshake and hold the same keys\n"
            + "alert: decrypt_error\n");
  }

  /** A fresh copy of the work folder, to alter for a failing submission. */
  Path copy(Path to) {
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(work.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  private static ChatServer server(Path certs, TlsProfile profile, HandshakeObserver observer) {
    return ChatServer.builder()
        .context(TlsContexts.server(certs))
        .bind("127.0.0.1")
        .port(0)
        .profile(profile)
        .clientAuth(ClientAuth.NONE)
        .observers(e -> observer)
        .log(l -> {})
        .build()
        .start();
  }

  interface Session {
    void run() throws IOException;
  }

  /** Runs {@code session} while libpcap records {@code filter} on lo into {@code pcap}. */
  private static void capture(Path pcap, String filter, Session session) throws IOException {
    try {
      captureOrInterrupt(pcap, filter, session);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void captureOrInterrupt(Path pcap, String filter, Session session)
      throws IOException, InterruptedException {
    Files.createDirectories(pcap.getParent());
    LiveCapture c = new LiveCapture(new LiveCapture.Options("lo", filter, pcap, 0, 0));
    c.trackTcpEnds();
    Thread t = new Thread(() -> c.run(new PrintWriter(Writer.nullWriter())), "test-capture");
    t.setDaemon(true);
    t.start();
    assertThat(c.awaitOpened(10_000)).as("libpcap capture on lo (run the tests as root)").isTrue();
    try {
      session.run();
    } finally {
      // The kernel hands the last segments to libpcap a moment later: wait until the capture has
      // the end of every connection it saw (a generous bound), not for a pause.
      if (!c.awaitTcpClosed(1, 30_000)) {
        System.out.println("capture " + pcap + " stopped without the end of every connection");
      }
      c.stop();
      assertThat(c.awaitFinished(5_000)).isTrue();
    }
  }

  static MitmLog.Entry awaitEntry(MitmLog log, Predicate<MitmLog.Entry> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (MitmLog.Entry e : log.entries()) {
        if (p.test(e)) {
          return e;
        }
      }
      sleep();
    }
    throw new AssertionError("no matching mitm log entry within 15 s: " + log.entries());
  }

  private static void await(List<String> received, Predicate<String> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (received.stream().anyMatch(p)) {
        return;
      }
      sleep();
    }
    throw new AssertionError("no matching line within 15 s: " + received);
  }

  private static void sleep() {
    try {
      Thread.sleep(20); // polling a condition, bounded by a deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a lab command in this process; returns what it wrote to stderr. */
  static String lab(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(Writer.nullWriter()));
    cmd.setErr(new PrintWriter(err, true));
    cmd.execute(args);
    return err.toString();
  }

  private static String run(ProcessBuilder pb) {
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor(20, TimeUnit.SECONDS);
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is harmless
    }
  }
}
