package tlslab.net;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * Runs the chat's hot path before the first real client arrives: a private server on a loopback
 * port and a few clients exchange a few thousand lines through the real code (driver, framer, room,
 * the profile's cipher), one at a time and in bursts, then it waits for the JIT to finish compiling
 * what that made hot.
 *
 * <p>Why: measured with {@code lab bench chat}, a freshly started server spent most of its CPU in
 * the JIT compiler threads (C2) during its first seconds, and ran interpreted or C1-compiled code
 * meanwhile: about three times the CPU per delivery of the same server a minute later. Doing that
 * work at start-up, before the server accepts, moves the cost out of the first clients' way.
 */
final class WarmUp {
  private WarmUp() {}

  /** Runs the warm-up for at most {@code budget} of wall time; returns the milliseconds spent. */
  static long run(SSLContext serverContext, TlsProfile profile, Duration budget) {
    long t0 = System.nanoTime();
    long deadline = t0 + budget.toNanos();
    int clients = 4;
    AtomicLong received = new AtomicLong();
    Semaphore inFlight = new Semaphore(clients - 1); // one line's deliveries
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
      for (int i = 0; i < clients; i++) {
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
                        received.incrementAndGet();
                        inFlight.release();
                      }
                    })
                .build()
                .connect());
      }
      String payload = "warm-up line ".repeat(6);
      int perLine = clients - 1;
      for (int i = 0; i < 6000 && System.nanoTime() < deadline; i++) {
        if (i == 3000) {
          inFlight.release(16 * perLine); // from one line at a time to bursts of 16
        }
        if (!inFlight.tryAcquire(perLine, 1, TimeUnit.SECONDS)) {
          break;
        }
        all.get(i % clients).send(i + " " + payload);
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
    awaitCompiler(deadline);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** Waits until the JIT has compiled nothing new for 200 ms, or the deadline. */
  private static void awaitCompiler(long deadline) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long last = jit.getTotalCompilationTime();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = jit.getTotalCompilationTime();
      if (now == last) {
        return;
      }
      last = now;
    }
  }
}
