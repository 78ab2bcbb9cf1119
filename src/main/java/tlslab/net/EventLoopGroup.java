package tlslab.net;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few {@link EventLoop}s (default: one per core) plus the small executor on which TLS delegated
 * tasks run. Connections are spread over the loops round-robin; each stays on its loop for life.
 */
public final class EventLoopGroup implements AutoCloseable {
  private final EventLoop[] loops;
  private final ExecutorService taskExecutor;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param name prefix of the thread names
   * @param loopCount number of loops; 0 means one per available core
   */
  public EventLoopGroup(String name, int loopCount) {
    int n = loopCount > 0 ? loopCount : Runtime.getRuntime().availableProcessors();
    loops = new EventLoop[n];
    for (int i = 0; i < n; i++) {
      loops[i] = new EventLoop(name + "-loop-" + i);
    }
    int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger seq = new AtomicInteger();
    taskExecutor =
        new ThreadPoolExecutor(
            workers,
            workers,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name + "-tls-task-" + seq.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The next loop, round-robin. */
  public EventLoop next() {
    return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
  }

  /** The first loop (the server's acceptor lives there). */
  public EventLoop first() {
    return loops[0];
  }

  /** Number of loops. */
  public int size() {
    return loops.length;
  }

  /** Where TLS delegated tasks (certificate checks, key exchange math) run. */
  public ExecutorService taskExecutor() {
    return taskExecutor;
  }

  /** Stops every loop and the task executor. */
  @Override
  public void close() {
    for (EventLoop l : loops) {
      l.shutdown();
    }
    taskExecutor.shutdownNow();
  }
}
