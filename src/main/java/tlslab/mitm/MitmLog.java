package tlslab.mitm;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import tlslab.common.LabException;

/**
 * What the man in the middle saw, one JSON object per line (JSON Lines): the file that the exercise
 * checkers read, and, formatted, the lines on the attacker's terminal.
 *
 * <p>Every entry has {@code time} (ISO-8601 UTC), {@code connection} (1, 2, … in accept order; 0
 * for the relay itself) and {@code kind}; the other fields depend on the kind:
 *
 * <ul>
 *   <li>{@code start}: {@code mode} ({@code intercept}, {@code tap}, {@code tamper}), {@code
 *       listen}, {@code upstream}, {@code tamper} (the mode's name), {@code certificate_sha256}
 *       (the attacker's certificate, intercept mode);
 *   <li>{@code accept}: {@code victim} (address and port);
 *   <li>{@code handshake}: {@code leg} ({@code victim} or {@code upstream}), {@code protocol},
 *       {@code cipher_suite}, {@code client_random}, {@code server_random} (hex), {@code
 *       certificate_sha256} (the leaf presented on that leg), and for the upstream leg {@code
 *       verified} (whether the real server's certificate was checked);
 *   <li>{@code line}: {@code from} ({@code victim} or {@code server}), {@code text} (the plaintext
 *       line, without its newline); {@code partial} when a connection closed mid-line;
 *   <li>{@code alert}: {@code leg}, {@code from}, {@code level}, {@code description} (RFC name),
 *       {@code source} ({@code record}: read from a plaintext alert record; {@code jsse}: from the
 *       JSSE engine that received it, when the record was encrypted);
 *   <li>{@code refused}: {@code leg}, {@code reason}: a handshake failed without an alert seen;
 *   <li>{@code record} (tap and tamper): {@code from}, {@code content_type}, {@code version},
 *       {@code length}, {@code encrypted}, and when readable {@code messages} or {@code
 *       description};
 *   <li>{@code edit} (tamper): {@code mode}, {@code field}, {@code before}, {@code after}, {@code
 *       removed_extensions}, {@code client_random} (as the client sent it), {@code problem};
 *   <li>{@code server_hello}: {@code version}, {@code cipher_suite}, {@code random}, {@code
 *       downgrade_sentinel} (RFC 8446 §4.1.3) when present;
 *   <li>{@code closed}: {@code lines_from_victim}, {@code lines_from_server}, {@code
 *       bytes_from_victim}, {@code bytes_from_server}, {@code cause} when it did not end with
 *       close_notify.
 * </ul>
 *
 * The file is created with mode 0600 (it holds other people's plaintext) and never overwritten
 * unless asked.
 */
public final class MitmLog implements AutoCloseable {
  private final BufferedWriter file;
  private final Consumer<Entry> listener;
  private final List<Entry> entries = new ArrayList<>();

  private MitmLog(BufferedWriter file, Consumer<Entry> listener) {
    this.file = file;
    this.listener = listener;
  }

  /**
   * A log writing to {@code path} (or nowhere when null) and passing each entry to {@code listener}
   * (the terminal).
   *
   * @throws LabException {@code REFUSED} when the file exists and {@code overwrite} is false
   */
  public static MitmLog open(Path path, boolean overwrite, Consumer<Entry> listener) {
    if (path == null) {
      return new MitmLog(null, listener);
    }
    try {
      if (path.toAbsolutePath().getParent() != null) {
        Files.createDirectories(path.toAbsolutePath().getParent());
      }
      if (overwrite) {
        Files.deleteIfExists(path);
      }
      try {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(path);
      }
      return new MitmLog(
          Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.APPEND),
          listener);
    } catch (FileAlreadyExistsException e) {
      throw LabException.refused(path + " exists; use --force to overwrite it");
    } catch (IOException e) {
      throw LabException.badInput("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Starts an entry of {@code kind} for {@code connection}; {@link Entry#write()} records it. */
  public Entry entry(String kind, int connection) {
    return new Entry(this, kind, connection);
  }

  /** Every entry written so far, in order (tests and the bench read it). */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  private synchronized void write(Entry e) {
    entries.add(e);
    if (file != null) {
      try {
        file.write(e.json.toString());
        file.write('\n');
        file.flush();
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    listener.accept(e);
  }

  @Override
  public synchronized void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Reads a log written by this class. Never throws for bad content: a missing file or a line that
   * is not a log entry gives {@link Read#problem()}.
   */
  public static Read read(Path path) {
    if (!Files.isRegularFile(path)) {
      return new Read(List.of(), path + " does not exist");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Read(List.of(), path + ": unreadable (" + e.getMessage() + ")");
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        JsonElement el = JsonParser.parseString(line);
        if (!el.isJsonObject()
            || !el.getAsJsonObject().has("kind")
            || !el.getAsJsonObject().has("connection")
            || !el.getAsJsonObject().has("time")) {
          return new Read(List.of(), path + " line " + (i + 1) + " is not a lab mitm log entry");
        }
        out.add(new Entry(null, el.getAsJsonObject()));
      } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
        return new Read(List.of(), path + " line " + (i + 1) + " is not JSON (lab mitm --log)");
      }
    }
    if (out.isEmpty()) {
      return new Read(List.of(), path + " is empty");
    }
    return new Read(List.copyOf(out), null);
  }

  /** A log read back: its entries, or why it could not be read. */
  public record Read(List<Entry> entries, String problem) {}

  /** One log entry: a flat JSON object. */
  public static final class Entry {
    private final MitmLog log;
    private final JsonObject json;

    private Entry(MitmLog log, String kind, int connection) {
      this.log = log;
      this.json = new JsonObject();
      json.addProperty("time", Instant.now().toString());
      json.addProperty("connection", connection);
      json.addProperty("kind", kind);
    }

    private Entry(MitmLog log, JsonObject json) {
      this.log = log;
      this.json = json;
    }

    /** Adds a string field (a null value is left out). */
    public Entry put(String name, String value) {
      if (value != null) {
        json.addProperty(name, value);
      }
      return this;
    }

    /** Adds a number field. */
    public Entry put(String name, long value) {
      json.addProperty(name, value);
      return this;
    }

    /** Adds a boolean field. */
    public Entry put(String name, boolean value) {
      json.addProperty(name, value);
      return this;
    }

    /** Adds a list of strings. */
    public Entry put(String name, List<String> values) {
      JsonArray a = new JsonArray();
      values.forEach(a::add);
      json.add(name, a);
      return this;
    }

    /** Records the entry in its log (file and terminal). */
    public void write() {
      log.write(this);
    }

    public String kind() {
      return string("kind").orElse("");
    }

    public int connection() {
      return json.get("connection").getAsInt();
    }

    public Instant time() {
      try {
        return Instant.parse(string("time").orElse(""));
      } catch (java.time.format.DateTimeParseException e) {
        return Instant.EPOCH;
      }
    }

    /** A string field, if present and a string. */
    public Optional<String> string(String name) {
      JsonElement e = json.get(name);
      return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
          ? Optional.of(e.getAsString())
          : Optional.empty();
    }

    /** A boolean field, false when absent. */
    public boolean flag(String name) {
      JsonElement e = json.get(name);
      return e != null
          && e.isJsonPrimitive()
          && e.getAsJsonPrimitive().isBoolean()
          && e.getAsBoolean();
    }

    /** A number field, -1 when absent. */
    public long number(String name) {
      JsonElement e = json.get(name);
      return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
          ? e.getAsLong()
          : -1;
    }

    /** A list-of-strings field, empty when absent. */
    public List<String> list(String name) {
      JsonElement e = json.get(name);
      if (e == null || !e.isJsonArray()) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (JsonElement x : e.getAsJsonArray()) {
        if (x.isJsonPrimitive()) {
          out.add(x.getAsString());
        }
      }
      return out;
    }

    /** The entry as its JSON line. */
    @Override
    public String toString() {
      return json.toString();
    }
  }
}
