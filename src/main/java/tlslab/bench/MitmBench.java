package tlslab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tlslab.common.LabException;
import tlslab.mitm.Interceptor;
import tlslab.mitm.MitmLog;
import tlslab.mitm.RecordRelay;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * What {@code lab mitm} adds to each chat line: a sender and a receiver on the lab chat server, one
 * line at a time (the next leaves when the previous has arrived), timed from {@code send} to the
 * receiver's callback. Three paths in one run, alternating rounds so that machine load hits each
 * alike: direct (the peer to compare against), through the {@code --tap} relay (records forwarded,
 * no TLS), and through the intercepting attacker (decrypt, log, encrypt again).
 */
public final class MitmBench {
  /** Latency figures of one path, in microseconds. */
  public record Path3(String name, long[] micros) {
    long percentile(double p) {
      long[] s = micros.clone();
      Arrays.sort(s);
      int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }
  }

  /** The figures. */
  public record Result(int lines, TlsProfile profile, List<Path3> paths) {
    /** A table: median and p99 per path, and what each relay adds to the direct median. */
    public String report() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              "lab bench mitm: %d chat lines per path, one at a time, profile %s%n",
              lines, profile.label()));
      b.append(String.format("%-12s %10s %10s %12s%n", "path", "median µs", "p99 µs", "added µs"));
      long direct = paths.get(0).percentile(50);
      long directP99 = paths.get(0).percentile(99);
      for (Path3 p : paths) {
        b.append(
            String.format(
                "%-12s %10d %10d %12s%n",
                p.name(),
                p.percentile(50),
                p.percentile(99),
                p == paths.get(0)
                    ? "-"
                    : String.format(
                        "%+d (p99 %+d)", p.percentile(50) - direct, p.percentile(99) - directP99)));
      }
      return b.toString();
    }
  }

  private MitmBench() {}

  /** Runs {@code lines} lines per path (in rounds of 100, after 300 warm-up lines each). */
  public static Result run(int lines, TlsProfile profile) {
    if (lines < 1) {
      throw LabException.badInput("--lines must be at least 1");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("tlslab-bench-mitm-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path real = dir.resolve("certs");
      Path evil = dir.resolve("evil");
      LabCertificates.init(InitOptions.builder().dir(real).build());
      LabCertificates.init(InitOptions.builder().dir(evil).commonName("evil.example").build());
      MitmLog quiet = MitmLog.open(null, false, e -> {});
      try (ChatServer server =
              ChatServer.builder()
                  .context(TlsContexts.server(real))
                  .bind("127.0.0.1")
                  .port(0)
                  .profile(profile)
                  .clientAuth(ClientAuth.NONE)
                  .log(l -> {})
                  .build()
                  .start();
          RecordRelay tap =
              new RecordRelay(
                      new RecordRelay.Options("127.0.0.1", 0, "localhost", server.port(), null),
                      quiet)
                  .start();
          Interceptor mitm =
              new Interceptor(
                      new Interceptor.Options(
                          "127.0.0.1",
                          0,
                          evil,
                          profile,
                          "localhost",
                          server.port(),
                          () -> TlsContexts.client(real.resolve("ca.pem"), null, false),
                          profile,
                          false,
                          e -> HandshakeObserver.NONE),
                      quiet)
                  .start()) {
        LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        try (ChatClient receiver = client(server.port(), real, profile, "receiver", arrivals);
            ChatClient direct = client(server.port(), real, profile, "direct", null);
            ChatClient viaTap = client(tap.port(), real, profile, "tap", null);
            ChatClient viaMitm = client(mitm.port(), null, profile, "victim", null)) {
          ChatClient[] senders = {direct, viaTap, viaMitm};
          long[][] micros = new long[3][lines];
          // Warm-up, discarded: the JIT compiles each path's code before anything is timed.
          for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 300; i++) {
              senders[s].send("bench line warm-up");
              if (arrivals.poll(10, TimeUnit.SECONDS) == null) {
                throw LabException.network("a bench line did not arrive within 10 s", null);
              }
            }
          }
          int done = 0;
          int rounds = 0;
          while (done < lines) {
            int round = Math.min(100, lines - done);
            // Each round starts with another path, so no path always runs first.
            for (int k = 0; k < 3; k++) {
              int s = (k + rounds) % 3;
              for (int i = 0; i < round; i++) {
                long t0 = System.nanoTime();
                senders[s].send("bench line " + (done + i));
                Long t1 = arrivals.poll(10, TimeUnit.SECONDS);
                if (t1 == null) {
                  throw LabException.network("a bench line did not arrive within 10 s", null);
                }
                micros[s][done + i] = (t1 - t0) / 1000;
              }
            }
            done += round;
            rounds++;
          }
          return new Result(
              lines,
              profile,
              List.of(
                  new Path3("direct", micros[0]),
                  new Path3("--tap", micros[1]),
                  new Path3("intercept", micros[2])));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.network("interrupted", e);
    } finally {
      deleteTree(dir);
    }
  }

  private static ChatClient client(
      int port, Path certsOrNull, TlsProfile profile, String name, LinkedBlockingQueue<Long> into) {
    boolean insecure = certsOrNull == null;
    return ChatClient.builder()
        .host("localhost")
        .port(port)
        .context(
            TlsContexts.client(insecure ? null : certsOrNull.resolve("ca.pem"), null, insecure))
        .insecure(insecure)
        .profile(profile)
        .name(name)
        .handshakeTimeout(Duration.ofSeconds(10))
        .onLine(
            line -> {
              if (into != null && line.contains("bench line")) {
                into.add(System.nanoTime());
              }
            })
        .build()
        .connect();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is harmless
    }
  }
}
