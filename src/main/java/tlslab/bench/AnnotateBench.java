package tlslab.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;
import tlslab.common.LabException;

/**
 * Benchmark of {@code lab annotate} against tshark on the same ~100 MB capture, in the same run.
 *
 * <p>The capture holds many loopback TLS sessions (TLS 1.2 and 1.3, real JSSE bytes from {@link
 * SyntheticTlsSessions}) written as Ethernet/IPv4/TCP frames, each session replicated with new
 * ports and sequence numbers until the file reaches the target size. Then both tools read the file
 * once: ours writes TSV to a null sink; tshark runs {@code -T fields -e _ws.col.Info} (with {@code
 * -d tcp.port==8443,tls} so that it dissects the same TLS).
 */
public final class AnnotateBench {
  /** The figures, as printed. */
  public record Result(
      long fileBytes, long frames, double oursSeconds, double tsharkSeconds, long peakHeapBytes) {
    public double oursMbPerSecond() {
      return fileBytes / 1e6 / oursSeconds;
    }

    public double tsharkMbPerSecond() {
      return tsharkSeconds <= 0 ? 0 : fileBytes / 1e6 / tsharkSeconds;
    }

    public double ratio() {
      return tsharkSeconds <= 0 ? 0 : tsharkSeconds / oursSeconds;
    }
  }

  /** The server port of the generated sessions. */
  public static final int SERVER_PORT = 8443;

  private AnnotateBench() {}

  /**
   * Builds the capture in a temporary directory, runs both tools, prints figures to {@code out}.
   */
  public static Result run(int sizeMb, boolean keep, PrintWriter out) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tlslab-bench");
    } catch (IOException e) {
      throw LabException.environment("cannot create a temporary directory: " + e.getMessage());
    }
    Path file = dir.resolve("bench-" + sizeMb + "mb.pcap");
    try {
      out.printf(Locale.ROOT, "building a %d MB loopback capture of TLS sessions...%n", sizeMb);
      out.flush();
      long frames = buildCapture(file, sizeMb * 1_000_000L);
      long bytes = Files.size(file);
      out.printf(Locale.ROOT, "capture: %s, %.1f MB, %d frames%n", file, bytes / 1e6, frames);
      // Warm-up on the same file (JIT), then three passes of ours (median) and two of tshark
      // (best): the machine may be shared, and this errs in tshark's favour.
      annotateOnce(file);
      resetPeaks();
      double[] passes = new double[3];
      for (int i = 0; i < passes.length; i++) {
        long t0 = System.nanoTime();
        annotateOnce(file);
        passes[i] = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "  lab annotate pass %d: %.2f s%n", i + 1, passes[i]);
        out.flush();
      }
      java.util.Arrays.sort(passes);
      // Conservative: our median against tshark's best.
      double ours = passes[passes.length / 2];
      long peak = peakHeap();
      double tshark = Double.MAX_VALUE;
      for (int i = 0; i < 2; i++) {
        double t = tshark(file, out);
        if (t <= 0) {
          tshark = 0;
          break;
        }
        out.printf(Locale.ROOT, "  tshark pass %d: %.2f s%n", i + 1, t);
        out.flush();
        tshark = Math.min(tshark, t);
      }
      Result r = new Result(bytes, frames, ours, tshark, peak);
      out.printf(
          Locale.ROOT,
          "lab annotate --format tsv (median of 3): %.2f s, %.1f MB/s, peak heap %.1f MB%n",
          ours,
          r.oursMbPerSecond(),
          peak / 1e6);
      if (tshark > 0) {
        out.printf(
            Locale.ROOT,
            "tshark -T fields -e _ws.col.Info (best of 2): %.2f s, %.1f MB/s%n",
            tshark,
            r.tsharkMbPerSecond());
        out.printf(
            Locale.ROOT, "ratio: lab annotate is %.1fx tshark (floor 3x, goal 10x)%n", r.ratio());
      }
      out.flush();
      return r;
    } catch (IOException e) {
      throw LabException.environment("benchmark I/O failed: " + e.getMessage());
    } finally {
      if (!keep) {
        try {
          Files.deleteIfExists(file);
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // a leftover temp file is harmless
        }
      } else {
        out.println("kept " + file);
      }
    }
  }

  private static void annotateOnce(Path file) {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    AnnotateReport.run(file, KeyMaterial.none(), OutputFormat.TSV, false, sink);
  }

  private static double tshark(Path file, PrintWriter out) {
    try {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "tshark",
                  "-r",
                  file.toString(),
                  "-d",
                  "tcp.port==" + SERVER_PORT + ",tls",
                  "-T",
                  "fields",
                  "-e",
                  "_ws.col.Info")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        out.println("tshark did not finish in 30 minutes; no comparison");
        return 0;
      }
      return (System.nanoTime() - t0) / 1e9;
    } catch (IOException e) {
      out.println("tshark not available (" + e.getMessage() + "): no comparison");
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Writes a capture of JSSE TLS 1.2 and 1.3 loopback sessions (server port {@value #SERVER_PORT})
   * of at least {@code targetBytes}; returns the number of frames. Also used by the parity test as
   * a many-connection capture.
   */
  public static long buildCapture(Path file, long targetBytes) throws IOException {
    SyntheticTlsSessions gen = new SyntheticTlsSessions();
    Random rnd = new Random(42);
    List<List<SyntheticTlsSessions.Chunk>> seeds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      List<byte[]> cl = new ArrayList<>();
      List<byte[]> sl = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        cl.add(line(rnd, "client " + i + " says " + k));
        sl.add(line(rnd, "server " + i + " relays " + k));
      }
      seeds.add(gen.session(i % 2 == 0 ? "TLSv1.2" : "TLSv1.3", cl, sl));
    }
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      PcapFrames w = new PcapFrames(os);
      w.header();
      long frames = 0;
      int session = 0;
      while (w.bytes() < targetBytes) {
        List<SyntheticTlsSessions.Chunk> s = seeds.get(session % seeds.size());
        frames +=
            w.session(s, 20000 + (session % 40000), SERVER_PORT, rnd.nextInt(), rnd.nextInt());
        session++;
      }
      return frames;
    }
  }

  private static byte[] line(Random rnd, String prefix) {
    int len = 64 + rnd.nextInt(3000);
    StringBuilder sb = new StringBuilder(prefix).append(": ");
    while (sb.length() < len) sb.append((char) ('a' + rnd.nextInt(26)));
    return sb.append('\n').toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null)
        sum += p.getPeakUsage().getUsed();
    }
    return sum;
  }
}
