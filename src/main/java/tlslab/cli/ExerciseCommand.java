package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.exercise.Catalog;
import tlslab.exercise.Exercise;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.exercise.checks.Checkers;

/** {@code lab exercise list | show N | check N}: guided, auto-checked exercises. */
@Command(
    name = "exercise",
    mixinStandardHelpOptions = true,
    description =
        "Guided exercises that check your own evidence (captures, traces, certs, answers).",
    footer = {"", ExitCode.TABLE},
    subcommands = {
      ExerciseCommand.ListCommand.class,
      ExerciseCommand.ShowCommand.class,
      ExerciseCommand.CheckCommand.class
    })
public final class ExerciseCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static Catalog catalog() {
    return Catalog.load(LabHome.path().resolve("exercises"));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the exercises, marking those your work folder passes.")
  static final class ListCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Your work folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "work")
    Path dir;

    @Option(names = "--student", paramLabel = "NAME", description = "Your name or ID in class.")
    String student;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      Workspace ws = new Workspace(dir, Optional.ofNullable(student));
      boolean started = java.nio.file.Files.isDirectory(dir);
      for (Exercise e : catalog().all()) {
        boolean passed =
            started
                && Checkers.forExercise(e.number()).map(c -> c.check(ws).passed()).orElse(false);
        out.printf("%2d  %s %s%n", e.number(), passed ? "passed" : "      ", e.title());
      }
      out.println();
      out.println("Read one: lab exercise show N    Check your work: lab exercise check N");
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Print an exercise.")
  static final class ShowCommand implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "N", description = "Exercise number.")
    int number;

    @Override
    public void run() {
      Catalog c = catalog();
      spec.commandLine().getOut().print(c.text(c.get(number)));
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Check your evidence for exercise N; exit 0 when it passes, 1 when not.",
      footer = {"", ExitCode.TABLE})
  static final class CheckCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "N", description = "Exercise number.")
    int number;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Your work folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "work")
    Path dir;

    @Option(
        names = "--student",
        paramLabel = "NAME",
        description = "Your name or ID in class: checks then demand your bundle in DIR/bundle.")
    String student;

    @Override
    public Integer call() {
      Exercise e = catalog().get(number);
      Report report =
          Checkers.forExercise(number)
              .orElseThrow(() -> LabException.environment("exercise " + number + " has no checker"))
              .check(new Workspace(dir, Optional.ofNullable(student)));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Exercise %d: %s%n", e.number(), e.title());
      for (Report.Item item : report.items()) {
        out.printf("  %s %s%n", item.ok() ? "ok  " : "FAIL", item.requirement());
        if (!item.ok()) {
          out.printf("       hint: %s%n", item.hint());
        }
      }
      out.println(
          report.passed() ? "PASSED" : "NOT YET: fix the items marked FAIL and check again.");
      return report.passed() ? ExitCode.OK : ExitCode.FAILED;
    }
  }
}
