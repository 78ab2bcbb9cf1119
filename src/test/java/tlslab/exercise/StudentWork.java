package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import tlslab.capture.LiveCapture;
import tlslab.cli.Main;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassOptions;
import tlslab.pki.ClientFiles;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.pki.Student;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.NssKeyLog;

/**
 * Real evidence, made once per test JVM the way a student makes it: lab certificates, the chat
 * server and clients on loopback, libpcap captures of them, NSS key logs, {@code lab trace} JSON
 * traces and a class bundle from an instructor's CA. Each checker test copies a work folder from
 * here and alters the copy to make failing submissions.
 *
 * <p>Every student works as the exercises say: a challenge ({@code lab exercise challenge}) in the
 * server certificate's SANs and sent inside each encrypted chat.
 *
 * <ul>
 *   <li>{@link #mine}: alice's complete work folder for exercises 1-10 (self-study);
 *   <li>{@link #friend}: bob's exercise 2, made with his own certificates;
 *   <li>{@link #classWork}: a class student's folder: the bundle from {@code lab certs class} in
 *       {@code bundle/} and {@code captures/09.pcap} made against the instructor's server;
 *   <li>{@link #otherBundle}: another student's bundle of that class.
 * </ul>
 */
final class StudentWork {
  static final String NAME = "alice";
  static final String FRIEND = "bob";
  static final String CHAT_LINE = "hello from alice";
  static final String REPORT_LINE = "alice's report-profile secret";
  static final String MITM_LINE = "my password is hunter2";
  static final Student CLASS_STUDENT = new Student("Alice Martin", "s1234567");
  static final Student CLASS_OTHER = new Student("Bob Stone", "s7654321");

  private static StudentWork instance;

  final Path root;
  final Path mine;
  final Path friend;
  final Path classWork;
  final Path otherBundle;
  final Path classDir;

  private StudentWork(Path root) {
    this.root = root;
    this.mine = root.resolve("mine");
    this.friend = root.resolve("friend");
    this.classWork = root.resolve("class-alice");
    this.otherBundle = root.resolve("class-out").resolve(CLASS_OTHER.folder());
    this.classDir = root.resolve("class-out");
  }

  /** The evidence, made on first use (about 10 s) and shared by every test class. */
  static synchronized StudentWork get() {
    if (instance == null) {
      try {
        Path root = Files.createTempDirectory("tlslab-exercise-test-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        StudentWork w = new StudentWork(root);
        w.make();
        instance = w;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** A fresh copy of a work folder, to alter for a failing submission. */
  static Path copy(Path work, Path to) {
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(work.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** The challenge of a work folder, as {@code lab exercise challenge} prints it. */
  static String challenge(Path work) {
    Identity id = new Workspace(work, Optional.empty()).identity();
    assertThat(id.problem()).as("challenge of " + work).isNull();
    return id.challenge();
  }

  /** The line the exercises have the student type: "my challenge is tlslab-…". */
  static String challengeLine(Path work) {
    return "my challenge is " + challenge(work);
  }

  /** {@code lab certs init} as exercise 1 says: localhost, 127.0.0.1 and CHALLENGE.invalid. */
  static void initCertificates(Path work) {
    initCertificates(work, tlslab.pki.KeyType.RSA_2048);
  }

  static void initCertificates(Path work, tlslab.pki.KeyType key) {
    LabCertificates.init(
        InitOptions.builder()
            .dir(work.resolve("certs"))
            .keyType(key)
            .sans(List.of("localhost", "127.0.0.1", challenge(work) + ".invalid"))
            .build());
  }

  private void make() throws IOException {
    Path certs = mine.resolve("certs");
    Identity.newSelfStudyChallenge(mine);
    Identity.newSelfStudyChallenge(friend);
    initCertificates(mine);
    initCertificates(friend);

    // Exercise 2 (and 3, and 4's modern capture): a chat with a key log.
    chat(
        mine,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        NAME,
        List.of(CHAT_LINE, challengeLine(mine)));
    chat(
        friend,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        FRIEND,
        List.of("hello from bob", challengeLine(friend)));
    Files.copy(mine.resolve("captures/02.pcap"), mine.resolve("captures/04-modern.pcap"));
    Files.copy(mine.resolve("captures/02.keylog"), mine.resolve("captures/04-modern.keylog"));
    // Exercise 4 and 5: the report's suite; /whoami's reply is what only decryption reveals.
    chat(
        mine,
        "04-report.pcap",
        null,
        TlsProfile.REPORT,
        ClientAuth.NONE,
        NAME,
        List.of(REPORT_LINE, challengeLine(mine), "/whoami"));

    // Exercise 10: one line longer than the server's maximum, carrying the challenge.
    chat(
        mine,
        "10.pcap",
        "10.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        NAME,
        List.of(challengeLine(mine) + " " + "0".repeat(9000)));

    // Exercises 6 and 7: lab trace, as the student runs it.
    lab(
        "trace",
        "--certs",
        certs.toString(),
        "--trace-json",
        mine.resolve("traces/06.jsonl").toString());
    // Exercise 7: lab trace --port P, captured on that port only (as the exercise says, with a
    // port the OS has just had free instead of the exercise's 8444: tests run side by side).
    traceCaptured(mine.resolve("captures/07.pcap"), certs, mine.resolve("traces/07.jsonl"));
    // A friend's trace and capture, made with the friend's own certificates: copying them fails.
    traceCaptured(
        friend.resolve("captures/07.pcap"),
        friend.resolve("certs"),
        friend.resolve("traces/07.jsonl"));

    // Exercise 8: an impostor; the verifying client's refusal; the insecure client's session.
    Path evil = mine.resolve("evil");
    LabCertificates.init(
        InitOptions.builder()
            .dir(evil)
            .commonName("evil.example")
            .sans(List.of("evil.example"))
            .build());
    try (ChatServer server = server(evil, TlsProfile.MODERN, ClientAuth.NONE)) {
      Files.createDirectories(mine.resolve("answers"));
      Files.writeString(
          mine.resolve("answers/08-refused.txt"),
          lab(
              "client",
              "--port",
              String.valueOf(server.port()),
              "--ca",
              certs.resolve("ca.pem").toString()));
      capture(
          mine.resolve("captures/08.pcap"),
          server.port(),
          () -> {
            try (ChatClient c =
                client(
                    server.port(),
                    TlsContexts.client(null, null, true),
                    TlsProfile.MODERN,
                    null,
                    null,
                    line -> {},
                    true)) {
              c.send(MITM_LINE);
            }
          });
    }

    // Exercise 9: alone, with a client certificate from lab certs issue.
    ClientFiles alice = LabCertificates.issueClient(certs, NAME, false);
    chatWithCertificate(
        mine, "09", certs, certs.resolve("ca.pem"), alice.keyStore(), ClientAuth.NEED, NAME);
    // The server asks (want), the client has no certificate to give.
    chatWithCertificate(
        mine, "09-nocert", certs, certs.resolve("ca.pem"), null, ClientAuth.WANT, NAME);

    // Exercise 9 in class: the instructor's CA and server, the student's bundle.
    Path instructor = root.resolve("instructor");
    LabCertificates.init(InitOptions.builder().dir(instructor).build());
    ClassCertificates.issue(
        ClassOptions.builder()
            .caDir(instructor)
            .out(root.resolve("class-out"))
            .students(List.of(CLASS_STUDENT, CLASS_OTHER))
            .build(),
        (done, total) -> {});
    Path bundle = classWork.resolve("bundle");
    copy(root.resolve("class-out").resolve(CLASS_STUDENT.folder()), bundle);
    chatWithCertificate(
        classWork,
        "09",
        instructor,
        bundle.resolve("ca.pem"),
        bundle.resolve(CLASS_STUDENT.folder() + ".p12"),
        ClientAuth.NEED,
        CLASS_STUDENT.folder());
  }

  /** A mutual-TLS chat (exercise 9): captures/BASE.pcap and its key log captures/BASE.keylog. */
  static void chatWithCertificate(
      Path work,
      String base,
      Path serverCerts,
      Path ca,
      Path keyStore,
      ClientAuth auth,
      String name) {
    String line = challengeLine(work);
    try (ChatServer server = server(serverCerts, TlsProfile.MODERN, auth)) {
      List<String> received = new CopyOnWriteArrayList<>();
      capture(
          work.resolve("captures").resolve(base + ".pcap"),
          server.port(),
          () -> {
            NssKeyLog keyLog = NssKeyLog.open(work.resolve("captures").resolve(base + ".keylog"));
            HandshakeInspector inspector = HandshakeInspector.builder().keyLog(keyLog).build();
            try (ChatClient c =
                client(
                    server.port(),
                    TlsContexts.client(ca, keyStore, false),
                    TlsProfile.MODERN,
                    name,
                    inspector.observer(),
                    received::add)) {
              c.send(line);
              c.send("/whoami");
              await(received, "* you are " + name + " from");
            } finally {
              inspector.close();
              keyLog.close();
            }
          });
    }
  }

  /** One client chatting with the work folder's own server, captured (and key-logged). */
  static void chat(
      Path work,
      String pcap,
      String keyLogName,
      TlsProfile profile,
      ClientAuth auth,
      String name,
      List<String> lines) {
    chat(work, pcap, keyLogName, profile, auth, null, name, lines);
  }

  /**
   * The exercises' in-class steps: the student's server trusts the class CA (keytool -importcert
   * into {@code certs/truststore.p12}, done here with the same KeyStore API keytool uses).
   */
  static void trustClassCa(Path work) {
    Path store = work.resolve("certs/truststore.p12");
    try {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(store)) {
        ks.load(in, "changeit".toCharArray());
      }
      ks.setCertificateEntry(
          "class-ca",
          tlslab.pki.CertificateFile.read(work.resolve("bundle/ca.pem"), "changeit").leaf());
      try (var out = Files.newOutputStream(store)) {
        ks.store(out, "changeit".toCharArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** As above; {@code keyStore} (a bundle's .p12) is the client certificate, when not null. */
  static void chat(
      Path work,
      String pcap,
      String keyLogName,
      TlsProfile profile,
      ClientAuth auth,
      Path keyStore,
      String name,
      List<String> lines) {
    Path certs = work.resolve("certs");
    try (ChatServer server = server(certs, profile, auth)) {
      capture(
          work.resolve("captures").resolve(pcap),
          server.port(),
          () -> {
            NssKeyLog keyLog =
                keyLogName == null
                    ? null
                    : NssKeyLog.open(work.resolve("captures").resolve(keyLogName));
            HandshakeInspector inspector =
                keyLog == null ? null : HandshakeInspector.builder().keyLog(keyLog).build();
            List<String> received = new CopyOnWriteArrayList<>();
            try (ChatClient c =
                client(
                    server.port(),
                    TlsContexts.client(certs.resolve("ca.pem"), keyStore, false),
                    profile,
                    name,
                    inspector == null ? null : inspector.observer(),
                    received::add)) {
              await(received, "you are now " + name);
              for (String line : lines) {
                c.send(line);
              }
              if (lines.contains("/whoami")) {
                await(received, "* you are " + name + " from");
              }
            } finally {
              if (inspector != null) {
                inspector.close();
                keyLog.close();
              }
            }
          });
    }
  }

  static ChatServer server(Path certs, TlsProfile profile, ClientAuth auth) {
    return ChatServer.builder()
        .context(TlsContexts.server(certs))
        .bind("127.0.0.1")
        .port(0)
        .profile(profile)
        .clientAuth(auth)
        .log(l -> {})
        .build()
        .start();
  }

  private static ChatClient client(
      int port,
      SSLContext ctx,
      TlsProfile profile,
      String name,
      HandshakeObserver observer,
      Consumer<String> onLine) {
    return client(port, ctx, profile, name, observer, onLine, false);
  }

  private static ChatClient client(
      int port,
      SSLContext ctx,
      TlsProfile profile,
      String name,
      HandshakeObserver observer,
      Consumer<String> onLine,
      boolean insecure) {
    ChatClient.Builder b =
        ChatClient.builder()
            .host("localhost")
            .port(port)
            .context(ctx)
            .profile(profile)
            .insecure(insecure)
            .onLine(onLine)
            .handshakeTimeout(Duration.ofSeconds(10));
    if (name != null) {
      b.name(name);
    }
    if (observer != null) {
      b.observers(e -> observer);
    }
    return b.build().connect();
  }

  /**
   * {@code lab trace --certs CERTS --port P --resume --trace-json TRACE} while {@code lab capture
   * --port P} records it into {@code pcap}, as exercise 7 says.
   */
  static void traceCaptured(Path pcap, Path certs, Path trace) {
    int port = freePort();
    capture(
        pcap,
        port,
        () -> {
          String err =
              lab(
                  "trace",
                  "--certs",
                  certs.toString(),
                  "--port",
                  String.valueOf(port),
                  "--resume",
                  "--trace-json",
                  trace.toString());
          assertThat(trace).as("lab trace --port " + port + " wrote its trace: " + err).exists();
        });
  }

  /**
   * A loopback port the OS has just handed out and taken back, for commands that must be told one
   * ({@code lab trace --port}); tests never use the exercises' fixed ports, as they run side by
   * side.
   */
  static int freePort() {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code session} while libpcap records {@code tcp port P} on lo into {@code pcap}. */
  static void capture(Path pcap, int port, Runnable session) {
    captureFiltered(pcap, "tcp port " + port, session);
  }

  /** Runs {@code session} while libpcap records {@code filter} on lo into {@code pcap}. */
  static void captureFiltered(Path pcap, String filter, Runnable session) {
    try {
      Files.createDirectories(pcap.getParent());
      LiveCapture c = new LiveCapture(new LiveCapture.Options("lo", filter, pcap, 0, 0));
      c.trackTcpEnds();
      Thread t = new Thread(() -> c.run(new PrintWriter(Writer.nullWriter())), "test-capture");
      t.setDaemon(true);
      t.start();
      assertThat(c.awaitOpened(10_000))
          .as("libpcap capture on lo (run the tests as root)")
          .isTrue();
      try {
        session.run();
      } finally {
        // The kernel hands the last segments to libpcap a moment after they are sent: wait until
        // the capture has the end of every connection it saw (a generous bound), not for a pause.
        // A capture of all of lo's traffic ("tcp") holds other programs' connections, which need
        // not end: the sessions it wraps are captured on their own ports too, and those captures
        // wait for their ends (by then the same packets reached this capture's socket as well).
        boolean ownPort = filter.startsWith("tcp port ");
        if (ownPort && !c.awaitTcpClosed(1, 30_000)) {
          System.out.println("capture " + pcap + " stopped without the end of every connection");
        }
        c.stop();
        assertThat(c.awaitFinished(20_000)).as("capture ends (a loaded machine is slow)").isTrue();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void await(List<String> received, String part) {
    // A generous bound: on a loaded two-core machine a line can take seconds.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (received.stream().anyMatch(l -> l.contains(part))) {
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("no line with '" + part + "' within 60 s: " + received);
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

  static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is harmless
    }
  }
}
