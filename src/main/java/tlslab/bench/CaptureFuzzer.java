package tlslab.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;
import tlslab.annotate.html.HtmlReport;
import tlslab.common.LabException;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Runs the real annotator ({@link AnnotateReport#run}, what {@code lab annotate} runs, or {@link
 * HtmlReport#write} for {@code --format html}) in this JVM on one file and says how it went:
 *
 * <ul>
 *   <li>{@link Outcome#OK} or {@link Outcome#WARNED} (annotated; a damaged file says so on one
 *       warning line), {@link Outcome#BAD_INPUT} (a one-line error, exit 3): what the README's
 *       "Exit codes" promise;
 *   <li>a defect: {@link Outcome#CRASH} (an exception escaped: exit 70 and a stack trace), {@link
 *       Outcome#INTERNAL_ERROR} (the annotator caught a bug in a parser and flagged a frame
 *       "[Malformed frame: ...]"), {@link Outcome#HANG} (past the deadline), {@link Outcome#MEMORY}
 *       (out of memory, or far more allocation than the file's size explains), {@link
 *       Outcome#SILENT_LOSS} (fewer frames than the file holds, or a file that does not end where
 *       its last record ends, and no warning saying so).
 * </ul>
 *
 * Each run happens on a worker thread so that a hang can be seen; a hung worker is abandoned (it is
 * a daemon) and the next run gets a fresh one.
 */
final class CaptureFuzzer implements AutoCloseable {
  /** How one run ended. */
  enum Outcome {
    OK,
    WARNED,
    BAD_INPUT,
    CRASH,
    INTERNAL_ERROR,
    HANG,
    MEMORY,
    SILENT_LOSS;

    boolean defect() {
      return ordinal() >= CRASH.ordinal();
    }
  }

  /**
   * The outcome, a one-line detail (the warning, the error, the exception), frames read, and what
   * the annotator printed (empty when it did not finish).
   */
  record Verdict(Outcome outcome, String detail, long frames, String output) {
    Verdict(Outcome outcome, String detail, long frames) {
      this(outcome, detail, frames, "");
    }
  }

  /** Allocation beyond this plus {@link #ALLOCATION_PER_BYTE} per file byte is a defect. */
  static final long ALLOCATION_BASE = 256L << 20;

  static final long ALLOCATION_PER_BYTE = 400;

  private final Path dir;
  private final Path file;
  private final long deadlineMillis;
  private ExecutorService worker;
  private int runs;

  CaptureFuzzer(long deadlineMillis) {
    this.deadlineMillis = deadlineMillis;
    try {
      dir = Files.createTempDirectory("tlslab-fuzz");
      file = dir.resolve("mutant.pcap");
    } catch (IOException e) {
      throw LabException.environment("cannot create a temporary directory: " + e.getMessage());
    }
    worker = newWorker();
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "fuzz-annotate");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Annotates {@code bytes} as a capture file with the key material {@code keys} makes (called on
   * the worker, so that reading a mutated key log counts as part of the run), in {@code format}.
   */
  Verdict run(byte[] bytes, Supplier<KeyMaterial> keys, OutputFormat format) {
    runs++;
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw LabException.environment("cannot write " + file + ": " + e.getMessage());
    }
    Future<Verdict> f = worker.submit(() -> annotate(bytes, keys, format));
    try {
      return f.get(deadlineMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker();
      return new Verdict(Outcome.HANG, "no result after " + deadlineMillis + " ms", -1);
    } catch (ExecutionException e) {
      return new Verdict(Outcome.CRASH, String.valueOf(e.getCause()), -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Verdict annotate(byte[] bytes, Supplier<KeyMaterial> keys, OutputFormat format) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    String broken = readerInvariants(bytes);
    if (broken != null) return new Verdict(Outcome.INTERNAL_ERROR, broken, -1);
    StringWriter sw = new StringWriter();
    AnnotateReport.Result r;
    try (PrintWriter out = new PrintWriter(sw)) {
      KeyMaterial k = keys.get();
      r =
          format == OutputFormat.HTML
              ? HtmlReport.write(file, k, AnnotateReport.View.plain(true), out)
              : AnnotateReport.run(file, k, format, AnnotateReport.View.plain(true), out);
    } catch (LabException e) {
      if (e.kind() == LabException.Kind.BAD_INPUT && !e.getMessage().contains("\n"))
        return new Verdict(Outcome.BAD_INPUT, e.getMessage(), 0);
      return new Verdict(Outcome.CRASH, "LabException " + e.kind() + ": " + e.getMessage(), -1);
    } catch (OutOfMemoryError e) {
      return new Verdict(Outcome.MEMORY, String.valueOf(e), -1);
    } catch (RuntimeException | StackOverflowError e) {
      return new Verdict(Outcome.CRASH, e + " at " + where(e), -1);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    String text = sw.toString();
    int at = text.indexOf("internal error while");
    if (at >= 0) {
      int end = text.indexOf('\n', at);
      String line = text.substring(at, end < 0 ? text.length() : end);
      return new Verdict(Outcome.INTERNAL_ERROR, line, r.frames(), text);
    }
    long limit = ALLOCATION_BASE + ALLOCATION_PER_BYTE * bytes.length;
    if (allocated > limit)
      return new Verdict(
          Outcome.MEMORY,
          (allocated >> 20) + " MB allocated for a " + bytes.length + "-byte file",
          r.frames(),
          text);
    CaptureLayout l = CaptureLayout.of(bytes);
    if (r.fileProblem() == null) {
      if (!l.cleanEnd && bytes.length >= 24)
        return new Verdict(
            Outcome.SILENT_LOSS,
            "the file does not end where its last record ends, and no warning says so",
            r.frames(),
            text);
      if (r.frames() < l.packets.size())
        return new Verdict(
            Outcome.SILENT_LOSS,
            r.frames() + " frames annotated of " + l.packets.size() + ", and no warning says so",
            r.frames(),
            text);
    }
    return r.fileProblem() == null
        ? new Verdict(Outcome.OK, "", r.frames(), text)
        : new Verdict(Outcome.WARNED, r.fileProblem(), r.frames(), text);
  }

  /**
   * What {@link CaptureReader} promises of every frame it delivers, checked directly: its bytes lie
   * inside the buffer it hands out, and the wire length is at least the captured length. A reader
   * that breaks this passes garbage on (or crashes a later reader of the bytes, such as the HTML
   * page's byte view), whatever the table shows. Null when all hold.
   */
  private static String readerInvariants(byte[] bytes) {
    try (CaptureReader r = CaptureReader.of(new java.io.ByteArrayInputStream(bytes), "mutant")) {
      Frame f = new Frame();
      while (r.next(f)) {
        if (f.capturedLength < 0
            || f.offset < 0
            || (long) f.offset + f.capturedLength > f.data.length
            || f.wireLength < f.capturedLength)
          return String.format(
              "the reader delivered frame %d with offset %d, captured length %d, wire length %d"
                  + " in a %d-byte buffer",
              f.number, f.offset, f.capturedLength, f.wireLength, f.data.length);
      }
    } catch (LabException e) {
      return null; // not a capture: the report says so (BAD_INPUT)
    }
    return null;
  }

  /** The lab frame nearest the top of the stack, for the report line. */
  private static String where(Throwable e) {
    for (StackTraceElement s : e.getStackTrace())
      if (s.getClassName().startsWith("tlslab.")) return s.toString();
    return e.getStackTrace().length > 0 ? e.getStackTrace()[0].toString() : "?";
  }

  /**
   * Makes a defective input smaller while it stays a defect of the same outcome: whole packets
   * removed (from the end first), then the file cut short, then bytes that differ from the seed put
   * back. Returns the smallest input found.
   */
  byte[] minimize(
      byte[] seed, byte[] mutant, Supplier<KeyMaterial> keys, OutputFormat format, Outcome kind) {
    byte[] best = mutant;
    int budget = 400;
    List<CaptureLayout.Packet> ps = new ArrayList<>(CaptureLayout.of(best).packets);
    for (int i = ps.size() - 1; i >= 0 && budget-- > 0; i--) {
      CaptureLayout.Packet p = ps.get(i);
      if (p.end() > best.length) continue;
      byte[] t = new byte[best.length - (p.end() - p.start())];
      System.arraycopy(best, 0, t, 0, p.start());
      System.arraycopy(best, p.end(), t, p.start(), best.length - p.end());
      if (run(t, keys, format).outcome() == kind) best = t;
    }
    // Bytes that differ from the seed, put back in halves while the defect stays.
    int n = Math.min(seed.length, best.length);
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < n; i++) if (seed[i] != best[i]) diff.add(i);
    int chunk = Math.max(1, diff.size() / 2);
    while (chunk >= 1 && budget > 0 && diff.size() > 1) {
      boolean progress = false;
      for (int s = 0; s < diff.size() && budget-- > 0; s += chunk) {
        byte[] t = best.clone();
        List<Integer> part = diff.subList(s, Math.min(diff.size(), s + chunk));
        for (int i : part) t[i] = seed[i];
        if (run(t, keys, format).outcome() == kind) {
          best = t;
          diff.removeAll(new ArrayList<>(part));
          progress = true;
          break;
        }
      }
      if (!progress) chunk /= 2;
    }
    return best;
  }

  /**
   * Words with which the table flags damage: a row, note, summary line or warning that says
   * something is malformed, missing or unknown. A mutant whose labels differ from its seed's with
   * none of them in the output changed what the student sees without saying why.
   */
  static final java.util.List<String> FLAGS =
      java.util.List.of(
          "problem:",
          "PROBLEM:",
          "FILE PROBLEM",
          "Malformed",
          "Ignored Unknown Record",
          "Continuation Data",
          "not captured",
          "size limited",
          "nknown",
          "runs past",
          "Illegal",
          "Bad ",
          "Retransmission",
          "Out-Of-Order",
          "Dup ACK");

  /**
   * The first table row (frame number, protocol, info) that differs between the seed's output and
   * the mutant's, or null; rows are the lines that start with a frame number.
   */
  static String changedRow(String seed, String mutant) {
    java.util.Map<String, String> before = rows(seed);
    java.util.Map<String, String> after = rows(mutant);
    for (java.util.Map.Entry<String, String> e : before.entrySet()) {
      String now = after.get(e.getKey());
      if (now == null || now.equals(e.getValue())) continue;
      // The first change decides: a plain TCP row shows the bytes as they are (Len=...), so
      // the damage is in sight, and what Wireshark's heuristics make of later records follows.
      boolean plainTcp = now.startsWith("TCP ") && !now.contains("reassembled");
      return plainTcp
          ? null
          : "frame " + e.getKey() + ": \"" + e.getValue() + "\" became \"" + now + "\"";
    }
    return null;
  }

  private static java.util.Map<String, String> rows(String table) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    table
        .lines()
        .forEach(
            l -> {
              String t = l.strip();
              int sp = t.indexOf(' ');
              if (sp > 0 && t.substring(0, sp).chars().allMatch(Character::isDigit)) {
                // no, time, source, "->", destination, protocol, then length and info
                String[] f = t.split("\\s+", 7);
                if (f.length == 7) m.put(f[0], f[5] + " " + f[6]);
              }
            });
    return m;
  }

  static boolean flagged(String output) {
    for (String f : FLAGS) if (output.contains(f)) return true;
    return false;
  }

  int runs() {
    return runs;
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary file left behind in the temporary directory: nothing else to do
    }
  }
}
