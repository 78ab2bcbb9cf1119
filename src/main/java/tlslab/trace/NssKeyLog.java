package tlslab.trace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tlslab.common.LabException;
import tlslab.trace.internal.JsseSecrets;

/**
 * An NSS key log file (the {@code SSLKEYLOGFILE} format that Firefox, curl and OpenSSL write and
 * Wireshark reads with {@code -o tls.keylog_file:FILE}). Each line names a secret, the client
 * random of the connection it belongs to (which is how Wireshark matches it to a capture), and the
 * secret:
 *
 * <pre>
 * CLIENT_RANDOM &lt;client random&gt; &lt;TLS 1.2 master secret&gt;
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET / SERVER_HANDSHAKE_TRAFFIC_SECRET &lt;client random&gt; &lt;secret&gt;  (TLS 1.3)
 * CLIENT_TRAFFIC_SECRET_0 / SERVER_TRAFFIC_SECRET_0 &lt;client random&gt; &lt;secret&gt;                  (TLS 1.3)
 * </pre>
 *
 * <p>Whoever has this file can read the recorded sessions: it is created owner-only (0600) and
 * lines are appended, never overwritten (the format's convention). Lines already written are not
 * repeated, so a client and a server in one process may share the file.
 */
public final class NssKeyLog implements AutoCloseable {
  private final Path file;
  private final BufferedWriter out;
  private final Set<String> written = new HashSet<>();

  private NssKeyLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Opens (creating it 0600 if needed, narrowing an existing one to 0600) a key log for appending,
   * after checking that this JDK's secrets can be read at all, so that no useless file is created.
   *
   * @throws LabException {@code ENVIRONMENT} if JSSE's internals cannot be read on this JDK, {@code
   *     BAD_INPUT} if the file cannot be written
   */
  public static NssKeyLog open(Path file) {
    String problem = JsseSecrets.problem();
    if (problem != null) {
      throw LabException.environment("key log: " + problem);
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        // Appending to an existing key log is the format's convention; but the secrets go in
        // owner-only, whatever the file's mode was (a key log made by `touch` is 0644).
        ownerOnly(file);
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      BufferedWriter w =
          Files.newBufferedWriter(
              file, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new NssKeyLog(file, w);
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write the key log (" + e.getMessage() + ")", e);
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: nothing to narrow.
    }
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  /** How many distinct lines this log has written. */
  public synchronized int lineCount() {
    return written.size();
  }

  /** Appends lines not written before and flushes, so a running Wireshark sees them at once. */
  public synchronized void write(List<String> lines) {
    try {
      for (String line : lines) {
        if (written.add(line)) {
          out.write(line);
          out.write('\n');
        }
      }
      out.flush();
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write the key log (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot close the key log (" + e.getMessage() + ")", e);
    }
  }
}
