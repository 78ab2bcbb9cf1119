package tlslab.cli;

/**
 * Ctrl-C and SIGTERM as an ordinary event instead of a JVM shutdown, for commands that must finish
 * their work (complete a file, print a summary) and still choose their exit code. Uses {@code
 * sun.misc.Signal} (module jdk.unsupported, present in JDK 17 and 25).
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on SIGINT and SIGTERM instead of shutting the JVM down; false if the
   * signals could not be taken over (then the JVM's shutdown hooks run as usual).
   */
  static boolean onInterrupt(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> action.run());
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> action.run());
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      // The signal is ignored by our parent (a background job) or reserved by the VM.
      return false;
    }
  }
}
