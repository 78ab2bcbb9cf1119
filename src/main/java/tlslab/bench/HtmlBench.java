package tlslab.bench;

import com.google.gson.JsonElement;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.html.HtmlReport;
import tlslab.common.LabException;

/**
 * {@code lab bench html}: how fast the {@code --format html} page of a big capture opens in
 * headless Chromium. Without a file it records one: {@code openssl s_server -www} on loopback,
 * {@code curl} fetching from it over hundreds of TLS 1.3 connections (with a key log), captured by
 * {@code tcpdump} on {@code lo}, until the capture holds at least 5,000 frames.
 *
 * <p>Two figures, each beside a blank page measured in the same browser and the same run:
 *
 * <ul>
 *   <li>navigation start to the first connection painted, from the page's own Performance marks, in
 *       one long-lived browser (DevTools protocol);
 *   <li>the wall time of a whole {@code chromium --headless --dump-dom} run, the way a script or
 *       the old tests opened pages.
 * </ul>
 */
public final class HtmlBench {
  private HtmlBench() {}

  /** Frames the generated capture holds at least. */
  public static final int TARGET_FRAMES = 5_000;

  /** One page's figures. */
  public record Result(
      long frames,
      long tlsFrames,
      int connections,
      long pageBytes,
      double[] firstConnectionMs,
      double[] blankLoadMs,
      double[] pageLoadMs,
      double[] dumpDomMs,
      double[] blankDumpDomMs,
      double[] inertDumpDomMs) {}

  /** Measures {@code file} (null: record a capture first) and prints the figures. */
  public static Result run(Path file, Path keylog, int rounds, boolean keep, PrintWriter out) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tlslab-bench-html");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      if (file == null) {
        file = dir.resolve("curl-loop.pcap");
        keylog = dir.resolve("curl-loop.keylog");
        out.println("recording a capture of at least " + TARGET_FRAMES + " frames on lo ...");
        out.flush();
        CurlLoopCapture.record(dir, file, keylog, TARGET_FRAMES);
      }
      KeyMaterial keys = KeyMaterial.none();
      if (keylog != null) keys.withKeyLog(keylog);
      Path page = dir.resolve("page.html");
      AnnotateReport.Result r;
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
        r = HtmlReport.write(file, keys, AnnotateReport.View.plain(true), w);
      }
      Path blank = dir.resolve("blank.html");
      Files.writeString(
          blank,
          "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta"
              + " http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
              + " script-src 'unsafe-inline'\"><title>blank</title></head><body>"
              + "<script>document.body.dataset.ready='1';document.body.dataset.painted='1';"
              + "</script></body></html>\n");
      // Peers on the same capture in the same run: the text view written by the same annotator
      // (the page's twin: same facts), and tshark's own full export (-V, every field in text).
      double[] htmlWrite = new double[rounds];
      double[] textWrite = new double[rounds];
      long[] textBytes = new long[1];
      for (int i = 0; i < rounds; i++) {
        Counting c = new Counting();
        long t0 = System.nanoTime();
        try (PrintWriter w = new PrintWriter(c)) {
          HtmlReport.write(file, keys, AnnotateReport.View.plain(true), w);
        }
        htmlWrite[i] = (System.nanoTime() - t0) / 1e6;
        c = new Counting();
        t0 = System.nanoTime();
        try (PrintWriter w = new PrintWriter(c)) {
          AnnotateReport.run(
              file, keys, tlslab.annotate.OutputFormat.TABLE, AnnotateReport.View.plain(true), w);
        }
        textWrite[i] = (System.nanoTime() - t0) / 1e6;
        textBytes[0] = c.chars;
      }
      double[] tshark = new double[rounds];
      for (int i = 0; i < rounds; i++) tshark[i] = tsharkExport(file);
      double[] first = new double[rounds];
      double[] blankLoad = new double[rounds];
      double[] pageLoad = new double[rounds];
      double[] heap = new double[rounds];
      double[] heapAll = new double[rounds];
      double[] nodes = new double[rounds];
      double[] nodesAll = new double[rounds];
      double[] drawAll = new double[rounds];
      double[] blankHeap = new double[rounds];
      try (HeadlessChromium browser = HeadlessChromium.start()) {
        // One warm-up of each, not counted: the first tab pays for the renderer's start.
        try (HeadlessChromium.Tab t = browser.open()) {
          t.load(blank.toUri().toString());
          t.load(page.toUri().toString());
          t.waitFor("document.body.dataset.painted === '1'");
        }
        for (int i = 0; i < rounds; i++) {
          try (HeadlessChromium.Tab t = browser.open()) {
            blankLoad[i] = t.load(blank.toUri().toString());
            blankHeap[i] = t.metrics().getOrDefault("JSHeapUsedSize", Double.NaN) / 1e6;
          }
          try (HeadlessChromium.Tab t = browser.open()) {
            pageLoad[i] = t.load(page.toUri().toString());
            t.waitFor("document.body.dataset.painted === '1'");
            JsonElement v =
                t.eval(
                    "performance.getEntriesByName('tlslab-first-connection-painted')[0].startTime");
            first[i] = v.getAsDouble();
            if (i == rounds - 1)
              out.println("in-page marks (ms from navigation start): " + t.eval(MARKS));
            t.waitFor("document.body.dataset.ready === '1'");
            var m = t.metrics();
            heap[i] = m.getOrDefault("JSHeapUsedSize", Double.NaN) / 1e6;
            nodes[i] = m.getOrDefault("Nodes", Double.NaN);
            // Everything drawn, as before printing: every ladder's every frame, every other row.
            drawAll[i] =
                t.eval(
                        "(() => { const t0 = performance.now();"
                            + " window.dispatchEvent(new Event('beforeprint'));"
                            + " document.body.offsetHeight; return performance.now() - t0; })()")
                    .getAsDouble();
            m = t.metrics();
            heapAll[i] = m.getOrDefault("JSHeapUsedSize", Double.NaN) / 1e6;
            nodesAll[i] = m.getOrDefault("Nodes", Double.NaN);
            if (!t.requests().isEmpty())
              throw LabException.failed("the page made requests: " + t.requests());
          }
        }
      }
      // A page as big as ours whose bytes are one inert data block (a JSON script element, never
      // run, never laid out) and no renderer: what a whole run costs for the bytes alone, so the
      // run's time can be told apart from the page's own work.
      Path inert = dir.resolve("inert.html");
      long size = Files.size(page);
      try (var w = Files.newBufferedWriter(inert, StandardCharsets.UTF_8)) {
        w.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>inert</title></head>");
        w.write("<body data-ready=\"1\"><script type=\"application/json\">[\"");
        char[] line = "x".repeat(100).toCharArray();
        for (long n = 0; n < size; n += line.length) w.write(line);
        w.write("\"]</script></body></html>\n");
      }
      double[] dump = new double[rounds];
      double[] blankDump = new double[rounds];
      double[] inertDump = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        blankDump[i] = dumpDom(dir, blank);
        dump[i] = dumpDom(dir, page);
        inertDump[i] = dumpDom(dir, inert);
      }
      Result res =
          new Result(
              r.frames(),
              r.tlsFrames(),
              r.connections(),
              Files.size(page),
              first,
              blankLoad,
              pageLoad,
              dump,
              blankDump,
              inertDump);
      print(file, res, out);
      out.printf(
          Locale.ROOT,
          "writing (same annotator, same run): html page median %.0f ms, text view %.0f ms"
              + " (ratio %.2f); page %,d bytes, text view %,d chars (ratio %.2f)%n",
          median(htmlWrite),
          median(textWrite),
          median(htmlWrite) / median(textWrite),
          Files.size(page),
          textBytes[0],
          (double) Files.size(page) / textBytes[0]);
      if (tshark[0] >= 0)
        out.printf(
            Locale.ROOT,
            "tshark -V (its own full text export) on the same file: median %.0f ms; html page"
                + " written in %.2f of that time%n",
            median(tshark),
            median(htmlWrite) / median(tshark));
      out.printf(
          Locale.ROOT,
          "browser memory: JS heap used %.1f MB once ready (blank page %.1f MB, ratio %.1f),"
              + " %.0f DOM nodes; everything drawn (as before printing) in %.0f ms: %.1f MB,"
              + " %.0f nodes%n",
          median(heap),
          median(blankHeap),
          median(heap) / median(blankHeap),
          median(nodes),
          median(drawAll),
          median(heapAll),
          median(nodesAll));
      out.flush();
      if (keep) {
        Path kept = file.resolveSibling(file.getFileName() + ".html");
        if (file.startsWith(dir)) {
          out.println(
              "kept: " + file + (keylog != null ? " and " + keylog : "") + ", page " + page);
        } else if (!Files.exists(kept)) {
          Files.copy(page, kept);
          out.println("kept the page: " + kept);
        }
      }
      return res;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!keep) HeadlessChromium.deleteTree(dir);
    }
  }

  /** The page's own marks and the navigation timing, as one line of figures. */
  private static final String MARKS =
      "(() => { const n = performance.getEntriesByType('navigation')[0];"
          + " const m = name => { const e = performance.getEntriesByName(name)[0];"
          + " return e ? Math.round(e.startTime) : -1; };"
          + " return 'response end ' + Math.round(n.responseEnd)"
          + " + ', script start ' + m('tlslab-script-start')"
          + " + ', model parsed ' + m('tlslab-model-parsed')"
          + " + ', first connection in DOM ' + m('tlslab-first-connection')"
          + " + ', painted ' + m('tlslab-first-connection-painted')"
          + " + ', DOMContentLoaded ' + Math.round(n.domContentLoadedEventEnd)"
          + " + ', load ' + Math.round(n.loadEventEnd); })()";

  private static void print(Path file, Result r, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "capture: %s, %d frames (%d with TLS), %d connections%n",
        file.getFileName(),
        r.frames(),
        r.tlsFrames(),
        r.connections());
    out.printf(Locale.ROOT, "page: %,d bytes (%.1f MB)%n", r.pageBytes(), r.pageBytes() / 1e6);
    out.printf(
        Locale.ROOT,
        "navigation start -> first connection painted (Performance marks): median %.0f ms"
            + " (min %.0f, max %.0f) over %d loads%n",
        median(r.firstConnectionMs()),
        min(r.firstConnectionMs()),
        max(r.firstConnectionMs()),
        r.firstConnectionMs().length);
    out.printf(
        Locale.ROOT,
        "navigate -> load event, same browser: page median %.0f ms, blank page %.0f ms%n",
        median(r.pageLoadMs()),
        median(r.blankLoadMs()));
    out.printf(
        Locale.ROOT,
        "whole 'chromium --headless --dump-dom' run: page median %.0f ms, blank page %.0f ms"
            + " (ratio %.2f)%n",
        median(r.dumpDomMs()),
        median(r.blankDumpDomMs()),
        median(r.dumpDomMs()) / median(r.blankDumpDomMs()));
    out.printf(
        Locale.ROOT,
        "  the same run on a page of the same size, all one inert data block (bytes alone):"
            + " median %.0f ms%n",
        median(r.inertDumpDomMs()));
    out.printf(
        Locale.ROOT,
        "target: first connection under 2000 ms: %s%n",
        median(r.firstConnectionMs()) < 2000 ? "met" : "NOT met");
    out.flush();
  }

  /** A writer that only counts what it is given. */
  private static final class Counting extends java.io.Writer {
    long chars;

    @Override
    public void write(char[] b, int off, int len) {
      chars += len;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** The wall time of {@code tshark -r FILE -V} into nothing, or -1 when tshark is missing. */
  private static double tsharkExport(Path file) throws IOException {
    long t0 = System.nanoTime();
    Process p;
    try {
      p =
          new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-V")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      return -1;
    }
    try {
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw LabException.failed("tshark -V did not finish within 300 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted");
    }
    if (p.exitValue() != 0) throw LabException.failed("tshark -V " + file + " failed");
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The wall time of one whole headless Chromium run that prints the page's DOM. */
  private static double dumpDom(Path dir, Path page) throws IOException {
    Path profile = Files.createTempDirectory(dir, "profile");
    List<String> cmd = new ArrayList<>(HeadlessChromium.baseFlags(profile));
    cmd.addAll(List.of("--dump-dom", page.toUri().toString()));
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    byte[] dom = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw LabException.failed("chromium --dump-dom did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted");
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    if (p.exitValue() != 0 || !new String(dom, StandardCharsets.UTF_8).contains("data-ready=\"1\""))
      throw LabException.failed(
          "chromium --dump-dom of " + page + " failed (exit " + p.exitValue() + ")");
    HeadlessChromium.deleteTree(profile);
    return ms;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  /** A real capture of many TLS connections: curl against openssl s_server, tcpdump on lo. */
  static final class CurlLoopCapture {
    private CurlLoopCapture() {}

    static void record(Path dir, Path pcap, Path keylog, int frames) throws IOException {
      Path key = dir.resolve("server.key");
      Path cert = dir.resolve("server.pem");
      exec(
          List.of(
              "openssl",
              "req",
              "-x509",
              "-newkey",
              "ec",
              "-pkeyopt",
              "ec_paramgen_curve:P-256",
              "-nodes",
              "-keyout",
              key.toString(),
              "-out",
              cert.toString(),
              "-subj",
              "/CN=localhost",
              "-days",
              "1"),
          null);
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process server =
          new ProcessBuilder(
                  "openssl",
                  "s_server",
                  "-accept",
                  "127.0.0.1:" + port,
                  "-cert",
                  cert.toString(),
                  "-key",
                  key.toString(),
                  "-www")
              .redirectErrorStream(true)
              .start();
      Process dump = null;
      try {
        waitForLine(server, "ACCEPT", "openssl s_server");
        dump =
            new ProcessBuilder(
                    "tcpdump", "-i", "lo", "-U", "-w", pcap.toString(), "tcp port " + port)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        waitForStderr(dump, "listening on", "tcpdump");
        // About 17 frames per connection (TCP handshake, TLS 1.3, HTTP/1.0 status page, ACKs,
        // close): batches of 40
        // connections until the estimate passes the target, with a margin.
        int batches = (int) Math.ceil(frames * 1.1 / (17.0 * 40));
        for (int i = 0; i < batches; i++)
          exec(
              List.of("curl", "-sk", "-o", "/dev/null", "https://127.0.0.1:" + port + "/[1-40]"),
              keylog);
      } finally {
        if (dump != null) {
          dump.destroy(); // SIGTERM: tcpdump writes what it buffered and exits
          try {
            dump.waitFor(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        server.destroy();
      }
    }

    private static void exec(List<String> cmd, Path keylog) throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.PIPE);
      if (keylog != null) pb.environment().put("SSLKEYLOGFILE", keylog.toString());
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
          throw LabException.failed(cmd.get(0) + " failed: " + output.strip());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw LabException.failed("interrupted");
      }
    }

    private static void waitForLine(Process p, String text, String what) {
      wait(
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
          text,
          what);
    }

    private static void waitForStderr(Process p, String text, String what) {
      wait(
          new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)),
          text,
          what);
    }

    /** Reads {@code r} until a line contains {@code text}; keeps draining it afterwards. */
    private static void wait(BufferedReader r, String text, String what) {
      CompletableFuture<Boolean> seen = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = r.readLine()) != null)
                    if (line.contains(text)) seen.complete(true);
                } catch (IOException e) {
                  // The process ended.
                }
                seen.complete(false);
              },
              what + "-output");
      t.setDaemon(true);
      t.start();
      try {
        if (!seen.get(30, TimeUnit.SECONDS))
          throw LabException.failed(what + " ended before saying \"" + text + "\"");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw LabException.failed("interrupted");
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw LabException.failed(what + " did not say \"" + text + "\" within 30 s");
      }
    }
  }
}
