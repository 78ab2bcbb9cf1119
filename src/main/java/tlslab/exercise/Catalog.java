package tlslab.exercise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tlslab.common.LabException;

/** The exercises shipped in the lab's {@code exercises/} folder, in order. */
public final class Catalog {
  private static final Pattern FILE = Pattern.compile("(\\d{2})-([a-z0-9-]+)\\.md");
  private static final Pattern TITLE =
      Pattern.compile("^# Exercise \\d+: (.+)$", Pattern.MULTILINE);

  private final List<Exercise> exercises;

  private Catalog(List<Exercise> exercises) {
    this.exercises = List.copyOf(exercises);
  }

  /** Reads every {@code NN-name.md} file of {@code dir}. */
  public static Catalog load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw LabException.environment(dir + ": exercises folder not found");
    }
    List<Exercise> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = FILE.matcher(f.getFileName().toString());
        if (m.matches()) {
          Matcher t = TITLE.matcher(Files.readString(f));
          String title = t.find() ? t.group(1).trim() : m.group(2).replace('-', ' ');
          found.add(new Exercise(Integer.parseInt(m.group(1)), m.group(2), title, f));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    found.sort(Comparator.comparingInt(Exercise::number));
    return new Catalog(found);
  }

  public List<Exercise> all() {
    return exercises;
  }

  /** The exercise numbered {@code n}; a user error naming the valid range if there is none. */
  public Exercise get(int n) {
    return exercises.stream()
        .filter(e -> e.number() == n)
        .findFirst()
        .orElseThrow(
            () ->
                LabException.badInput(
                    "no exercise "
                        + n
                        + " (there are "
                        + exercises.size()
                        + "; see: lab exercise list)"));
  }

  /**
   * Where an exercise's text puts the questions personalised for the student (filled in by {@code
   * exercise.checks.FramingCheck#personalised}, beside the checker that grades them).
   */
  public static final String CHOICES_MARK = "<!-- choices -->";

  /** The markdown text of an exercise. */
  public String text(Exercise e) {
    try {
      return Files.readString(e.file());
    } catch (IOException ex) {
      throw LabException.badInput(e.file() + ": unreadable (" + ex.getMessage() + ")");
    }
  }
}
