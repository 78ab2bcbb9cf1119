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
import tlslab.exercise.checks.FramingCheck;

/**
 * {@code lab exercise list | show N | check N|all | challenge | submit}: guided, auto-checked
 * exercises.
 */
@Command(
    name = "exercise",
    mixinStandardHelpOptions = true,
    description =
        "Guided exercises that check your own evidence (captures, traces, certs, answers).",
    footer = {"", ExitCode.TABLE},
    subcommands = {
      ExerciseCommand.ListCommand.class,
      ExerciseCommand.ShowCommand.class,
      ExerciseCommand.CheckCommand.class,
      ExerciseCommand.ChallengeCommand.class,
      ExerciseCommand.SubmitCommand.class
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

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print an exercise (questions with options shuffled for you).")
  static final class ShowCommand implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "N", description = "Exercise number.")
    int number;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Your work folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "work")
    Path dir;

    @Option(names = "--student", paramLabel = "ID", description = "Your ID in class.")
    String student;

    @Override
    public void run() {
      Catalog c = catalog();
      PrintWriter out = spec.commandLine().getOut();
      String text =
          FramingCheck.personalised(
              c.text(c.get(number)), new Workspace(dir, Optional.ofNullable(student)));
      out.print(text.endsWith("\n") ? text : text + "\n");
      // Main exits without closing the writer: flush, or a pipe gets nothing.
      out.flush();
    }
  }

  @Command(
      name = "challenge",
      mixinStandardHelpOptions = true,
      description = {
        "Print your challenge, the code the exercises have you send in the encrypted chat.",
        "In class it is in your bundle (DIR/bundle/challenge.txt); for self-study the first",
        "call draws a random one into DIR/challenge.txt (it then proves nothing about who",
        "did the work, and the checks say so)."
      })
  static final class ChallengeCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Your work folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "work")
    Path dir;

    @Override
    public void run() {
      Workspace ws = new Workspace(dir, Optional.empty());
      tlslab.exercise.Identity id = ws.identity();
      if (id.problem() != null && id.mode() == tlslab.exercise.Identity.Mode.SELF_STUDY) {
        tlslab.exercise.Identity.newSelfStudyChallenge(dir);
        id = ws.identity();
      }
      if (id.problem() != null) {
        throw LabException.badInput(id.problem());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(id.challenge());
      out.flush();
    }
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      description = {
        "Write one archive holding exactly what the checkers read (certs/ca.pem, server.pem,",
        "server.key, client-*.pem, captures, key logs, traces, answers, your bundle's",
        "certificate and challenge), whatever .gitignore says; never ca.key, a .p12 or a",
        "*-combined.pem. Hand the archive in as your instructor says."
      },
      footer = {"", ExitCode.TABLE})
  static final class SubmitCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Your work folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "work")
    Path dir;

    @Option(
        names = "--student",
        paramLabel = "ID",
        description = "Your ID in class (default: your bundle's folder name, else 'self-study').")
    String student;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "The archive (default: submission-ID.zip).")
    Path out;

    @Option(names = "--force", description = "Replace an existing archive.")
    boolean force;

    @Override
    public Integer call() {
      // The bundle's folder is the student's key in the class manifest (their ID when the roster
      // gives one): two students may share a name, never a folder.
      java.util.Optional<String> bundleKey =
          tlslab.exercise.Identity.bundleFolder(dir.resolve("bundle"))
              .map(
                  p ->
                      p.equals(dir.resolve("bundle")) ? bundleStem(p) : p.getFileName().toString());
      String who = student != null ? student : bundleKey.orElse("self-study");
      if (student != null) {
        tlslab.exercise.Identity.bundleOwnerOtherThan(dir, student)
            .ifPresent(
                owner -> {
                  throw LabException.badInput(
                      "your bundle in "
                          + dir.resolve("bundle")
                          + " was issued to "
                          + owner
                          + ", not to '"
                          + student
                          + "': hand in under your own ID (or leave --student out)");
                });
        if (bundleKey.isPresent()
            && !bundleKey.get().equals("self-study")
            && !tlslab.exercise.Identity.plain(bundleKey.get())
                .equals(tlslab.exercise.Identity.plain(student))) {
          // --student "Alex Kim": the bundle names them, and its folder says which Alex Kim.
          who = bundleKey.get();
          spec.commandLine()
              .getErr()
              .printf("lab exercise submit: handing in as %s, your bundle's ID%n", who);
        }
      }
      Path file = out != null ? out : Path.of("submission-" + who + ".zip");
      java.util.List<String> files = tlslab.exercise.Submission.write(dir, who, file, force);
      PrintWriter o = spec.commandLine().getOut();
      o.printf("Wrote %s for %s: %d files%n", file, who, files.size());
      files.forEach(f -> o.println("  " + f));
      o.flush();
      return ExitCode.OK;
    }

    /** A bundle copied as the folder itself: its certificate's file name is the student's key. */
    private static String bundleStem(Path bundle) {
      try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(bundle)) {
        return s.map(p -> p.getFileName().toString())
            .filter(
                n ->
                    n.endsWith(".p12")
                        || (n.endsWith(".pem")
                            && !n.equals("ca.pem")
                            && !n.endsWith("-combined.pem")))
            .map(n -> n.replaceFirst("\\.(p12|pem)$", ""))
            .findFirst()
            .orElse("self-study");
      } catch (java.io.IOException e) {
        return "self-study";
      }
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Check your evidence for exercise N, or for all of them; exit 0 when it passes (all"
              + " pass), 1 when not.",
      footer = {"", ExitCode.TABLE})
  static final class CheckCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "N|all", description = "Exercise number, or all.")
    String which;

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
      Catalog catalog = catalog();
      java.util.List<Exercise> chosen;
      if (which.equalsIgnoreCase("all")) {
        chosen = catalog.all();
      } else {
        int n;
        try {
          n = Integer.parseInt(which);
        } catch (NumberFormatException ex) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(), "N must be an exercise number or 'all', got '" + which + "'");
        }
        chosen = java.util.List.of(catalog.get(n));
      }
      Workspace ws = new Workspace(dir, Optional.ofNullable(student));
      PrintWriter out = spec.commandLine().getOut();
      int passed = 0;
      for (Exercise e : chosen) {
        Report report =
            Checkers.forExercise(e.number())
                .orElseThrow(
                    () -> LabException.environment("exercise " + e.number() + " has no checker"))
                .check(ws);
        out.printf("Exercise %d: %s%n", e.number(), e.title());
        report.notes().forEach(n -> out.printf("  (%s)%n", n));
        for (Report.Item item : report.items()) {
          out.printf("  %s %s%n", item.ok() ? "ok  " : "FAIL", item.requirement());
          if (!item.ok()) {
            out.printf("       hint: %s%n", item.hint());
          }
        }
        out.println(
            report.passed() ? "PASSED" : "NOT YET: fix the items marked FAIL and check again.");
        passed += report.passed() ? 1 : 0;
        if (chosen.size() > 1) {
          out.println();
        }
      }
      if (chosen.size() > 1) {
        out.printf("%d of %d exercises passed.%n", passed, chosen.size());
      }
      out.flush();
      return passed == chosen.size() ? ExitCode.OK : ExitCode.FAILED;
    }
  }
}
