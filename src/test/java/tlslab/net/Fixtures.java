package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/** Shared test fixtures: lab certificates, contexts, servers and line-collecting clients. */
final class Fixtures {
  static {
    // Before any JSSE use in this JVM, so that the report profile works on JDK 25 too.
    JsseSetup.prepare(true, false);
  }

  private Fixtures() {}

  /** Writes the lab CA and server certificate (RSA 2048, localhost + 127.0.0.1) into dir. */
  static Path certs(Path dir) {
    LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.RSA_2048).build());
    return dir;
  }

  static SSLContext serverContext(Path certs) {
    return TlsContexts.server(certs);
  }

  static SSLContext clientContext(Path certs) {
    return TlsContexts.client(certs.resolve("ca.pem"), null, false);
  }

  static ChatServer server(Path certs, TlsProfile profile, ClientAuth auth, List<String> log) {
    return ChatServer.builder()
        .context(serverContext(certs))
        .port(0)
        .profile(profile)
        .clientAuth(auth)
        .loops(2)
        .handshakeTimeout(Duration.ofSeconds(5))
        .log(log::add)
        .build()
        .start();
  }

  /** A connected client whose received lines can be awaited. */
  static final class Lines {
    final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    final List<String> all = new CopyOnWriteArrayList<>();
    ChatClient client;

    void add(String line) {
      all.add(line);
      queue.add(line);
    }

    /**
     * Waits for a line matching the predicate, skipping others; fails after {@link #WAIT_SECONDS}.
     */
    String await(java.util.function.Predicate<String> p) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      try {
        while (System.nanoTime() < deadline) {
          String l = queue.poll(50, TimeUnit.MILLISECONDS);
          if (l != null && p.test(l)) {
            return l;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String got = all.toString();
      throw new AssertionError(
          "no matching line within "
              + WAIT_SECONDS
              + " s; got "
              + all.size()
              + " lines: "
              + (got.length() > 600
                  ? got.substring(0, 300) + " ... " + got.substring(got.length() - 300)
                  : got));
    }

    String awaitStartsWith(String prefix) {
      return await(l -> l.startsWith(prefix));
    }
  }

  static Lines client(Path certs, ChatServer server, TlsProfile profile, String name) {
    Lines lines = new Lines();
    lines.client =
        ChatClient.builder()
            .host("localhost")
            .port(server.port())
            .context(clientContext(certs))
            .profile(profile)
            .name(name)
            .onLine(lines::add)
            .build()
            .connect();
    if (name != null) {
      lines.awaitStartsWith("* you are now " + name);
    }
    return lines;
  }

  /** {@code openssl s_client} connecting to {@code server} on loopback, with {@code options}. */
  static List<String> sClient(ChatServer server, String... options) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port()));
    command.addAll(List.of(options));
    return command;
  }

  /**
   * {@code openssl s_client} (CA and host name checked) chats with a lab client through the server:
   * it takes a nick, both see each other's line, {@code /whoami} names the protocol and suite, and
   * both the leave and the join (with that protocol and suite) reach the server's log.
   */
  static void assertOpensslChats(
      Path certs,
      ChatServer server,
      TlsProfile profile,
      List<String> log,
      String protocol,
      String suite) {
    Lines lab = client(certs, server, profile, "lab");
    try (Peers openssl =
        new Peers(
            sClient(
                server,
                "-CAfile",
                certs.resolve("ca.pem").toString(),
                "-servername",
                "localhost",
                "-verify_return_error",
                "-quiet",
                "-no_ign_eof"))) {
      openssl.write("/nick osl\nhello from openssl\n/whoami\n");
      openssl.await(l -> l.equals("* you are now osl"));
      lab.await(l -> l.equals("<osl> hello from openssl"));
      assertThat(openssl.await(l -> l.startsWith("* you are osl")))
          .contains(protocol + ", " + suite);
      lab.client.send("hi openssl");
      openssl.await(l -> l.equals("<lab> hi openssl"));
      openssl.closeInput(); // s_client sends close_notify at end of input
      assertThat(openssl.awaitExit()).isZero();
      lab.await(l -> l.startsWith("* osl left (127.0.0.1:"));
    } finally {
      lab.client.close();
    }
    awaitLog(
        log,
        l ->
            l.matches(
                "guest\\d+ joined from 127\\.0\\.0\\.1:\\d+ \\("
                    + protocol
                    + ", "
                    + suite
                    + "\\)"));
  }

  /** Proves the server still serves: alice and bob chat both ways. */
  static void assertChatWorks(Path certs, ChatServer server, TlsProfile profile) {
    Lines a = client(certs, server, profile, "alice" + System.nanoTime() % 100000);
    Lines b = client(certs, server, profile, "bob" + System.nanoTime() % 100000);
    try {
      a.client.send("ping from a");
      b.await(l -> l.endsWith("> ping from a"));
      b.client.send("pong from b");
      a.await(l -> l.endsWith("> pong from b"));
    } finally {
      a.client.close();
      b.client.close();
    }
  }

  /**
   * How long a wait for a line lasts at most: a bound for a loaded machine (5 s was too short with
   * five builds on two cores), not a pace; a wait returns as soon as the line is there.
   */
  static final long WAIT_SECONDS = 30;

  /**
   * Waits (up to {@link #WAIT_SECONDS}) for a server log line matching p: some are written after
   * the socket closes.
   */
  static String awaitLog(List<String> log, java.util.function.Predicate<String> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      for (String l : log) {
        if (p.test(l)) {
          return l;
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no matching log line within " + WAIT_SECONDS + " s: " + log);
  }
}
