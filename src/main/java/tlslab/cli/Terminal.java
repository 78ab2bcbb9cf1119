package tlslab.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard output is a terminal. {@code System.console() != null} no longer says so: from
 * JDK 22 the console may exist with output redirected, and {@code Console.isTerminal()} (JDK 22+,
 * called by reflection since the lab targets Java 17) is the question to ask. Both of those also
 * require standard input to be a terminal, so on Linux the lab also asks the kernel what file
 * descriptor 1 is: {@code lab annotate f.pcap < /dev/null} on a terminal still counts.
 */
final class Terminal {
  private Terminal() {}

  static boolean stdoutIsTerminal() {
    Console c = System.console();
    if (c != null && consoleIsTerminal(c)) return true;
    return procSaysTerminal();
  }

  private static boolean consoleIsTerminal(Console c) {
    Method isTerminal;
    try {
      isTerminal = Console.class.getMethod("isTerminal");
    } catch (NoSuchMethodException e) {
      return true; // JDK 17 to 21: a console exists only when stdin and stdout are terminals
    }
    try {
      return (Boolean) isTerminal.invoke(c);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false; // cannot tell: the /proc check decides
    }
  }

  /** Linux: fd 1 links to /dev/pts/N (a pseudo-terminal), /dev/ttyN or /dev/console. */
  static boolean procSaysTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false; // no /proc (not Linux): only the console answer counts
    }
  }
}
