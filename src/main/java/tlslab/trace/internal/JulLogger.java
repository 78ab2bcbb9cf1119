package tlslab.trace.internal;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A {@link System.Logger} over {@code java.util.logging}, as the JDK's default finder provides:
 * same level mapping, same configuration ({@code logging.properties}: INFO and above to stderr by
 * default). Installing our own finder must not silence or change anybody else's logging.
 */
final class JulLogger implements System.Logger {
  private final String name;
  private volatile Logger jul;

  JulLogger(String name) {
    this.name = name;
  }

  @Override
  public String getName() {
    return name;
  }

  /** Looked up lazily: java.util.logging may itself log while it starts up. */
  private Logger jul() {
    Logger l = jul;
    if (l == null) {
      l = Logger.getLogger(name);
      jul = l;
    }
    return l;
  }

  @Override
  public boolean isLoggable(Level level) {
    return level != Level.OFF && jul().isLoggable(julLevel(level));
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    if (!isLoggable(level)) {
      return;
    }
    LogRecord r = new LogRecord(julLevel(level), localized(bundle, msg));
    r.setThrown(thrown);
    publish(r);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (!isLoggable(level)) {
      return;
    }
    String text = localized(bundle, format);
    if (params != null && params.length > 0) {
      try {
        text = MessageFormat.format(text, params);
      } catch (IllegalArgumentException e) {
        // Not a MessageFormat pattern: print it as it is, like the JDK's simple console logger.
      }
    }
    publish(new LogRecord(julLevel(level), text));
  }

  private void publish(LogRecord r) {
    r.setLoggerName(name);
    StackWalker.StackFrame caller =
        StackWalker.getInstance()
            .walk(
                s ->
                    s.filter(f -> !f.getClassName().startsWith("tlslab.trace.internal."))
                        .filter(f -> !f.getClassName().startsWith("jdk.internal.logger."))
                        .filter(f -> !f.getClassName().startsWith("java.lang.System"))
                        .findFirst()
                        .orElse(null));
    if (caller != null) {
      r.setSourceClassName(caller.getClassName());
      r.setSourceMethodName(caller.getMethodName());
    }
    jul().log(r);
  }

  private static String localized(ResourceBundle bundle, String key) {
    if (bundle == null || key == null || !bundle.containsKey(key)) {
      return key;
    }
    return bundle.getString(key);
  }

  /** The mapping of {@code sun.util.logging.PlatformLogger}. */
  static java.util.logging.Level julLevel(Level level) {
    switch (level) {
      case ALL:
        return java.util.logging.Level.ALL;
      case TRACE:
        return java.util.logging.Level.FINER;
      case DEBUG:
        return java.util.logging.Level.FINE;
      case INFO:
        return java.util.logging.Level.INFO;
      case WARNING:
        return java.util.logging.Level.WARNING;
      case ERROR:
        return java.util.logging.Level.SEVERE;
      case OFF:
        return java.util.logging.Level.OFF;
      default:
        throw new AssertionError(level);
    }
  }
}
