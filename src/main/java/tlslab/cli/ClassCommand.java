package tlslab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.exercise.ClassRecord;
import tlslab.exercise.Exercise;
import tlslab.exercise.checks.Checkers;
import tlslab.exercise.checks.GradebookPage;
import tlslab.exercise.checks.Grading;

/** {@code lab class grade}: the instructor's side of the exercises. */
@Command(
    name = "class",
    mixinStandardHelpOptions = true,
    description = "For instructors: grade a class's submissions.",
    footer = {"", ExitCode.TABLE},
    subcommands = {ClassCommand.GradeCommand.class})
public final class ClassCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "grade",
      mixinStandardHelpOptions = true,
      description = {
        "Run every exercise checker on every submission (lab exercise submit archives, or work",
        "folders) against the class record: the class CA, manifest.tsv and class.secret that",
        "lab certs class wrote in DIR. Writes a gradebook (one row per student: passed, failed",
        "with the hint, or missing per exercise; conceptual answers to read; collusion flags)",
        "and prints a summary. Flags two submissions that share an evidence file, a hello",
        "random, a key-log secret, a challenge or a certificate, answers in their own words",
        "that are the same or near-copies (another name, reordered, a synonym or two: with",
        "how alike), and answers pasted from the lab's own texts. Says which exercises are",
        "bound to each student's class key (1 and 8 cannot be, by their nature)."
      },
      footer = {
        "",
        "Example: lab class grade --class certs/class --submissions handed-in --out grades.csv",
        "",
        ExitCode.TABLE
      })
  static final class GradeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--class",
        required = true,
        paramLabel = "DIR",
        description = "The class folder from lab certs class (manifest.tsv, class.secret, ca.pem).")
    Path classDir;

    @Option(
        names = "--submissions",
        required = true,
        paramLabel = "DIR",
        description = "Folder of submissions: .zip archives or work folders.")
    Path submissions;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Gradebook CSV (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("gradebook.csv");

    @Option(names = "--force", description = "Overwrite an existing gradebook.")
    boolean force;

    @Option(
        names = "--html",
        paramLabel = "FILE",
        description =
            "The gradebook as a self-contained HTML page too (default: beside the CSV, named like"
                + " it with .html).")
    Path html;

    @Override
    public Integer call() {
      if (Files.exists(out) && !force) {
        throw LabException.refused(out + " exists; use --force to overwrite it");
      }
      Path page = html != null ? html : htmlBeside(out);
      if (Files.exists(page) && !force) {
        throw LabException.refused(page + " exists; use --force to overwrite it");
      }
      ClassRecord klass = ClassRecord.load(classDir);
      if (klass.caDir().isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "lab class grade: revocations not checked: no folder holding the class CA beside"
                    + " "
                    + classDir
                    + " (lab certs class puts the class in CA/class)");
      }
      List<Exercise> exercises = ExerciseCommand.catalog().all();
      PrintWriter err = spec.commandLine().getErr();
      long start = System.nanoTime();
      Path scratch;
      try {
        scratch = Files.createTempDirectory("tlslab-grade-");
      } catch (IOException e) {
        throw LabException.environment("cannot make a scratch folder: " + e.getMessage());
      }
      for (String h : Grading.hidden(submissions)) {
        err.println("lab class grade: left out " + submissions.resolve(h) + " (a hidden file)");
      }
      List<Grading.Graded> rows;
      try {
        rows =
            Grading.grade(
                klass,
                submissions,
                exercises,
                scratch,
                Checkers::forExercise,
                (done, total, name) -> {
                  err.printf("graded %d/%d (%s)%n", done, total, name);
                  err.flush();
                });
      } finally {
        deleteTree(scratch);
      }
      try {
        Files.writeString(out, Grading.csv(rows, exercises), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw LabException.badInput("cannot write " + out + ": " + e.getMessage());
      }
      try {
        Files.writeString(page, GradebookPage.html(rows, exercises), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw LabException.badInput("cannot write " + page + ": " + e.getMessage());
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      PrintWriter o = spec.commandLine().getOut();
      StringBuilder head = new StringBuilder(String.format("%-14s %-24s", "student", "name"));
      for (Exercise e : exercises) {
        head.append(String.format(" %2d", e.number()));
      }
      o.println(head.append("  passed  flags"));
      for (Grading.Graded g : rows) {
        StringBuilder line =
            new StringBuilder(
                String.format("%-14s %-24s", cut(g.student(), 14), cut(g.name(), 24)));
        for (Exercise e : exercises) {
          Grading.Outcome x = g.outcomes().get(e.number());
          line.append(
              x == null
                  ? "  ."
                  : switch (x.status()) {
                    case PASSED -> "  ✓";
                    case FAILED -> "  ✗";
                    case MISSING -> "  -";
                  });
        }
        line.append(String.format("  %2d/%-3d ", g.passed(), exercises.size()));
        line.append(g.flags().isEmpty() ? "" : "FLAGGED: " + String.join("; ", g.flags()));
        if (g.submission().equals(Grading.NO_SUBMISSION)) {
          line.append("no submission");
        }
        o.println(line);
      }
      long flagged = rows.stream().filter(g -> !g.flags().isEmpty()).count();
      List<String> none =
          rows.stream()
              .filter(g -> g.submission().equals(Grading.NO_SUBMISSION))
              .map(Grading.Graded::student)
              .toList();
      o.printf(
          "%d submissions graded in %d ms; %d flagged; %s; gradebook: %s and %s (✓ passed, ✗"
              + " failed: hint in the gradebook, - missing)%n",
          rows.size() - none.size(),
          ms,
          flagged,
          none.isEmpty()
              ? "every student of the manifest handed something in"
              : none.size()
                  + " of the manifest's students handed in nothing ("
                  + String.join(", ", none)
                  + ")",
          out,
          page);
      // What a pass proves: for most exercises, that the holder of the student's class key made
      // the evidence; for these, only that it carries their challenge and their certificates.
      List<String> bound = new java.util.ArrayList<>();
      List<String> notBound = new java.util.ArrayList<>();
      for (Exercise e : exercises) {
        Checkers.notBoundToClassKey(e.number())
            .ifPresentOrElse(
                why -> notBound.add(e.number() + " (" + why + ")"),
                () -> bound.add(String.valueOf(e.number())));
      }
      o.printf(
          "Bound to each student's class key (their class certificate and its Certificate Verify"
              + " in their own capture): exercises %s.%n",
          String.join(", ", bound));
      if (!notBound.isEmpty()) {
        o.printf(
            "Not bound to it, by their nature: %s. A classmate given a student's challenge and"
                + " files could have made that evidence.%n",
            String.join("; ", notBound));
      }
      o.flush();
      return ExitCode.OK;
    }

    /** gradebook.csv -> gradebook.html, beside it. */
    static Path htmlBeside(Path csv) {
      String n = csv.getFileName().toString();
      String stem =
          n.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
              ? n.substring(0, n.length() - 4)
              : n;
      return csv.resolveSibling(stem + ".html");
    }

    private static String cut(String s, int n) {
      return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static void deleteTree(Path dir) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a leftover scratch folder in /tmp is harmless
      }
    }
  }
}
