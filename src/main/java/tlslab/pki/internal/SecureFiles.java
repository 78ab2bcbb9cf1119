package tlslab.pki.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import tlslab.common.LabException;

/**
 * Writes files so that secrets are never world-readable, not even for a moment: the bytes go to a
 * temporary file created with mode 0600 in the target folder, which is then renamed over the
 * target. Public files (certificates) are opened up to 0644 after the move.
 */
public final class SecureFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private SecureFiles() {}

  /** Writes a secret (private key, key store) with mode 0600. */
  public static void writePrivate(Path target, byte[] content) {
    write(target, content, false);
  }

  /** Writes a public file (certificate, trust store, manifest) with mode 0644. */
  public static void writePublic(Path target, byte[] content) {
    write(target, content, true);
  }

  /** Creates a folder (and parents), turning failures into one-line errors. */
  public static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw LabException.badInput("cannot create folder " + dir + ": " + describe(e));
    }
  }

  private static void write(Path target, byte[] content, boolean publicFile) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      // createTempFile makes the file 0600 on POSIX systems before any byte is written.
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      Files.write(tmp, content);
      if (publicFile && POSIX) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw LabException.badInput("cannot write " + target + ": " + describe(e));
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the original error is the one worth reporting
        }
      }
    }
  }

  /** Reads a whole file; a missing or unreadable file is BAD_INPUT with one clear line. */
  public static byte[] read(Path file) {
    if (!Files.exists(file)) {
      throw LabException.badInput(file + ": no such file");
    }
    if (Files.isDirectory(file)) {
      throw LabException.badInput(file + ": is a folder, not a file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw LabException.badInput("cannot read " + file + ": " + describe(e));
    }
  }

  static String describe(IOException e) {
    String name = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? name : name + " " + e.getMessage();
  }
}
