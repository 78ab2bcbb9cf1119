package tlslab.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;

/**
 * The {@code lab} command: the only place that calls {@link System#exit}. Each subcommand is one
 * thin class in this package; library code below reports user-facing problems as {@link
 * LabException}, which becomes one line on stderr and the exit code from {@link ExitCode}.
 */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    version = "TLS Lab 0.1.0",
    description = "TLS Lab: learn how TLS really works on the wire.",
    footer = {"", ExitCode.TABLE},
    subcommands = {
      DemoCommand.class,
      CertsCommand.class,
      CaCommand.class,
      ServerCommand.class,
      ClientCommand.class,
      TraceCommand.class,
      CaptureCommand.class,
      AnnotateCommand.class,
      MitmCommand.class,
      ExerciseCommand.class,
      ClassCommand.class,
      BenchCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with the lab's error handling; tests call this and capture output. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionExceptionHandler(Main::handleExecutionException);
    cmd.setParameterExceptionHandler(Main::handleParameterException);
    cmd.setExitCodeExceptionMapper(t -> ExitCode.INTERNAL);
    HelpText.reflow(cmd);
    return cmd;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  private static int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (ex instanceof LabException) {
      LabException lab = (LabException) ex;
      err.println(prefix(cmd) + lab.getMessage());
      err.flush();
      return ExitCode.of(lab.kind());
    }
    err.println(prefix(cmd) + "internal error: " + ex);
    ex.printStackTrace(err);
    err.flush();
    return ExitCode.INTERNAL;
  }

  private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String unknown =
        ex instanceof CommandLine.MissingParameterException ? unknownOption(cmd, args) : null;
    // picocli reports a missing FILE before a mistyped option: the typo is the mistake to name.
    err.println(
        prefix(cmd) + (unknown != null ? "Unknown option: '" + unknown + "'" : ex.getMessage()));
    String name = qualifiedName(cmd);
    err.println("Try 'lab " + (name.isEmpty() ? "" : name + " ") + "--help' for usage.");
    err.flush();
    return ExitCode.USAGE;
  }

  /** The first argument that looks like an option {@code cmd} does not have, or null. */
  private static String unknownOption(CommandLine cmd, String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        return null;
      }
      if (a.startsWith("-") && a.length() > 1) {
        String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        if (cmd.getCommandSpec().findOption(name) == null) {
          return name;
        }
      }
    }
    return null;
  }

  /** "lab certs init: " for a subcommand, "lab: " at the top. */
  private static String prefix(CommandLine cmd) {
    String name = qualifiedName(cmd);
    return "lab" + (name.isEmpty() ? "" : " " + name) + ": ";
  }

  private static String qualifiedName(CommandLine cmd) {
    String name = cmd.getCommandSpec().qualifiedName(" ");
    return name.startsWith("lab ") ? name.substring(4) : "";
  }
}
