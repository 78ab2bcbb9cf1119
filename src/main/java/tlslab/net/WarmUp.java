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
 * the loops' CPU per line stopped falling. Each round also has clients leave ({@code /quit}) and
 * new ones join (a handshake, {@code /nick}, {@code /whoami}), and sends {@code /list} and {@code
 * /msg}: real clients start with a wave of handshakes and commands, and a profile of lines alone
 * left C2 compiling the handshake path while the first real clients waited. That moves the JIT's
 * cost out of the first clients' way, not out of the world: {@code lab bench chat} counts it as
 * start-up CPU and prints it.
 */
final class WarmUp {
  private static final int CLIENTS = 8; // two loops, so lines cross loops as in a real server
  private static final int MAX_ROUNDS = 40;
  // A full handshake before C2 has compiled its arithmetic takes a good part of a second here,
  // and on a loaded machine a leave took over a second too (a full test run): room for both.
  private static final int JOIN_SECONDS = 5;
  private static final int NEW_PER_ROUND = 2; // clients that leave and come back each round

  private WarmUp() {}

  /**
   * Runs the warm-up for at most {@code budget} of wall time, with the real server's settings
   * (profile, flush delay, line limit); returns what it did.
   */
  static ChatServer.WarmUpReport run(ChatServer.Builder real, Duration budget) {
    long t0 = System.nanoTime();
    int[] joins = {0};
    int round = 0;
    String end = "round limit";
    long deadline = t0 + budget.toNanos();
    Semaphore inFlight = new Semaphore(CLIENTS - 1); // one line's deliveries
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (EventLoopGroup group = new EventLoopGroup("warm-up", 2);
        ChatServer server =
            ChatServer.builder()
                .context(real.context)
                .port(0)
                .profile(real.profile)
                .flushDelay(real.flushDelay)
                .maxLineBytes(real.maxLineBytes)
                .group(group)
                .build()
                .start()) {
      // The client trusts whatever this process's own server presents: it talks to itself over
      // loopback, with lines of no value, so there is nothing a verification would protect.
      // One context for all would make every handshake after the first a resumption (JSSE's
      // client session cache): no key exchange, no signature, and C2 then compiled those while
      // the first real clients, each with a full handshake, waited. Every other join has a
      // context of its own (a full handshake); the others share one (resumption, as a client that
      // comes back does). The full handshakes name the server (SNI, as browsers and lab client
      // do): the first server name a JSSE server parses loads the JDK's IDN tables, 0.1 s on the
      // event loop, which the first real client paid for when the warm-up sent none.
      SSLContext shared = TlsContexts.client(null, null, true);
      java.util.function.IntFunction<ChatClient> join =
          n -> {
            boolean full = joins[0] % 2 == 0;
            ChatClient c =
                ChatClient.builder()
                    .host(full ? "localhost" : "127.0.0.1")
                    .port(server.port())
                    .context(full ? TlsContexts.client(null, null, true) : shared)
                    .profile(real.profile)
                    .insecure(true)
                    .group(group)
                    .onLine(
                        l -> {
                          if (l.startsWith("<")) {
                            inFlight.release();
                          }
                        })
                    .build()
                    .connect();
            // What real clients do first (lab bench chat's clients, lab client scripts).
            c.send("/nick w" + n);
            c.send("/whoami");
            joins[0]++;
            return c;
          };
      List<ChatClient> all = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        all.add(join.apply(i));
      }
      if (!members(server, CLIENTS, deadline, JOIN_SECONDS)) {
        return done(t0, round, joins[0], late(deadline, "clients did not join"));
      }
      String payload = "warm-up line ".repeat(6);
      int perLine = CLIENTS - 1;
      long lastJit = jitTimed ? jit.getTotalCompilationTime() : 0;
      double lastCost = Double.MAX_VALUE;
      int quiet = 0;
      for (; round < MAX_ROUNDS && quiet < 2; round++) {
        long cpu0 = loopCpu(threads);
        // Odd rounds in bursts of 16 lines in flight (unpaced load), even rounds one at a time.
        int burst = round % 2 == 1 ? 16 : 1;
        if (burst > 1) {
          inFlight.release((burst - 1) * perLine);
        }
        for (int i = 0; i < real.warmUpRoundLines; i++) {
          if (System.nanoTime() > deadline) {
            return done(t0, round, joins[0], "time budget");
          }
          if (!inFlight.tryAcquire(perLine, 1, TimeUnit.SECONDS)) {
            return done(t0, round, joins[0], "a line was not delivered within a second");
          }
          ChatClient from = all.get(i % CLIENTS);
          from.send(i + " " + payload);
          if (i % 500 == 50) {
            from.send("/list"); // replies, not broadcasts: not counted in flight
            from.send("/msg w" + ((i + 1) % CLIENTS) + " psst");
          }
        }
        // Let the round's lines arrive, and take back the burst's extra permits.
        if (!inFlight.tryAcquire(burst * perLine, 1, TimeUnit.SECONDS)) {
          return done(t0, round, joins[0], "a line was not delivered within a second");
        }
        inFlight.release(perLine);
        // Clients leave and new ones come, so that handshakes, joins and leaves run all along
        // (the first real clients are a wave of handshakes and /nick commands): a profile made of
        // lines only had C2 compile the handshake path while the first real clients waited.
        for (int k = 0; k < NEW_PER_ROUND; k++) {
          int slot = (round * NEW_PER_ROUND + k) % CLIENTS;
          all.get(slot).send("/quit");
          all.get(slot).closedFuture().get(JOIN_SECONDS, TimeUnit.SECONDS);
          if (!members(server, CLIENTS - 1, deadline, JOIN_SECONDS)) {
            return done(t0, round, joins[0], late(deadline, "a client did not leave"));
          }
          all.set(slot, join.apply(slot));
          if (!members(server, CLIENTS, deadline, JOIN_SECONDS)) {
            return done(t0, round, joins[0], late(deadline, "a client did not join"));
          }
        }
        double cost = (loopCpu(threads) - cpu0) / (double) real.warmUpRoundLines;
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
      if (quiet >= 2) {
        end = "JIT quiet";
      }
      for (ChatClient c : all) {
        c.closeAsync();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      end = "interrupted";
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | RuntimeException e) {
      // A warm-up that fails (no loopback?) costs nothing but speed; the real server still starts.
      System.getLogger("tlslab.net").log(System.Logger.Level.INFO, "warm-up skipped: " + e);
      end = "failed: " + e;
    }
    return done(t0, round, joins[0], end);
  }

  /**
   * Waits up to {@code seconds} until the room holds {@code n} members (joins and leaves are
   * asynchronous).
   */
  /**
   * Why a wait for members ended early: the warm-up's time budget, when that is what ran out (the
   * wait stops at the budget too), else {@code what} within the join limit.
   */
  private static String late(long deadline, String what) {
    return System.nanoTime() > deadline ? "time budget" : what + " within " + JOIN_SECONDS + " s";
  }

  private static boolean members(ChatServer server, int n, long deadline, int seconds) {
    long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
    while (server.memberCount() != n) {
      if (System.nanoTime() > until) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
    return true;
  }

  private static ChatServer.WarmUpReport done(long t0, int rounds, int joins, String end) {
    return new ChatServer.WarmUpReport(
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), rounds, joins, end);
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
