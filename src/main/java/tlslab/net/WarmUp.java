package tlslab.net;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * Runs the chat's hot path before the first real client arrives: a private server on a loopback
 * port and a few clients exchange lines through the real code (driver, framer, room, the profile's
 * cipher), one at a time and in bursts, in rounds, until the JIT has compiled what that made hot.
 *
 * <p>Why: measured with {@code lab bench chat}, a freshly started server spent most of its CPU in
 * the JIT compiler threads (C2) during its first seconds, and ran interpreted or C1-compiled code
 * meanwhile: about three times the CPU per delivery of the same server a minute later. A fixed
 * number of lines was not enough: under load the compile queue is long, HotSpot raises its
 * thresholds (tiered "load feedback"), and the hot path was still in C1's profiling tier when the
 * clients came. So the warm-up runs rounds until one passes in which the JIT compiled nothing and
 * the loops' CPU per line stopped falling. That moves the JIT's cost out of the first clients' way,
 * not out of the world: {@code lab bench chat} counts it as start-up CPU and prints it.
 */
final class WarmUp {
  private static final int CLIENTS = 8; // two loops, so lines cross loops as in a real server
  private static final int ROUND_LINES = 1500;
  private static final int MAX_ROUNDS = 40;

  private WarmUp() {}

  /** Runs the warm-up for at most {@code budget} of wall time; returns the milliseconds spent. */
  static long run(SSLContext serverContext, TlsProfile profile, Duration budget) {
    long t0 = System.nanoTime();
    long deadline = t0 + budget.toNanos();
    Semaphore inFlight = new Semaphore(CLIENTS - 1); // one line's deliveries
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (EventLoopGroup group = new EventLoopGroup("warm-up", 2);
        ChatServer server =
            ChatServer.builder()
                .context(serverContext)
                .port(0)
                .profile(profile)
                .group(group)
                .build()
                .start()) {
      // The client trusts whatever this process's own server presents: it talks to itself over
      // loopback, with lines of no value, so there is nothing a verification would protect.
      SSLContext clientCtx = TlsContexts.client(null, null, true);
      List<ChatClient> all = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        all.add(
            ChatClient.builder()
                .host("127.0.0.1")
                .port(server.port())
                .context(clientCtx)
                .profile(profile)
                .insecure(true)
                .group(group)
                .onLine(
                    l -> {
                      if (l.startsWith("<")) {
                        inFlight.release();
                      }
                    })
                .build()
                .connect());
      }
      String payload = "warm-up line ".repeat(6);
      int perLine = CLIENTS - 1;
      long lastJit = jitTimed ? jit.getTotalCompilationTime() : 0;
      double lastCost = Double.MAX_VALUE;
      int quiet = 0;
      for (int round = 0; round < MAX_ROUNDS && quiet < 2; round++) {
        long cpu0 = loopCpu(threads);
        // Odd rounds in bursts of 16 lines in flight (unpaced load), even rounds one at a time.
        int burst = round % 2 == 1 ? 16 : 1;
        if (burst > 1) {
          inFlight.release((burst - 1) * perLine);
        }
        for (int i = 0; i < ROUND_LINES; i++) {
          if (System.nanoTime() > deadline || !inFlight.tryAcquire(perLine, 1, TimeUnit.SECONDS)) {
            return done(t0);
          }
          all.get(i % CLIENTS).send(i + " " + payload);
        }
        // Let the round's lines arrive, and take back the burst's extra permits.
        if (!inFlight.tryAcquire(burst * perLine, 1, TimeUnit.SECONDS)) {
          return done(t0);
        }
        inFlight.release(perLine);
        double cost = (loopCpu(threads) - cpu0) / (double) ROUND_LINES;
        long nowJit = jitTimed ? jit.getTotalCompilationTime() : lastJit;
        // Done when a round compiled nothing and cost no more than the one before it (within
        // 10 %), twice in a row: compare rounds of the same kind only (singles vs bursts).
        boolean settled = nowJit == lastJit && (cost <= lastCost * 1.1 || burst == 1);
        quiet = settled ? quiet + 1 : 0;
        lastJit = nowJit;
        if (burst > 1) {
          lastCost = cost;
        }
      }
      for (ChatClient c : all) {
        c.closeAsync();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A warm-up that fails (no loopback?) costs nothing but speed; the real server still starts.
      System.getLogger("tlslab.net").log(System.Logger.Level.INFO, "warm-up skipped: " + e);
    }
    return done(t0);
  }

  private static long done(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** CPU nanoseconds of the warm-up's loop threads so far (0 where the JVM cannot tell). */
  private static long loopCpu(ThreadMXBean threads) {
    if (!threads.isThreadCpuTimeSupported()) {
      return 0;
    }
    long sum = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith("warm-up-loop-")) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }
}
