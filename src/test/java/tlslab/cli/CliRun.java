package tlslab.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs {@code lab ARGS} in this JVM as the launcher does, capturing what it prints. The writers do
 * not flush by themselves: what a command does not flush is not seen, as it is lost when the real
 * launcher exits.
 */
public final class CliRun {
  private CliRun() {}

  /** The exit code and what went to standard output and standard error. */
  public record Result(int exit, String out, String err) {}

  public static Result run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    cmd.setOut(new PrintWriter(o));
    cmd.setErr(new PrintWriter(e));
    int code = cmd.execute(args);
    return new Result(code, o.toString(), e.toString());
  }

  /** {@code lab COMMAND ARGS}, for the tests of one command. */
  public static Result command(String command, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    return run(all);
  }

  /**
   * As {@link #run}, reading {@code stdin} as its standard input ({@code lab client} reads {@link
   * System#in}, which is put back afterwards).
   */
  public static synchronized Result withInput(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      return run(args);
    } finally {
      System.setIn(saved);
    }
  }
}
