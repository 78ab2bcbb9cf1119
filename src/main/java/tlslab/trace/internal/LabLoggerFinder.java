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

  private static final StackWalker WALKER = StackWalker.getInstance();

  /**
   * Whether the JSSE code asking to log is the record layer ({@code SSLSocketInputRecord}, {@code
   * SSLEngineOutputRecord}, …: "Raw read", "Raw write", "READ:") or a cipher ({@code SSLCipher$…}:
   * "Plaintext before ENCRYPTION"), or key/trust managers and the context listing certificates and
   * suites. Alerts written by the record layer are kept: they are the produced Alert events (a
   * socket logs them in {@code encodeAlert}, an engine in its handshake fragmenter's {@code
   * acquireCiphertext}, which also logs its handshake and Change Cipher Spec records there: cheap
   * lines that {@link Dispatcher#mayBeMessage} drops).
   */
  static boolean isDumpCaller() {
    return WALKER.walk(
        frames ->
            frames
                .filter(f -> f.getClassName().startsWith("sun.security.ssl."))
                .filter(f -> !f.getClassName().equals("sun.security.ssl.SSLLogger"))
                .findFirst()
                .map(f -> isDumper(f.getClassName(), f.getMethodName()))
                .orElse(false));
  }

  static boolean isDumper(String className, String method) {
    String simple = className.substring("sun.security.ssl.".length());
    if (simple.startsWith("SSLCipher")
        || simple.contains("TrustManager")
        || simple.contains("KeyManager")
        || simple.startsWith("TrustStore")
        || simple.startsWith("SSLContextImpl")) {
      return true; // dumps, and certificate/suite listings that are no TLS message
    }
    boolean recordLayer =
        simple.endsWith("InputRecord")
            || simple.endsWith("OutputRecord")
            || simple.contains("InputRecord$")
            || simple.contains("OutputRecord$");
    return recordLayer && !method.equals("encodeAlert") && !method.equals("acquireCiphertext");
  }

  /** Receives JSSE's records on the handshaking thread. */
  static final class JsseLogger implements System.Logger {
    @Override
    public String getName() {
      return JSSE_LOGGER;
    }

    /**
     * JSSE asks this before it formats a record's parameters, and formatting is the expensive part
     * (hex dumps of every record and its plaintext are most of the ~450 records per connection). So
     * besides "is anything traced on this thread?" it looks at who is logging and declines the
     * record layer's and the ciphers' dumps, which never become events.
     */
    @Override
    public boolean isLoggable(Level level) {
      return Dispatcher.wanted() && (Dispatcher.plaintextWanted() || !isDumpCaller());
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
