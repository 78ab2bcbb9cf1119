package tlslab.trace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import tlslab.common.LabException;

/**
 * A trace written as JSON lines ({@code --trace-json FILE}): one {@link TraceEvent#toJson()} per
 * line, flushed as it comes, so the file is readable while a server runs. Missing parent folders
 * are created; an existing file is only replaced when asked to.
 */
public final class JsonLinesTrace implements AutoCloseable {
  private final Path file;
  private final BufferedWriter out;

  private JsonLinesTrace(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Opens the file.
   *
   * @param overwrite replace an existing file; otherwise an existing file is refused
   * @throws LabException {@code REFUSED} if the file exists and {@code overwrite} is false, {@code
   *     BAD_INPUT} if it cannot be written
   */
  public static JsonLinesTrace open(Path file, boolean overwrite) {
    check(file, overwrite);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new JsonLinesTrace(
          file,
          Files.newBufferedWriter(
              file,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Throws what {@link #open} would for a folder or a file it may not replace, without creating
   * anything: a command checks its output file before it starts, and writes it at the end.
   */
  public static void check(Path file, boolean overwrite) {
    if (Files.isDirectory(file)) {
      throw LabException.badInput(file + ": is a folder; name the file to write");
    }
    if (Files.exists(file) && !overwrite) {
      throw LabException.refused(file + " exists (use --force to overwrite)");
    }
  }

  /** Appends one event and flushes. */
  public synchronized void write(TraceEvent event) {
    try {
      out.write(event.toJson());
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }
}
