package tlslab.trace.internal;

import java.lang.reflect.Field;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;

/**
 * Routes JSSE's debug records, which arrive inline on the handshaking thread, to the connection
 * that thread is working for.
 *
 * <p>An {@code SSLEngine} {@linkplain #registerEngine registered} here is recognised by its lock:
 * JSSE holds it during {@code wrap}, {@code unwrap} and the engine's delegated tasks, which a
 * driver may run on another thread (the lab's does). Otherwise attribution is per thread: a thread
 * that drives one {@code SSLSocket} {@linkplain #enter enters} that connection for as long as it
 * handshakes and reads, and an engine observer's callbacks {@linkplain #claim claim} their thread
 * for their engine. Records logged before an engine is known (a client's very first {@code wrap},
 * which logs its Client Hello) wait in a short per-thread queue and go to the next engine that
 * makes a callback on that thread.
 *
 * <p>Cost when nothing is traced: {@link #wanted()} is one thread-local read and one volatile read,
 * and then JSSE skips formatting its dumps.
 */
public final class Dispatcher {
  /** Where the records of one connection go. Implementations must be quick and must not throw. */
  public interface Target {
    /**
     * One of JSSE's debug records that may be a handshake message (see {@link #mayBeMessage}); the
     * target parses it (this package stays below {@code trace} and knows none of its types).
     */
    void onRecord(Instant time, String message, String parameter);

    /** False once the target's trace has ended: the thread then counts as unattributed. */
    boolean active();
  }

  private static final int MAX_PENDING = 64;
  private static final long PENDING_SECONDS = 5;
  private static final ThreadLocal<State> STATE = new ThreadLocal<>();

  /** How many engine observers exist: only then are unattributed records worth keeping. */
  private static final AtomicInteger observers = new AtomicInteger();

  private static final class State {
    Target current;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** The next record on this thread is wanted even if it is a plaintext dump. */
    boolean plaintextWanted;
  }

  private record Pending(Instant time, String message, String parameter) {}

  /** Engines being watched, by their JSSE lock. */
  private static final Map<Target, ReentrantLock> engines = new ConcurrentHashMap<>();

  private Dispatcher() {}

  /** Whether a record logged now on this thread would be used: JSSE's isLoggable. */
  static boolean wanted() {
    State s = STATE.get();
    return (s != null && s.current != null && s.current.active()) || observers.get() > 0;
  }

  /**
   * A target asks for the next record logged on this thread, whatever it is: an {@code SSLEngine}
   * logs the alert it sends as "WRITE: TLSv1.2 alert, length = 2", with no description, and the
   * cipher's dump that follows at once holds the alert's two bytes.
   */
  public static void wantNextPlaintext() {
    state().plaintextWanted = true;
  }

  /** Whether the next record on this thread is wanted whoever logs it (see above). */
  static boolean plaintextWanted() {
    State s = STATE.get();
    return s != null && s.plaintextWanted;
  }

  /** One record from JSSE's logger. */
  static void record(String message, String parameter) {
    State st = STATE.get();
    boolean asked = false;
    if (st != null && st.plaintextWanted) {
      // Only the very next record: the dump comes at once (unless the record is not encrypted).
      st.plaintextWanted = false;
      asked = message != null;
    }
    if (!asked && !mayBeMessage(message)) {
      return; // record dumps, plaintext dumps and notes stop here: never stored, never printed
    }
    Instant now = Instant.now();
    if (!engines.isEmpty()) {
      for (Map.Entry<Target, ReentrantLock> e : engines.entrySet()) {
        if (!e.getKey().active()) {
          engines.remove(e.getKey());
        } else if (e.getValue().isHeldByCurrentThread()) {
          deliver(e.getKey(), now, message, parameter);
          return;
        }
      }
    }
    State s = STATE.get();
    if (s != null && s.current != null && s.current.active()) {
      deliver(s.current, now, message, parameter);
    } else if (observers.get() > 0) {
      if (s == null) {
        s = new State();
        STATE.set(s);
      }
      // Waiting records are meant for an engine's first callback, microseconds away; anything
      // older than this belongs to no traced engine.
      while (!s.pending.isEmpty()
          && (s.pending.size() == MAX_PENDING
              || s.pending.peek().time().isBefore(now.minusSeconds(PENDING_SECONDS)))) {
        s.pending.poll();
      }
      s.pending.add(new Pending(now, message, parameter));
    }
  }

  /**
   * Attributes this thread's records to {@code target} until {@link #restore} is called with the
   * returned previous target.
   */
  public static Target enter(Target target) {
    State s = state();
    Target previous = s.current;
    s.current = target;
    s.pending.clear();
    return previous;
  }

  /** Undoes {@link #enter}. */
  public static void restore(Target previous) {
    State s = state();
    s.current = previous;
  }

  /**
   * An engine observer's callback for {@code target} ran on this thread: later records on this
   * thread go to it (the fallback when JSSE's engine lock is not reachable), and so do all records
   * that were waiting for a first callback.
   */
  public static void claim(Target target) {
    State s = state();
    s.current = target;
    Pending p;
    while ((p = s.pending.poll()) != null) {
      deliver(target, p.time(), p.message(), p.parameter());
    }
  }

  /**
   * A client engine known by its lock passed on its first records: of the records waiting on this
   * thread, it takes the Client Hello whose random is the one on the wire (hex), and any records
   * logged after it. Other waiting records stay for their own engine (or age out): they may belong
   * to another engine on this thread, traced or not.
   */
  public static void claimClientHello(Target target, String randomHex) {
    State s = STATE.get();
    if (s == null || s.pending.isEmpty()) {
      return;
    }
    java.util.List<Pending> list = new java.util.ArrayList<>(s.pending);
    int start = -1;
    for (int i = list.size() - 1; i >= 0; i--) {
      Pending p = list.get(i);
      if (p.message().startsWith("Produced ClientHello")
          && p.parameter() != null
          && p.parameter().contains(randomHex)) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return;
    }
    s.pending.clear();
    s.pending.addAll(list.subList(0, start));
    for (Pending p : list.subList(start, list.size())) {
      deliver(target, p.time(), p.message(), p.parameter());
    }
  }

  /**
   * Watches an engine: records logged while its lock is held go to {@code target}, until the target
   * is no longer {@linkplain Target#active() active}.
   *
   * @return false when JSSE's lock is not reachable (then only the callbacks attribute records)
   */
  public static boolean registerEngine(SSLEngine engine, Target target) {
    ReentrantLock lock = EngineLocks.of(engine);
    if (lock == null) {
      return false;
    }
    engines.put(target, lock);
    return true;
  }

  /** An engine observer starts ({@code +1}) or stops ({@code -1}) listening. */
  public static void observers(int delta) {
    observers.addAndGet(delta);
  }

  private static State state() {
    State s = STATE.get();
    if (s == null) {
      s = new State();
      STATE.set(s);
    }
    return s;
  }

  /**
   * Whether a record's message text can be a TLS message: JSSE's "Produced ...", "Consuming ...",
   * alert and fatal records; record and plaintext dumps and notes are not.
   */
  public static boolean mayBeMessage(String message) {
    return message != null
        && (message.startsWith("Produced ")
            || message.startsWith("Consuming ")
            || message.startsWith("Received alert")
            || message.startsWith("Fatal (")
            || (message.startsWith("WRITE: ") && message.contains(" alert")));
  }

  private static void deliver(Target target, Instant time, String message, String parameter) {
    try {
      target.onRecord(time, message, parameter);
    } catch (RuntimeException e) {
      // A trace must never break the handshake it watches; the target reports its own problems.
    }
  }

  /**
   * Whether JSSE's records reach this dispatcher: {@code javax.net.debug} is the empty string, this
   * process's logger finder is {@link LabLoggerFinder}, and JSSE's logger switched on when it
   * initialised (it reads the property once; set later, it has no effect).
   *
   * @return {@code null} when active, else why not
   */
  public static String whyHooksInactive() {
    if (!"".equals(System.getProperty("javax.net.debug"))) {
      return "javax.net.debug is not the empty string";
    }
    if (!(System.LoggerFinder.getLoggerFinder() instanceof LabLoggerFinder)) {
      return "the lab's System.LoggerFinder is not installed (META-INF/services missing from the"
          + " class path?)";
    }
    try {
      Class<?> logger = Class.forName("sun.security.ssl.SSLLogger");
      Field isOn = logger.getDeclaredField("isOn");
      isOn.setAccessible(true);
      if (!isOn.getBoolean(null)) {
        return "JSSE initialised before javax.net.debug was set";
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Internals not reachable (no --add-opens): the property check above is all we can do.
    }
    return null;
  }
}
