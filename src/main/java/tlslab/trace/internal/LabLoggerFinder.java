package tlslab.trace.internal;

import java.util.ResourceBundle;

/**
 * The process's {@link System.LoggerFinder}, registered in {@code
 * META-INF/services/java.lang.System$LoggerFinder}. When {@code javax.net.debug} is the empty
 * string, JSSE sends its debug output to {@code System.getLogger("javax.net.ssl")}; this finder
 * hands that logger's records to the trace {@link Dispatcher}, in-process, instead of printing
 * them. Every other logger behaves as without this finder: it goes to {@code java.util.logging},
 * which is what the JDK's default finder does when the {@code java.logging} module is present.
 *
 * <p>When no trace or key log is active the JSSE logger reports itself not loggable, so JSSE does
 * not even format its dumps, and nothing reaches the terminal either way.
 */
public final class LabLoggerFinder extends System.LoggerFinder {
  /** The logger JSSE uses (see {@code sun.security.ssl.SSLLogger}). */
  public static final String JSSE_LOGGER = "javax.net.ssl";

  @Override
  public System.Logger getLogger(String name, Module module) {
    return JSSE_LOGGER.equals(name) ? new JsseLogger() : new JulLogger(name);
  }

  /** Receives JSSE's records on the handshaking thread. */
  static final class JsseLogger implements System.Logger {
    @Override
    public String getName() {
      return JSSE_LOGGER;
    }

    @Override
    public boolean isLoggable(Level level) {
      return Dispatcher.wanted();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      Dispatcher.record(msg, null);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      Object p = params == null || params.length == 0 ? null : params[0];
      Dispatcher.record(format, p instanceof String ? (String) p : null);
    }
  }
}
