package tlslab.exercise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tlslab.common.LabException;

/**
 * A student's answers file: one {@code key: value} per line; blank lines and lines starting with
 * {@code #} are ignored. Keys are case-insensitive.
 */
public final class Answers {
  /** Largest answers file read: a few lines of answers are a few KiB. */
  static final long MAX_BYTES = 1 << 20;

  private final Path file;
  private final Map<String, String> values;

  private Answers(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  /**
   * Reads {@code file}; a missing file gives an empty set of answers (the checker then says so).
   */
  public static Answers read(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      try {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
          throw LabException.badInput(
              file
                  + " is "
                  + (size >> 20)
                  + " MiB: an answers file is a few lines (at most 1 MiB); write only the keys"
                  + " the exercise lists");
        }
        for (String line : Files.readAllLines(file)) {
          String t = line.strip();
          int colon = t.indexOf(':');
          if (t.isEmpty() || t.startsWith("#") || colon <= 0) {
            continue;
          }
          String value = t.substring(colon + 1).strip();
          if (!value.isEmpty() && !(value.startsWith("<") && value.endsWith(">"))) {
            values.put(t.substring(0, colon).strip().toLowerCase(Locale.ROOT), value);
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // An unreadable file (or not UTF-8) reads as no answers; the report names the file.
      }
    }
    return new Answers(file, values);
  }

  public Path file() {
    return file;
  }

  public boolean exists() {
    return Files.isRegularFile(file);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key.toLowerCase(Locale.ROOT)));
  }

  /** The answer in lower case, or "" when missing, for keyword checks. */
  public String lower(String key) {
    return get(key).map(v -> v.toLowerCase(Locale.ROOT)).orElse("");
  }
}
