package tlslab.trace.internal;

import java.lang.reflect.Field;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;

/**
 * JSSE's {@code SSLEngineImpl} holds its {@code engineLock} during {@code wrap}, {@code unwrap} and
 * while one of its delegated tasks runs (measured with {@code javap} on JDK 17 and JDK 25). A debug
 * record logged on a thread that holds engine E's lock therefore belongs to E, whichever thread the
 * driver runs tasks on. Needs {@code --add-opens java.base/sun.security.ssl=ALL-UNNAMED}; without
 * it {@link #of} returns null and attribution falls back to the observer callbacks.
 */
final class EngineLocks {
  private static final Field LOCK = lockField();

  private EngineLocks() {}

  private static Field lockField() {
    try {
      Field f = Class.forName("sun.security.ssl.SSLEngineImpl").getDeclaredField("engineLock");
      f.setAccessible(true);
      return ReentrantLock.class.isAssignableFrom(f.getType()) ? f : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The engine's lock, or {@code null} when not reachable. */
  static ReentrantLock of(SSLEngine engine) {
    if (LOCK == null || !LOCK.getDeclaringClass().isInstance(engine)) {
      return null;
    }
    try {
      return (ReentrantLock) LOCK.get(engine);
    } catch (IllegalAccessException e) {
      return null;
    }
  }
}
