package tlslab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import tlslab.common.LabException;
import tlslab.net.InMemoryTls;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;

/**
 * What does tracing cost? Full handshakes between a client and a server {@link SSLEngine}, each
 * driven by the lab's {@code TlsDriver}, over in-memory channels on one thread (no sockets: only
 * JSSE and the trace are measured), alternately untraced and traced, in the same JVM. Traced means
 * what {@code lab server --trace} does: JSSE formats its debug records, the lab's logger finder
 * attributes and parses them, and the events go to a consumer (here a counter, not a terminal).
 * Untraced means the debug hooks are switched on in the process but no trace is active, the state
 * of a lab process without {@code --trace}.
 *
 * <p>Every handshake is a full one: each client engine names a different peer port, so the client
 * session cache never offers a session to resume.
 */
public final class TraceBench {
  /** Rounds of each kind, alternated so that JIT and machine load drift affect both alike. */
  static final int ROUNDS = 8;

  /** The figures of one run. */
  public record Result(
      TlsProfile profile,
      int handshakes,
      double offPerSecond,
      double onPerSecond,
      double eventsPerHandshake,
      double medianRoundCost) {

    /** The report printed by {@code lab bench trace}. */
    public String report() {
      double offMs = 1000 / offPerSecond;
      double onMs = 1000 / onPerSecond;
      return String.format(
          "lab bench trace: %d full handshakes each way, profile %s%n"
              + "  in-memory engine pair through the lab driver, one thread; Java %s, load average %.1f on %d cores%n"
              + "  tracing off: %8.1f handshakes/s  (%.2f ms each)%n"
              + "  tracing on:  %8.1f handshakes/s  (%.2f ms each, %.0f events per handshake)%n"
              + "  cost of tracing: %+.2f ms per handshake (%+.0f%%)%n"
              + "  median cost over %d alternating rounds: %+.0f%%",
          handshakes,
          profile,
          System.getProperty("java.version"),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors(),
          offPerSecond,
          offMs,
          onPerSecond,
          onMs,
          eventsPerHandshake,
          onMs - offMs,
          100 * (onMs - offMs) / offMs,
          ROUNDS,
          100 * medianRoundCost);
    }
  }

  private TraceBench() {}

  /**
   * Runs the benchmark.
   *
   * @param handshakes full handshakes per kind (traced and untraced), split over the rounds
   * @throws LabException {@code ENVIRONMENT} when JSSE's debug hooks are not active
   */
  public static Result run(TlsProfile profile, int handshakes) {
    if (handshakes < ROUNDS) {
      throw LabException.badInput("--count must be at least " + ROUNDS);
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("lab-bench-trace-");
      LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.RSA_2048).build());
      SSLContext server = TlsContexts.server(dir);
      SSLContext client = TlsContexts.client(dir.resolve("ca.pem"), null, false);
      AtomicLong events = new AtomicLong();
      int per = handshakes / ROUNDS;
      int[] port = {1};
      // Warm-up, untimed: class loading and JIT for both paths.
      try (HandshakeInspector warm = HandshakeInspector.builder().trace(e -> {}).build()) {
        handshakes(server, client, profile, Math.max(20, per / 2), warm.observer(), port);
        handshakes(server, client, profile, Math.max(20, per / 2), HandshakeObserver.NONE, port);
      }
      long offNanos = 0;
      long onNanos = 0;
      double[] roundCost = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        long off = handshakes(server, client, profile, per, HandshakeObserver.NONE, port);
        long on;
        try (HandshakeInspector traced =
            HandshakeInspector.builder().trace(e -> events.incrementAndGet()).build()) {
          on = handshakes(server, client, profile, per, traced.observer(), port);
        }
        offNanos += off;
        onNanos += on;
        roundCost[r] = (on - off) / (double) off;
      }
      // On a shared machine one slow round can dominate the totals; the median resists that.
      java.util.Arrays.sort(roundCost);
      double median = (roundCost[ROUNDS / 2 - 1] + roundCost[ROUNDS / 2]) / 2;
      int total = per * ROUNDS;
      return new Result(
          profile,
          total,
          total / (offNanos / 1e9),
          total / (onNanos / 1e9),
          events.get() / (double) total,
          median);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // A leftover scratch folder holds throw-away certificates only.
        }
      }
    }
  }

  /**
   * {@code count} full handshakes through the lab's driver (the observer gets exactly the calls it
   * gets in {@code lab server --trace}); returns the nanoseconds they took.
   */
  private static long handshakes(
      SSLContext serverCtx,
      SSLContext clientCtx,
      TlsProfile profile,
      int count,
      HandshakeObserver observer,
      int[] port) {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      SSLEngine s = TlsContexts.serverEngine(serverCtx, profile, ClientAuth.NONE);
      SSLEngine c = TlsContexts.clientEngine(clientCtx, profile, "localhost", port[0]++, false);
      new InMemoryTls(c, s, observer, observer, false).handshake();
    }
    return System.nanoTime() - start;
  }
}
