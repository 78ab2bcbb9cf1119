package tlslab.exercise;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tlslab.common.LabException;

/**
 * A hand-in: one zip archive of exactly the files the checkers read, whatever a {@code .gitignore}
 * says, plus {@code student.txt} naming the student. Private keys the checkers do not need stay
 * out: never {@code ca.key}, no {@code .p12}, no {@code *-combined.pem}, no bundle key. The one key
 * it holds is {@code certs/server.key}, the throw-away key of the student's own lab server, which
 * exercise 5 needs to decrypt the report-profile capture (that is its point).
 */
public final class Submission {
  /** The file inside the archive that names the student. */
  public static final String STUDENT_FILE = "student.txt";

  /** The files the checkers read, as paths relative to the work folder. */
  private static final List<Pattern> WANTED =
      List.of(
          Pattern.compile("certs/(ca|server)\\.pem"),
          Pattern.compile("certs/server\\.key"),
          Pattern.compile("certs/client-[^/]+(?<!-combined)\\.pem"),
          Pattern.compile("evil/(ca|server)\\.pem"),
          Pattern.compile("captures/[^/]+\\.(pcap|pcapng|keylog)"),
          // How complete each capture is (lab capture's counters): checkers read it.
          Pattern.compile("captures/[^/]+\\.(pcap|pcapng)\\.stats"),
          Pattern.compile("traces/[^/]+\\.jsonl"),
          Pattern.compile("mitm/[^/]+\\.jsonl"),
          Pattern.compile("answers/[^/]+\\.txt"),
          Pattern.compile("bundle/([^/]+/)?challenge\\.txt"),
          Pattern.compile("bundle/([^/]+/)?[^/]+(?<!-combined)\\.pem"),
          Pattern.compile(Pattern.quote(Identity.SELF_STUDY_FILE)));

  /** Largest archive entry accepted when grading: a capture of a chat is far smaller. */
  static final long MAX_ENTRY_BYTES = 64L << 20;

  /** Largest archive accepted when grading, unpacked: all exercises' evidence is far smaller. */
  static final long MAX_TOTAL_BYTES = 512L << 20;

  /** Most entries accepted in one archive: a complete hand-in has some fifty files. */
  static final int MAX_ENTRIES = 2000;

  private Submission() {}

  /** The files of {@code work} an archive would hold, relative, sorted. */
  public static List<String> files(Path work) {
    if (!Files.isDirectory(work)) {
      throw LabException.badInput(work + ": no such work folder");
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> all = Files.walk(work)) {
      for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
        String rel = work.relativize(f).toString().replace('\\', '/');
        if (!rel.endsWith("ca.key") && WANTED.stream().anyMatch(p -> p.matcher(rel).matches())) {
          out.add(rel);
        }
      }
    } catch (IOException e) {
      throw LabException.badInput(work + ": unreadable (" + e.getMessage() + ")");
    }
    return out;
  }

  /**
   * Writes the archive of {@code work} for {@code student} to {@code out}; returns what went in.
   *
   * @throws LabException REFUSED when {@code out} exists and {@code force} is false
   */
  public static List<String> write(Path work, String student, Path out, boolean force) {
    if (Files.exists(out) && !force) {
      throw LabException.refused(out + " exists; use --force to replace it");
    }
    List<String> files = files(work);
    if (files.isEmpty()) {
      throw LabException.badInput(
          work + ": nothing to hand in yet (no certs, captures or answers)");
    }
    for (String f : files) {
      long size;
      try {
        size = Files.size(work.resolve(f));
      } catch (IOException e) {
        throw LabException.badInput(work.resolve(f) + ": unreadable (" + e.getMessage() + ")");
      }
      if (size > MAX_ENTRY_BYTES) {
        // The grader refuses such an archive: say so now, while it can still be made again.
        throw LabException.badInput(
            work.resolve(f)
                + " is "
                + (size >> 20)
                + " MiB, more than the 64 MiB a grader accepts for one file: make it again with"
                + " only the exercise's traffic (lab capture --port, or a narrower --filter)");
      }
    }
    try {
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".submission", ".zip");
      try (OutputStream o = Files.newOutputStream(tmp);
          ZipOutputStream z = new ZipOutputStream(o)) {
        z.putNextEntry(new ZipEntry(STUDENT_FILE));
        z.write((student + "\n").getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
        for (String f : files) {
          z.putNextEntry(new ZipEntry(f));
          Files.copy(work.resolve(f), z);
          z.closeEntry();
        }
      }
      Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw LabException.badInput("cannot write " + out + ": " + e.getMessage());
    }
    return files;
  }

  /**
   * Copies a work folder handed in as a folder into {@code into}, as {@link #unpack} unpacks an
   * archive: with the same limits (one file over 64 MiB, more than 512 MiB or 2000 files refuse the
   * hand-in) and only regular files. The folder may itself be a link (the grader's); inside it, a
   * symbolic link is followed only to a file inside the folder; one that leads out of it (to a
   * classmate's hand-in beside it, to the grader's own files) is left out and named in the list
   * returned, with where it leads, as is anything that is not a file (a FIFO, a device), which
   * would stall or flood a reader.
   */
  public static List<String> copyFolder(Path folder, Path into) {
    List<String> left = new ArrayList<>();
    long[] total = {0};
    int[] entries = {0};
    try {
      // The folder itself may be a link the grader made (a student's folder linked into the
      // folder of hand-ins): what is inside counts from where it really is.
      Path root = folder.toRealPath();
      Files.walkFileTree(
          root,
          new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(
                Path f, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
              String rel = root.relativize(f).toString().replace('\\', '/');
              Path source = f;
              if (attrs.isSymbolicLink()) {
                Path target;
                try {
                  target = f.toRealPath();
                } catch (IOException e) {
                  left.add(rel + " (a symbolic link to nothing)");
                  return java.nio.file.FileVisitResult.CONTINUE;
                }
                if (!target.startsWith(root) || !Files.isRegularFile(target)) {
                  left.add(rel + " (a symbolic link to " + Files.readSymbolicLink(f) + ")");
                  return java.nio.file.FileVisitResult.CONTINUE;
                }
                source = target;
              } else if (!attrs.isRegularFile()) {
                left.add(rel + " (not a file)");
                return java.nio.file.FileVisitResult.CONTINUE;
              }
              if (++entries[0] > MAX_ENTRIES) {
                throw LabException.badInput(
                    folder + ": more than " + MAX_ENTRIES + " files, not a work folder");
              }
              long size = Files.size(source);
              if (size > MAX_ENTRY_BYTES) {
                throw LabException.badInput(folder + ": " + rel + " is larger than 64 MiB");
              }
              total[0] += size;
              if (total[0] > MAX_TOTAL_BYTES) {
                throw LabException.badInput(folder + ": more than 512 MiB, not a hand-in");
              }
              Path t = into.resolve(rel);
              Files.createDirectories(t.getParent());
              Files.copy(source, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
              return java.nio.file.FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw LabException.badInput(folder + ": unreadable (" + e.getMessage() + ")");
    }
    return left;
  }

  /**
   * Unpacks an archive into {@code into} (entries that would escape it, or are too large, are
   * refused) and returns the student it names.
   */
  public static Optional<String> unpack(Path zip, Path into) {
    String student = null;
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream z = new ZipInputStream(in)) {
      long total = 0;
      int entries = 0;
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        if (++entries > MAX_ENTRIES) {
          throw LabException.badInput(
              zip
                  + ": more than "
                  + MAX_ENTRIES
                  + " files, not an archive lab exercise submit made");
        }
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into) || e.getName().startsWith("/")) {
          // Never written outside, never dropped without a word: such an archive is not a hand-in.
          throw LabException.badInput(
              zip
                  + ": the entry "
                  + e.getName()
                  + " points outside the archive's folder, not an archive lab exercise submit"
                  + " made");
        }
        if (e.isDirectory()) {
          continue;
        }
        Files.createDirectories(target.getParent());
        long n = 0;
        try (OutputStream o = Files.newOutputStream(target)) {
          byte[] buf = new byte[8192];
          for (int k; (k = z.read(buf)) > 0; ) {
            n += k;
            total += k;
            if (n > MAX_ENTRY_BYTES) {
              throw LabException.badInput(zip + ": " + e.getName() + " is larger than 64 MiB");
            }
            if (total > MAX_TOTAL_BYTES) {
              throw LabException.badInput(zip + ": more than 512 MiB unpacked, not a hand-in");
            }
            o.write(buf, 0, k);
          }
        }
        if (e.getName().equals(STUDENT_FILE)) {
          student = Files.readString(target, StandardCharsets.UTF_8).strip();
        }
      }
      if (entries == 0) {
        throw LabException.badInput(
            zip
                + ": not a readable submission (no files in it: not a zip lab exercise submit made)");
      }
    } catch (IOException e) {
      throw LabException.badInput(zip + ": not a readable submission (" + e.getMessage() + ")");
    }
    return Optional.ofNullable(student).filter(s -> !s.isEmpty());
  }
}
