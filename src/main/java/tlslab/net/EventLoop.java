package tlslab.net;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import tlslab.common.LabException;

/**
 * One thread, one {@link Selector}: the Java form of the report's {@code select()} loop.
 *
 * <p>The report's server calls {@code select.select(inputs, [], [])} and then, for each ready
 * socket, accepts or reads. Here the selector plays {@code select}, each registered channel has a
 * {@link Handler} (for a TLS connection: its {@link TlsDriver}) and the loop calls it when the
 * channel is ready. The differences that matter: sockets are non-blocking, so a slow peer never
 * stalls the loop; the loop also waits for <em>writability</em>, so a full socket buffer is not a
 * problem; and work from other threads (a chat line for a client owned by this loop, the end of a
 * delegated TLS task) arrives through {@link #execute}, which wakes the selector.
 *
 * <p>Everything a loop owns (its channels, drivers, {@link #buffers()}) is touched only by its
 * thread, so none of it needs locks.
 */
public final class EventLoop implements Executor {
  /** Reacts to readiness of one registered channel. */
  public interface Handler {
    /** The channel is ready for some of the operations of the key's interest set. */
    void onReady(SelectionKey key);
  }

  private final Selector selector;
  private final Thread thread;
  // Tasks from other threads, guarded by itself: an array deque under a short lock allocates
  // nothing per task, where a lock-free queue allocates a node per line handed between loops.
  private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
  private final java.util.ArrayDeque<Runnable> batch = new java.util.ArrayDeque<>();
  // Tasks queued by the loop's own thread: no lock, no queue node, no wakeup.
  private final java.util.ArrayDeque<Runnable> localTasks = new java.util.ArrayDeque<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  // Tasks held back a little (see defer), and the one timer that runs them together.
  private final java.util.ArrayDeque<Runnable> deferred = new java.util.ArrayDeque<>();
  private final Runnable runDeferred = this::runDeferred;
  private final BufferPool buffers = BufferPool.forTls();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  /** A task scheduled on the loop; cancel it when no longer needed. */
  public static final class Timer implements Comparable<Timer> {
    final long deadline;
    final Runnable action;
    boolean cancelled;

    Timer(long deadline, Runnable action) {
      this.deadline = deadline;
      this.action = action;
    }

    /** Prevents the action from running (call on the loop thread). */
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Timer o) {
      return Long.compare(deadline, o.deadline);
    }
  }

  /** Opens the selector and starts the loop's thread. */
  public EventLoop(String name) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw LabException.environment("cannot open a selector: " + e.getMessage());
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code task} on the loop thread soon; safe from any thread. */
  @Override
  public void execute(Runnable task) {
    if (Thread.currentThread() == thread) {
      localTasks.add(task);
      return;
    }
    synchronized (tasks) {
      tasks.add(task);
    }
    if (wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  /** Whether the caller is this loop's thread. */
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** The loop's buffer pool (loop thread only). */
  public BufferPool buffers() {
    return buffers;
  }

  /** Registers a channel (loop thread only); it is made non-blocking. */
  public SelectionKey register(SelectableChannel channel, int ops, Handler handler) {
    try {
      channel.configureBlocking(false);
      return channel.register(selector, ops, handler);
    } catch (ClosedChannelException e) {
      return null;
    } catch (IOException e) {
      throw LabException.network("cannot register channel: " + e.getMessage(), e);
    }
  }

  /** Runs {@code action} on the loop after {@code delayNanos} (loop thread only). */
  public Timer schedule(long delayNanos, Runnable action) {
    Timer t = new Timer(System.nanoTime() + delayNanos, action);
    timers.add(t);
    return t;
  }

  /**
   * Runs {@code task} {@code delayNanos} after the first task deferred since the last such run, in
   * one batch with every task deferred meanwhile (loop thread only). A chat server defers its
   * flushes this way so that lines for one client that arrive within the delay leave as one record
   * and one write: one timer per batch, not per task.
   */
  public void defer(Runnable task, long delayNanos) {
    if (deferred.isEmpty()) {
      schedule(delayNanos, runDeferred);
    }
    deferred.add(task);
  }

  private void runDeferred() {
    // Deferred tasks come only through execute(), never from a deferred task itself: drain all.
    for (Runnable r; (r = deferred.poll()) != null; ) {
      run(r);
    }
  }

  /** Number of channels registered (loop thread only, or approximate). */
  public int registered() {
    return selector.keys().size();
  }

  /** Stops the loop after the tasks queued so far, closes the selector and waits (bounded). */
  public void shutdown() {
    execute(() -> running = false);
    if (!inLoop()) {
      try {
        stopped.await(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      while (running) {
        long timeout = nextTimeoutMillis();
        if (localTasks.isEmpty() && noRemoteTasks()) {
          selector.select(timeout);
        } else {
          selector.selectNow();
        }
        wakeupPending.set(false);
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          try {
            if (key.isValid()) {
              ((Handler) key.attachment()).onReady(key);
            }
          } catch (CancelledKeyException ignored) {
            // Closed while we looked at it.
          } catch (RuntimeException e) {
            key.cancel();
            System.getLogger("tlslab.net")
                .log(System.Logger.Level.WARNING, "connection handler failed", e);
          }
        }
        runTasks();
        runTimers();
      }
    } catch (IOException e) {
      System.getLogger("tlslab.net").log(System.Logger.Level.ERROR, "selector failed", e);
    } finally {
      try {
        selector.close();
      } catch (IOException ignored) {
        // Nothing left to do with it.
      }
      stopped.countDown();
    }
  }

  private void runTasks() {
    // Only the tasks present now: a task that re-queues itself must not starve the selector.
    for (int n = localTasks.size(); n > 0; n--) {
      run(localTasks.poll());
    }
    synchronized (tasks) {
      batch.addAll(tasks);
      tasks.clear();
    }
    for (Runnable r; (r = batch.poll()) != null; ) {
      run(r);
    }
  }

  private boolean noRemoteTasks() {
    synchronized (tasks) {
      return tasks.isEmpty();
    }
  }

  private static void run(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      System.getLogger("tlslab.net").log(System.Logger.Level.WARNING, "loop task failed", e);
    }
  }

  private void runTimers() {
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.peek().deadline <= now) {
      Timer t = timers.poll();
      if (!t.cancelled) {
        t.action.run();
      }
    }
  }

  private long nextTimeoutMillis() {
    while (!timers.isEmpty() && timers.peek().cancelled) {
      timers.poll();
    }
    if (timers.isEmpty()) {
      return 0; // block until woken
    }
    long ms = (timers.peek().deadline - System.nanoTime() + 999_999) / 1_000_000;
    return Math.max(1, ms);
  }
}
