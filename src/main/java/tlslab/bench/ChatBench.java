package tlslab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.SSLContext;
import tlslab.common.LabException;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.net.EventLoopGroup;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench chat}: N clients in this process, all non-blocking on a few event loops, each
 * sending M broadcast lines of B payload bytes to a chat server also in this process. Every line
 * reaches the N-1 others, so the run makes N x M x (N-1) deliveries. Each line carries its sender,
 * a sequence number and the send time, so each receiver counts what it got per sender: lost,
 * duplicated, reordered, and the latency from send to receipt.
 *
 * <p>Senders are paced by a window of lines in flight (a closed-loop load generator): flooding a
 * chat server faster than its clients read only measures its overload policy, which is to drop
 * stuck clients.
 */
public final class ChatBench {
  private static final long BUCKET_NANOS = 10_000; // latency histogram: 10 µs buckets
  private static final int BUCKETS = 100_000; // up to 1 s; slower goes to the last bucket

  private final int clients;
  private final int messages;
  private final int size;
  private final int window;
  private final TlsProfile profile;
  private final AtomicLong outstanding = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong reordered = new AtomicLong();
  private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private volatile long lastDelivery;

  /** Per receiver: what it saw from each sender (touched only by the receiver's loop thread). */
  private final class Receiver {
    final int index;
    final int[] maxSeq;
    final long[] seen; // bitset: sender * words + seq / 64
    final int words;
    final CompletableFuture<Void> named = new CompletableFuture<>();

    Receiver(int index) {
      this.index = index;
      this.maxSeq = new int[clients];
      java.util.Arrays.fill(maxSeq, -1);
      this.words = (messages + 63) / 64;
      this.seen = new long[clients * words];
    }

    void onLine(String line) {
      if (line.startsWith("<b")) {
        received(line);
      } else if (line.startsWith("* you are now b")) {
        named.complete(null);
      } else if (line.startsWith("! ")) {
        problems.add("client " + index + " got: " + line);
      }
    }

    /** {@code <bS> SEQ NANOS payload}. */
    private void received(String line) {
      long now = System.nanoTime();
      int close = line.indexOf('>');
      int sp1 = line.indexOf(' ', close + 2);
      int sp2 = line.indexOf(' ', sp1 + 1);
      int sender = Integer.parseInt(line, 2, close, 10);
      int seq = Integer.parseInt(line, close + 2, sp1, 10);
      long sent = Long.parseLong(line, sp1 + 1, sp2, 10);
      int word = sender * words + seq / 64;
      long bit = 1L << (seq % 64);
      if ((seen[word] & bit) != 0) {
        duplicated.incrementAndGet();
        return;
      }
      seen[word] |= bit;
      if (seq < maxSeq[sender]) {
        reordered.incrementAndGet();
      } else {
        maxSeq[sender] = seq;
      }
      long bucket = Math.min(BUCKETS - 1, (now - sent) / BUCKET_NANOS);
      histogram.incrementAndGet((int) bucket);
      delivered.incrementAndGet();
      outstanding.decrementAndGet();
      lastDelivery = now;
    }
  }

  private ChatBench(int clients, int messages, int size, int window, TlsProfile profile) {
    this.clients = clients;
    this.messages = messages;
    this.size = size;
    this.window = window;
    this.profile = profile;
  }

  /**
   * Runs the benchmark and returns the report (several lines).
   *
   * @param window lines in flight at most (each to N-1 receivers)
   */
  public static String run(
      int clients, int messages, int size, int window, TlsProfile profile, int loops) {
    return run(clients, messages, size, window, profile, loops, 0);
  }

  /**
   * Runs the benchmark with the server on a given loopback port (0: any free port), so that a
   * capture can filter on it ({@code lab bench capture}).
   */
  public static String run(
      int clients, int messages, int size, int window, TlsProfile profile, int loops, int port) {
    if (clients < 2 || messages < 1 || size < 0 || window < 1) {
      throw LabException.badInput(
          "need --clients >= 2, --messages >= 1, --size >= 0, --window >= 1");
    }
    JsseSetup.prepare(profile == TlsProfile.REPORT, false);
    return new ChatBench(clients, messages, size, window, profile).execute(loops, port);
  }

  private String execute(int loops, int port) {
    Path certs = tempCerts();
    StringBuilder report = new StringBuilder();
    try (EventLoopGroup serverLoops = new EventLoopGroup("bench-server", loops);
        EventLoopGroup clientLoops = new EventLoopGroup("bench-clients", loops);
        ChatServer server =
            ChatServer.builder()
                .context(TlsContexts.server(certs))
                .port(port)
                .profile(profile)
                .group(serverLoops)
                .handshakeTimeout(Duration.ofSeconds(60))
                .maxOutboundBytes(64L << 20)
                .build()
                .start()) {
      SSLContext clientCtx = TlsContexts.client(certs.resolve("ca.pem"), null, false);
      long t0 = System.nanoTime();
      List<ChatClient> all = connect(server, clientCtx, clientLoops);
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      report.append(
          String.format(
              "chat bench: %d clients x %d messages x %d bytes, profile %s,"
                  + " %d server loop(s), window %d lines%n",
              clients, messages, size, profile, serverLoops.size(), window));
      report.append(
          String.format("  connected %d TLS clients in %.1f s%n", all.size(), connectSecs));

      String payload = "p".repeat(size);
      long expected = (long) clients * messages * (clients - 1);
      long perLine = clients - 1;
      long start = System.nanoTime();
      lastDelivery = start;
      for (int seq = 0; seq < messages; seq++) {
        for (int c = 0; c < clients; c++) {
          while (outstanding.get() > (long) window * perLine) {
            // Park, not spin: on two cores a spinning sender would take a third of the machine.
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            if (System.nanoTime() - lastDelivery > TimeUnit.SECONDS.toNanos(30)) {
              throw LabException.failed("chat bench stalled: nothing delivered for 30 s");
            }
          }
          outstanding.addAndGet(perLine);
          all.get(c).send(seq + " " + System.nanoTime() + " " + payload);
        }
      }
      long idleLimit = TimeUnit.SECONDS.toNanos(10);
      while (delivered.get() + duplicated.get() < expected
          && System.nanoTime() - lastDelivery < idleLimit) {
        sleep(5);
      }
      double secs = (lastDelivery - start) / 1e9;
      long got = delivered.get();
      report.append(
          String.format(
              "  deliveries: %,d of %,d in %.2f s = %,.0f deliveries/s%n",
              got, expected, secs, got / secs));
      report.append(
          String.format(
              "  latency send->receive: p50 %s, p99 %s, max %s%n",
              percentile(0.50), percentile(0.99), percentile(1.0)));
      report.append(
          String.format(
              "  lost %d, duplicated %d, reordered %d%n",
              expected - got, duplicated.get(), reordered.get()));
      report.append(
          String.format(
              "  server connections still open: %d of %d%n", server.connectionCount(), clients));
      for (String p : problems.subList(0, Math.min(5, problems.size()))) {
        report.append("  problem: ").append(p).append('\n');
      }
      for (ChatClient c : all) {
        c.closeAsync();
      }
    } finally {
      deleteTree(certs);
    }
    return report.toString();
  }

  private List<ChatClient> connect(ChatServer server, SSLContext ctx, EventLoopGroup loops) {
    List<ChatClient> all = new ArrayList<>();
    List<Receiver> receivers = new ArrayList<>();
    Semaphore handshakes = new Semaphore(64); // handshakes in flight, so none times out
    List<CompletableFuture<ChatClient>> pending = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Receiver r = new Receiver(i);
      receivers.add(r);
      ChatClient c =
          ChatClient.builder()
              .host("localhost")
              .port(server.port())
              .context(ctx)
              .profile(profile)
              .name("b" + i)
              .group(loops)
              .onLine(r::onLine)
              .handshakeTimeout(Duration.ofSeconds(60))
              .build();
      handshakes.acquireUninterruptibly();
      CompletableFuture<ChatClient> f = c.connectAsync();
      f.whenComplete((v, e) -> handshakes.release());
      pending.add(f);
      all.add(c);
    }
    for (int i = 0; i < clients; i++) {
      try {
        pending.get(i).get(120, TimeUnit.SECONDS);
        receivers.get(i).named.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw LabException.network("bench client " + i + " could not join: " + e, e);
      }
    }
    return all;
  }

  private String percentile(double p) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      total += histogram.get(i);
    }
    if (total == 0) {
      return "n/a";
    }
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += histogram.get(i);
      if (seen >= rank) {
        double ms = (i + 1) * BUCKET_NANOS / 1e6;
        return i == BUCKETS - 1 ? ">= 1000 ms" : String.format("%.2f ms", ms);
      }
    }
    return "n/a";
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

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
