package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.RevocationPolicy;
import tlslab.tls.Stapling;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * A stapling server fetches its OCSP answer while it processes a Client Hello that asks for one
 * (JSSE, up to {@code jdk.tls.stapling.responseTimeout}, 5 s by default, 2 s here). With a
 * responder that accepts and never answers, that handshake waits; the room must not: the fetch runs
 * in JSSE's delegated task on the lab's TLS task threads, off the event loop, so members already in
 * the room go on chatting.
 */
@Tag("jdk") // where JSSE fetches the OCSP answer is its own choice, per JDK
class StaplingResponderStallTest {
  private static final List<String> PROPERTIES =
      List.of(
          "jdk.tls.stapling.responderURI",
          "jdk.tls.stapling.responderOverride",
          "jdk.tls.stapling.cacheLifetime",
          "jdk.tls.stapling.responseTimeout");

  @TempDir Path dir;

  @Test
  void aResponderThatNeverAnswersHoldsOnlyTheHandshakeThatAskedNotTheRoom() throws Exception {
    Path certs = Fixtures.certs(dir);
    Map<String, String> before = new HashMap<>();
    PROPERTIES.forEach(p -> before.put(p, System.getProperty(p)));
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket hole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) held.add(hole.accept()); // and never answer
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      Stapling.configureServer(URI.create("http://127.0.0.1:" + hole.getLocalPort() + "/"), 30);
      // 2 s instead of JSSE's 5, to keep the test short (read with the others, per context).
      System.setProperty("jdk.tls.stapling.responseTimeout", "2000");
      try (ChatServer server =
          ChatServer.builder()
              .context(TlsContexts.server(certs, true, RevocationPolicy.off()))
              .port(0)
              .profile(TlsProfile.MODERN)
              .build()
              .start()) {
        // ann and ben ask for no staple, so their handshakes need no responder.
        SSLContext quiet =
            withProperty(
                "jdk.tls.client.enableStatusRequestExtension",
                "false",
                () -> Fixtures.clientContext(certs));
        Fixtures.Lines ann = client(quiet, server, "ann");
        Fixtures.Lines ben = client(quiet, server, "ben");
        assertThat(held).as("no OCSP request yet").isEmpty();

        // cat's JSSE client asks for one (status_request, on by default).
        long t0 = System.nanoTime();
        CompletableFuture<Fixtures.Lines> cat =
            CompletableFuture.supplyAsync(
                () -> Fixtures.client(certs, server, TlsProfile.MODERN, "cat"));
        long deadline = t0 + TimeUnit.SECONDS.toNanos(4);
        while (held.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(held).as("the server asked the responder for cat's handshake").isNotEmpty();

        long sent = System.nanoTime();
        ann.client.send("still here");
        ben.await("<ann> still here"::equals);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertThat(waitedMs).as("a line while the responder hangs").isLessThan(1000);
        assertThat(cat).as("cat's handshake still waits for the responder").isNotDone();

        // After the responder timeout the handshake goes on without a staple, and cat joins.
        Fixtures.Lines joined = cat.get(20, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(tookMs).as("cat's handshake waited for the responder").isGreaterThan(1500);
        joined.client.send("hi all");
        ann.await("<cat> hi all"::equals);
        ann.client.close();
        ben.client.close();
        joined.client.close();
      }
    } finally {
      before.forEach((k, v) -> restore(k, v));
      for (Socket s : held) s.close();
    }
  }

  private static Fixtures.Lines client(SSLContext ctx, ChatServer server, String name) {
    Fixtures.Lines lines = new Fixtures.Lines();
    lines.client =
        ChatClient.builder()
            .host("localhost")
            .port(server.port())
            .context(ctx)
            .profile(TlsProfile.MODERN)
            .name(name)
            .onLine(lines::add)
            .build()
            .connect();
    lines.awaitStartsWith("* you are now " + name);
    return lines;
  }

  private static <T> T withProperty(String key, String value, Supplier<T> make) {
    String old = System.getProperty(key);
    System.setProperty(key, value);
    try {
      return make.get();
    } finally {
      restore(key, old);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) System.clearProperty(key);
    else System.setProperty(key, value);
  }
}
