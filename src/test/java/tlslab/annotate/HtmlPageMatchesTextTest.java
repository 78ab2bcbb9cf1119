package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.annotate.html.HtmlReport;
import tlslab.annotate.html.SharedBrowser;

/**
 * The {@code --format html} page says what the text view says for the same capture, and loses
 * nothing: every frame of the text table is on the page (in a ladder, or in "Frames without TLS"),
 * with the same notes, decrypted lines and problems; every connection's summary lines, every QUIC
 * connection's, and the file's problem are on the page word for word. The page is read in headless
 * Chromium after its scripts drew everything (as before printing); a message's note is what the
 * page shows when the message is selected. Run on the 52 real captures of other people's traffic
 * and on captures made here with real peers (openssl, the lab's own chat), with key logs.
 */
@Tag("slow")
class HtmlPageMatchesTextTest {
  private static final Path REAL = Path.of("..", "shared", "captures", "real");
  private static final Path OUT = Path.of("target", "html-pages", "matches-text");

  @Test
  void realCaptures() throws Exception {
    if (!Files.isDirectory(REAL))
      System.err.println("HtmlPageMatchesTextTest: " + REAL.toAbsolutePath() + " is absent");
    Assumptions.assumeTrue(
        Files.isDirectory(REAL),
        "the real-capture corpus "
            + REAL.toAbsolutePath()
            + " is absent (it sits beside the repository as ../shared/captures/real); skipped");
    List<Path> files;
    try (Stream<Path> s = Files.list(REAL)) {
      files = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(50);
    int quic = 0;
    int others = 0;
    for (Path f : files) {
      Text t = compare(f, KeyMaterial.none());
      quic += t.quic.size();
      others += t.frames.size();
    }
    // The corpus has QUIC (a browser's HTTP/3) and DNS: the page must show those too.
    assertThat(quic).as("QUIC connections in the corpus").isPositive();
    assertThat(others).isPositive();
  }

  @Test
  void labCapturesWithKeys() throws Exception {
    int payloads = 0;
    for (LoopbackCaptures.Capture c : List.of(Scenarios.tls13(), Scenarios.tls12Gcm())) {
      assertThat(c.keylog()).as("key log of %s", c.name()).isNotNull();
      Text t = compare(c.file(), KeyMaterial.none().withKeyLog(c.keylog()));
      payloads += t.frames.values().stream().mapToInt(x -> x.payloads.size()).sum();
    }
    // The report's own chat (Python's ssl, TLS_RSA): decrypted with the server's key alone.
    Text chat =
        compare(
            Scenarios.pythonReportChat().file(),
            KeyMaterial.none().withRsaKey(LoopbackCaptures.serverKey()));
    assertThat(chat.frames.values())
        .anySatisfy(
            f -> assertThat(f.payloads).anySatisfy(p -> assertThat(p).contains("hello from")));
    payloads += chat.frames.values().stream().mapToInt(x -> x.payloads.size()).sum();
    assertThat(payloads).as("decrypted payloads compared").isPositive();
  }

  @Test
  void lostSegmentCapture() throws Exception {
    Text t = compare(Scenarios.lostThenLookalikeHeader().file(), KeyMaterial.none());
    assertThat(t.frames.values())
        .anySatisfy(x -> assertThat(x.notes).anySatisfy(n -> assertThat(n).startsWith("TCP:")));
  }

  /** One frame of the text table. */
  static final class TextFrame {
    String line;
    final List<String> notes = new ArrayList<>();
    final List<String> payloads = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
  }

  /** The text table, read back into its parts (in the test only: the page gets values). */
  static final class Text {
    final Map<Long, TextFrame> frames = new LinkedHashMap<>();
    final Map<Integer, List<String>> connections = new LinkedHashMap<>();
    final Map<Integer, List<String>> quic = new LinkedHashMap<>();
    String fileProblem;
  }

  private static final Pattern ROW = Pattern.compile("^ *(\\d+) +-?\\d+\\.\\d{6}  .*");
  private static final Pattern CONN =
      Pattern.compile("^== (QUIC connection|Connection) (\\d+): .*");

  static Text text(Path capture, KeyMaterial keys) {
    StringWriter sw = new StringWriter();
    AnnotateReport.run(
        capture, keys, OutputFormat.TABLE, AnnotateReport.View.plain(true), new PrintWriter(sw));
    Text t = new Text();
    TextFrame cur = null;
    List<String> summary = null;
    StringBuilder payload = null;
    String[] lines = sw.toString().split("\n", -1);
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i];
      Matcher m = ROW.matcher(l);
      Matcher c = CONN.matcher(l);
      if (summary == null && m.matches()) {
        payload = null;
        cur = new TextFrame();
        cur.line = l;
        assertThat(t.frames.put(Long.parseLong(m.group(1)), cur)).as("frame of %s", l).isNull();
      } else if (summary == null && l.startsWith("        note: ")) {
        payload = null;
        cur.notes.add(l.substring(14));
      } else if (summary == null && l.startsWith("        decrypted (")) {
        payload = new StringBuilder(l.substring(8, l.length() - 1));
        cur.payloads.add(payload.toString());
      } else if (summary == null && payload != null && l.startsWith("          | ")) {
        payload.append('\n').append(l.substring(12));
        cur.payloads.set(cur.payloads.size() - 1, payload.toString());
      } else if (summary == null && l.startsWith("        PROBLEM: ")) {
        payload = null;
        cur.problems.add(l.substring(17));
      } else if (c.matches()) {
        summary = new ArrayList<>();
        int n = Integer.parseInt(c.group(2));
        (c.group(1).startsWith("QUIC") ? t.quic : t.connections).put(n, summary);
      } else if (summary != null && l.startsWith("   ")) {
        summary.add(l.substring(3));
      } else if (l.startsWith("FILE PROBLEM: ")) {
        t.fileProblem = l.substring(14);
      } else {
        assertThat(l).as("line %d of the text view of %s", i + 1, capture).isEmpty();
      }
    }
    return t;
  }

  /** Everything the page shows, drawn in full first (as before printing), as one JSON value. */
  private static final String READ =
      "(() => { window.dispatchEvent(new Event('beforeprint'));"
          + " const frames = {}; let dups = [];"
          + " const pays = root => [...root.querySelectorAll('pre.payload')].map(p =>"
          + "   p.textContent);"
          + " for (const d of document.querySelectorAll('.frame[data-frame], tr.other')) {"
          + "   const no = d.dataset.frame;"
          + "   if (frames[no]) { dups.push(no); continue; }"
          + "   const i = d.querySelector('.finfo');"
          + "   frames[no] = { info: i ? i.textContent : null,"
          + "     notes: [...d.querySelectorAll('.fnote')].map(e => e.textContent),"
          + "     problems: [...d.querySelectorAll('.problem')].map(e => e.textContent),"
          + "     payloads: pays(d),"
          + "     labels: [...d.querySelectorAll('.arrow .label')].map(e => e.textContent),"
          + "     ids: [...d.querySelectorAll('.arrow')].map(b => b.dataset.id) }; }"
          + " for (const no in frames) { const f = frames[no];"
          + "   f.ids.forEach((id, k) => {"
          + "     document.querySelector('.arrow[data-id=\"' + id + '\"]').click();"
          + "     const v = document.getElementById('view');"
          + "     const n = v.querySelector('p.note'); if (n) f.notes.push(n.textContent);"
          + "     if (k === 0) f.payloads.push(...pays(v)); }); }"
          + " const facts = sel => Object.fromEntries([...document.querySelectorAll(sel)].map(s =>"
          + "   [s.id.replace(/^\\D+/, ''), [...s.querySelectorAll('ul.notes > li')].map(li =>"
          + "   li.textContent)]).filter(e => e[1].length));"
          + " const fp = document.querySelector('header .problem');"
          + " return { frames, dups, connections: facts('section.conn'),"
          + "   quic: facts('section.quic'), fileProblem: fp ? fp.textContent : null,"
          + "   more: document.querySelectorAll('button.more').length,"
          + "   lazy: document.querySelectorAll('section.lazy').length }; })()";

  private static Text compare(Path capture, KeyMaterial keys) throws IOException {
    Text want = text(capture, keys);
    Files.createDirectories(OUT);
    String name = capture.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
    Path page = OUT.resolve(name + ".html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(capture, keys, AnnotateReport.View.plain(true), w);
    }
    JsonObject[] got = new JsonObject[1];
    // No screenshot: 55 pages, some thousands of pixels high (the pages stay in OUT for review).
    SharedBrowser.load(page, "", null, p -> got[0] = SharedBrowser.json(p, READ).getAsJsonObject());
    JsonObject g = got[0];
    String what = capture.getFileName().toString();
    assertThat(g.get("dups").getAsJsonArray()).as("frames shown twice in %s", what).isEmpty();
    assertThat(g.get("more").getAsInt()).as("undrawn chunks left in %s", what).isZero();
    assertThat(g.get("lazy").getAsInt()).as("undrawn connections left in %s", what).isZero();
    JsonObject frames = g.getAsJsonObject("frames");
    assertThat(new ArrayList<>(frames.keySet().stream().map(Long::parseLong).sorted().toList()))
        .as("the frames on the page of %s", what)
        .isEqualTo(new ArrayList<>(want.frames.keySet()));
    for (Map.Entry<Long, TextFrame> e : want.frames.entrySet()) {
      JsonObject f = frames.getAsJsonObject(String.valueOf(e.getKey()));
      TextFrame t = e.getValue();
      String at = what + " frame " + e.getKey();
      assertThat(sorted(strings(f.get("notes")))).as("notes of %s", at).isEqualTo(sorted(t.notes));
      assertThat(strings(f.get("problems"))).as("problems of %s", at).isEqualTo(t.problems);
      assertThat(strings(f.get("payloads"))).as("decrypted data of %s", at).isEqualTo(t.payloads);
      if (!f.get("info").isJsonNull())
        assertThat(t.line).as("Info of %s", at).endsWith("  " + f.get("info").getAsString());
      for (String label : strings(f.get("labels")))
        assertThat(t.line).as("Info of %s", at).contains(label);
      assertThat(f.get("info").isJsonNull() && strings(f.get("labels")).isEmpty())
          .as("%s shows neither its Info nor a message", at)
          .isFalse();
    }
    assertThat(facts(g.getAsJsonObject("connections")))
        .as("connection summaries of %s", what)
        .isEqualTo(want.connections);
    assertThat(facts(g.getAsJsonObject("quic")))
        .as("QUIC connection summaries of %s", what)
        .isEqualTo(want.quic);
    JsonElement fp = g.get("fileProblem");
    assertThat(fp.isJsonNull() ? null : fp.getAsString())
        .as("file problem of %s", what)
        .isEqualTo(want.fileProblem);
    return want;
  }

  private static Map<Integer, List<String>> facts(JsonObject o) {
    Map<Integer, List<String>> m = new LinkedHashMap<>();
    o.entrySet().stream()
        .sorted(Map.Entry.comparingByKey((a, b) -> Integer.parseInt(a) - Integer.parseInt(b)))
        .forEach(e -> m.put(Integer.parseInt(e.getKey()), strings(e.getValue())));
    return m;
  }

  private static List<String> strings(JsonElement a) {
    List<String> l = new ArrayList<>();
    a.getAsJsonArray().forEach(e -> l.add(e.getAsString()));
    return l;
  }

  private static List<String> sorted(List<String> l) {
    return l.stream().sorted().toList();
  }
}
