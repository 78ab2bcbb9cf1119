package tlslab.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code lab ARGS} in this JVM as the launcher does, capturing what it prints. */
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
}
