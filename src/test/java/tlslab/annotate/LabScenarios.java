package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.ClientFiles;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.NssKeyLog;

/**
 * Captures of the lab's own chat: {@link ChatServer} and {@link ChatClient} (in this JVM, so on the
 * running JDK) talking to each other, to {@code openssl s_server} and to {@code openssl s_client},
 * recorded by tcpdump on loopback. Each returns the NSS key log written by the lab's own key logger
 * ({@link HandshakeInspector} + {@link NssKeyLog}) on the lab side that is named in the method.
 *
 * <p>Every session chats a few lines and ends with close_notify, so the captures hold what the
 * report's Wireshark table shows: the handshake flights, application data and the encrypted alerts.
 */
final class LabScenarios {
  static final String ALICE_LINE = "hi bob, this line crosses the wire encrypted";
  static final String BOB_LINE = "hello alice, and only we can read it";
  static final String OPENSSL_LINE = "hello from openssl";

  private static Path certs;
  private static ClientFiles aliceFiles;

  private LabScenarios() {}

  /** Lab CA, server certificate (RSA, as the report's TLS_RSA suite needs) and alice's .p12. */
  static synchronized Path certs() throws Exception {
    if (certs == null) {
      Path d = LoopbackCaptures.dir().resolve("lab-certs");
      LabCertificates.init(InitOptions.builder().dir(d).keyType(KeyType.RSA_2048).build());
      aliceFiles = LabCertificates.issueClient(d, "alice", false);
      certs = d;
    }
    return certs;
  }

  /**
   * Alice and bob chat through the lab server; each client has its own context (full handshakes).
   */
  static LoopbackCaptures.Capture chat(TlsProfile profile) throws Exception {
    return labChat("lab-" + profile.name().toLowerCase(), 0, profile, ClientAuth.NONE, false);
  }

  /** As {@link #chat}, captured with only the first {@code snaplen} bytes of every frame. */
  static LoopbackCaptures.Capture snaplen(TlsProfile profile, int snaplen) throws Exception {
    return labChat(
        "lab-" + profile.name().toLowerCase() + "-snaplen-" + snaplen,
        snaplen,
        profile,
        ClientAuth.NONE,
        false);
  }

  /** As {@link #chat} with {@code --client-auth need}: both clients present alice's certificate. */
  static LoopbackCaptures.Capture clientAuth(TlsProfile profile) throws Exception {
    return labChat(
        "lab-" + profile.name().toLowerCase() + "-client-auth", 0, profile, ClientAuth.NEED, false);
  }

  /**
   * Bob shares alice's SSLContext, so his handshake resumes her session (RFC 5077 ticket / PSK).
   */
  static LoopbackCaptures.Capture resumed(TlsProfile profile) throws Exception {
    return labChat(
        "lab-" + profile.name().toLowerCase() + "-resumed", 0, profile, ClientAuth.NONE, true);
  }

  private static LoopbackCaptures.Capture labChat(
      String name, int snaplen, TlsProfile profile, ClientAuth auth, boolean shareContext)
      throws Exception {
    Path c = certs();
    return LoopbackCaptures.around(
        name,
        snaplen,
        port -> {
          Path keyLog = LoopbackCaptures.dir().resolve(name + ".keylog");
          try (KeyLogger logger = new KeyLogger(keyLog)) {
            ChatServer server = server(c, port, profile, auth, logger.observer);
            try {
              Path p12 = auth == ClientAuth.NEED ? aliceFiles.keyStore() : null;
              SSLContext first = TlsContexts.client(c.resolve("ca.pem"), p12, false);
              SSLContext second =
                  shareContext ? first : TlsContexts.client(c.resolve("ca.pem"), p12, false);
              Lines a = new Lines();
              Lines b = new Lines();
              ChatClient alice = client("alice", port, profile, first, a, null);
              a.await(l -> l.startsWith("* you are now"));
              ChatClient bob = client("bob", port, profile, second, b, null);
              b.await(l -> l.startsWith("* you are now"));
              alice.send(ALICE_LINE);
              b.await(l -> l.endsWith("> " + ALICE_LINE));
              bob.send(BOB_LINE);
              a.await(l -> l.endsWith("> " + BOB_LINE));
              alice.close();
              bob.close();
              assertThat(alice.closedFuture()).as("alice's close_notify answered").isCompleted();
              assertThat(bob.closedFuture()).as("bob's close_notify answered").isCompleted();
            } finally {
              server.close();
            }
          }
          return keyLog;
        });
  }

  /**
   * The lab client against {@code openssl s_server} holding the lab's server certificate; the key
   * log is the lab client's.
   */
  static LoopbackCaptures.Capture clientVersusOpensslServer(TlsProfile profile) throws Exception {
    Path c = certs();
    String name = "lab-client-" + profile.name().toLowerCase() + "-vs-openssl-s_server";
    return LoopbackCaptures.around(
        name,
        port -> {
          Path keyLog = LoopbackCaptures.dir().resolve(name + ".keylog");
          Process server =
              new ProcessBuilder(
                      "openssl",
                      "s_server",
                      "-accept",
                      Integer.toString(port),
                      "-naccept",
                      "1",
                      "-cert",
                      c.resolve("server.pem").toString(),
                      "-key",
                      c.resolve("server.key").toString(),
                      "-keylogfile",
                      LoopbackCaptures.dir().resolve(name + ".openssl-keylog").toString())
                  .redirectErrorStream(true)
                  .start();
          try (KeyLogger logger = new KeyLogger(keyLog)) {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            Lines a = new Lines();
            ChatClient alice =
                client(
                    "alice",
                    port,
                    profile,
                    TlsContexts.client(c.resolve("ca.pem"), null, false),
                    a,
                    logger.observer);
            alice.send("a line for openssl");
            OutputStream sin = server.getOutputStream();
            sin.write((OPENSSL_LINE + "\n").getBytes(StandardCharsets.US_ASCII));
            sin.flush();
            a.await(l -> l.equals(OPENSSL_LINE));
            alice.close();
            assertThat(alice.closedFuture()).as("s_server answered close_notify").isCompleted();
            assertThat(server.waitFor(10, TimeUnit.SECONDS))
                .as("s_server -naccept 1 exits")
                .isTrue();
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keyLog;
        });
  }

  /**
   * {@code openssl s_client} (verifying the lab CA) chats with a lab client through the lab server;
   * the key log is the lab server's.
   */
  static LoopbackCaptures.Capture opensslClientVersusServer(TlsProfile profile) throws Exception {
    Path c = certs();
    String name = "openssl-s_client-vs-lab-server-" + profile.name().toLowerCase();
    return LoopbackCaptures.around(
        name,
        port -> {
          Path keyLog = LoopbackCaptures.dir().resolve(name + ".keylog");
          Path clientOut = LoopbackCaptures.dir().resolve(name + ".s_client.txt");
          try (KeyLogger logger = new KeyLogger(keyLog)) {
            ChatServer server = server(c, port, profile, ClientAuth.NONE, logger.observer);
            try {
              Lines a = new Lines();
              ChatClient alice =
                  client(
                      "alice",
                      port,
                      profile,
                      TlsContexts.client(c.resolve("ca.pem"), null, false),
                      a,
                      null);
              a.await(l -> l.startsWith("* you are now"));
              List<String> cmd =
                  new ArrayList<>(
                      List.of(
                          "openssl",
                          "s_client",
                          "-connect",
                          "127.0.0.1:" + port,
                          "-servername",
                          "localhost",
                          "-CAfile",
                          c.resolve("ca.pem").toString(),
                          "-verify_return_error",
                          "-verify_hostname",
                          "localhost"));
              cmd.add(profile == TlsProfile.TLS13 ? "-tls1_3" : "-tls1_2");
              if (profile == TlsProfile.REPORT) cmd.addAll(List.of("-cipher", "AES128-SHA"));
              Process client =
                  new ProcessBuilder(cmd)
                      .redirectErrorStream(true)
                      .redirectOutput(clientOut.toFile())
                      .start();
              try {
                OutputStream cin = client.getOutputStream();
                cin.write(
                    ("/nick carol\n" + OPENSSL_LINE + "\n").getBytes(StandardCharsets.US_ASCII));
                cin.flush();
                a.await(l -> l.equals("<carol> " + OPENSSL_LINE));
                alice.send(ALICE_LINE);
                awaitFile(clientOut, s -> s.contains("<alice> " + ALICE_LINE));
                cin.close(); // s_client sends close_notify at the end of its input
                assertThat(client.waitFor(10, TimeUnit.SECONDS)).as("s_client exits").isTrue();
              } finally {
                client.destroy();
              }
              alice.close();
            } finally {
              server.close();
            }
          }
          return keyLog;
        });
  }

  private static ChatServer server(
      Path certs, int port, TlsProfile profile, ClientAuth auth, HandshakeObserver observer) {
    return ChatServer.builder()
        .context(TlsContexts.server(certs))
        .bind("127.0.0.1")
        .port(port)
        .profile(profile)
        .clientAuth(auth)
        .loops(1)
        .observers(e -> observer)
        .log(line -> {})
        .build()
        .start();
  }

  private static ChatClient client(
      String name,
      int port,
      TlsProfile profile,
      SSLContext ctx,
      Lines lines,
      HandshakeObserver observer) {
    ChatClient.Builder b =
        ChatClient.builder()
            .host("localhost")
            .port(port)
            .context(ctx)
            .profile(profile)
            .name(name)
            .onLine(lines::add)
            .handshakeTimeout(Duration.ofSeconds(10));
    if (observer != null) b.observers(e -> observer);
    return b.build().connect();
  }

  /** The lab's key logger; closing it checks that it obtained every connection's secrets. */
  private static final class KeyLogger implements AutoCloseable {
    final NssKeyLog log;
    final HandshakeInspector inspector;
    final HandshakeObserver observer;

    KeyLogger(Path file) {
      log = NssKeyLog.open(file);
      inspector = HandshakeInspector.builder().keyLog(log).build();
      observer = inspector.observer();
    }

    @Override
    public void close() {
      inspector.close();
      log.close();
      assertThat(inspector.problems()).as("the lab's key logger's problems").isEmpty();
      assertThat(log.lineCount()).as("key log lines").isGreaterThan(0);
    }
  }

  /** Lines a client received, awaited with a deadline. */
  private static final class Lines {
    final List<String> all = new CopyOnWriteArrayList<>();

    void add(String line) {
      all.add(line);
    }

    void await(Predicate<String> p) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (all.stream().anyMatch(p)) return;
        sleep(10);
      }
      throw new AssertionError("no matching line within 10 s; got " + all);
    }
  }

  private static void awaitFile(Path file, Predicate<String> p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && p.test(Files.readString(file, StandardCharsets.ISO_8859_1))) return;
      sleep(20);
    }
    throw new AssertionError(
        "s_client never printed the expected line; output: "
            + Files.readString(file, StandardCharsets.ISO_8859_1));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
