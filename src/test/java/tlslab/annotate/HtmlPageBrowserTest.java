package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tlslab.annotate.html.HtmlReport;
import tlslab.annotate.html.SharedBrowser;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * The {@code --format html} page in a real browser (Debian's headless Chromium): after its scripts
 * ran, the DOM holds one arrow per TLS message with tshark's labels (the annotator's labels, which
 * the parity tests hold to tshark), selecting a message highlights exactly its fields' bytes, the
 * console stays silent, the page fetches nothing, and capture text cannot inject markup.
 * Screenshots are kept under target/html-pages/ for review. All pages open in one browser ({@link
 * SharedBrowser}), each in its own tab.
 */
class HtmlPageBrowserTest {
  private static final Path OUT = Path.of("target", "html-pages");
  private static final Path REAL = Path.of("..", "shared", "captures", "real");

  /** A lab capture made here, whose SNI is an attack on the page. */
  private static final String EVIL_SNI = "</script><img/src=x/onerror=document.title='pwned'>";

  @Test
  void labCaptureWithHostileSni() throws Exception {
    LoopbackCaptures.Capture c =
        LoopbackCaptures.openssl(
            "html-evil-sni",
            "",
            List.of("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -servername " + EVIL_SNI),
            0);
    String dom = check("lab-hostile-sni", c.file(), KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(dom).doesNotContain("<img").doesNotContain("pwned</title>");
    assertThat(dom).contains("SNI &lt;/script&gt;&lt;img/src=x/onerror=document.title='pwned'&gt;");
  }

  @Test
  void tls13WithKeyLog() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13();
    String dom = check("tls13-keylog", c.file(), KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(dom).contains("Encrypted Extensions").contains("decrypted with the given keys");
    decryptedMessageShowsItsOwnBytes(c.file(), KeyMaterial.none().withKeyLog(c.keylog()));
  }

  /**
   * A TLS 1.3 handshake message lies in its record's plaintext, not in the frame: selecting it
   * shows exactly its decrypted bytes (as the model holds them) with exactly its fields' ranges
   * highlighted, offsets counted from its first byte.
   */
  private static void decryptedMessageShowsItsOwnBytes(Path capture, KeyMaterial keys)
      throws Exception {
    Annotator an = new Annotator(keys, new Annotator.Options(true, true, false, false));
    String id = null;
    TlsMessage msg = null;
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(capture)) {
      an.follow(r);
      while (r.next(f) && id == null) {
        Row row = an.annotate(f);
        if (row.connection == 0 || (!row.tls && row.problems.isEmpty())) continue;
        int k = 0;
        for (TlsMessage m : row.messages()) {
          String mid = row.number + "." + k++;
          if (id == null
              && m.range().space() == ByteRange.Space.DECRYPTED
              && m.fields().size() > 1
              && m.bytes() != null) {
            id = mid;
            msg = m;
          }
        }
      }
    }
    assertThat(id).as("a decrypted handshake message with fields").isNotNull();
    TreeSet<Integer> want = new TreeSet<>();
    for (Field fl : msg.fields()) for (int i = 0; i < fl.length(); i++) want.add(fl.offset() + i);
    StringBuilder hex = new StringBuilder();
    for (byte b : msg.bytes()) hex.append(String.format("%02x", b & 0xff));
    Path page = OUT.resolve("tls13-decrypted.html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(capture, keys, AnnotateReport.View.plain(true), w);
    }
    String selected = id;
    SharedBrowser.load(
        page,
        "#select=" + id,
        OUT.resolve("tls13-decrypted.png"),
        p -> {
          var v =
              SharedBrowser.json(
                      p,
                      "(() => { const d = document.querySelector('#view .dump');"
                          + " return { id: document.getElementById('view').dataset.id,"
                          + " space: d.dataset.space,"
                          + " type: document.querySelector('#view li.rh li.rh .fval').textContent,"
                          + " hex: [...d.querySelectorAll('.b[data-o]')].map(b => b.textContent)"
                          + ".join(''),"
                          + " hl: [...d.querySelectorAll('.b.hl')].map(b => +b.dataset.o) }; })()")
                  .getAsJsonObject();
          assertThat(v.get("id").getAsString()).isEqualTo(selected);
          assertThat(v.get("space").getAsString()).isEqualTo("decrypted");
          // On the wire a TLS 1.3 record says application_data; the handshake type is inside.
          assertThat(v.get("type").getAsString()).isEqualTo("23 (inner type 22, decrypted)");
          assertThat(v.get("hex").getAsString())
              .as("the message's decrypted bytes")
              .isEqualTo(hex.toString());
          TreeSet<Integer> hl = new TreeSet<>();
          v.get("hl").getAsJsonArray().forEach(e -> hl.add(e.getAsInt()));
          assertThat(hl).as("highlighted bytes of %s", selected).isEqualTo(want);
        });
  }

  /**
   * A capture with a lost segment: every frame the model flags with a TCP problem (a lost segment,
   * a retransmission, malformed data) is a marked row of the ladder saying exactly that, even where
   * the frame carries no TLS, and no other row is marked.
   */
  @Test
  void lostSegmentLooksDistinct() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.lostThenLookalikeHeader();
    Map<Long, List<String>> want = new LinkedHashMap<>();
    Annotator an =
        new Annotator(KeyMaterial.none(), new Annotator.Options(true, true, false, false));
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      an.follow(r);
      while (r.next(f)) {
        Row row = an.annotate(f);
        List<String> texts = new ArrayList<>(row.problems);
        if (row.tcpLost()) texts.add("TCP: previous segment not captured");
        if (row.tcpRetransmission()) texts.add("TCP: retransmission");
        if (row.tcpOutOfOrder()) texts.add("TCP: out of order");
        if (row.connection != 0 && !texts.isEmpty()) want.put(row.number, texts);
      }
    }
    assertThat(want.values())
        .as("frames with TCP problems in %s", c.file())
        .anySatisfy(t -> assertThat(t).contains("TCP: previous segment not captured"));
    Files.createDirectories(OUT);
    Path page = OUT.resolve("lost-segment.html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(c.file(), KeyMaterial.none(), AnnotateReport.View.plain(true), w);
    }
    SharedBrowser.load(
        page,
        "",
        OUT.resolve("lost-segment.png"),
        p -> {
          Map<Long, List<String>> got = new LinkedHashMap<>();
          SharedBrowser.json(
                  p,
                  "[...document.querySelectorAll('.frame.lossy')].map(d => [+d.dataset.frame,"
                      + " [...d.querySelectorAll('.tcp.problem, .tcp.event')].map(e =>"
                      + " e.textContent)])")
              .getAsJsonArray()
              .forEach(
                  e -> {
                    List<String> texts = new ArrayList<>();
                    e.getAsJsonArray()
                        .get(1)
                        .getAsJsonArray()
                        .forEach(t -> texts.add(t.getAsString()));
                    got.put(e.getAsJsonArray().get(0).getAsLong(), texts);
                  });
          assertThat(got).isEqualTo(want);
        });
  }

  /**
   * The keyboard reaches every message, also in connections the page draws only when scrolled to
   * (beyond the first 8): Tab then Enter selects the first message, j moves on to the next, and
   * after as many j as there are messages the last one is drawn, focused and selected; a {@code
   * #select=} link to the last message draws and highlights it.
   */
  @Test
  void keyboardReachesEveryMessage() throws Exception {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 10; i++) sessions.add("-tls1_3");
    LoopbackCaptures.Capture c = LoopbackCaptures.openssl("html-ten-sessions", "", sessions, 0);
    Files.createDirectories(OUT);
    Path page = OUT.resolve("ten-sessions.html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(c.file(), KeyMaterial.none(), AnnotateReport.View.plain(true), w);
    }
    List<String> ids = new ArrayList<>(expected(c.file(), KeyMaterial.none()).labels.keySet());
    String first = ids.get(0);
    String last = ids.get(ids.size() - 1);
    SharedBrowser.load(
        page,
        "#select=" + last,
        OUT.resolve("ten-sessions-select.png"),
        p -> {
          assertThat(p.eval().eval("document.getElementById('view').dataset.id").getAsString())
              .isEqualTo(last);
          assertThat(p.eval().eval("document.querySelectorAll('section.lazy').length").getAsInt())
              .as("connections left undrawn (the test needs some)")
              .isPositive();
          assertThat(p.eval().eval("!!document.querySelector('.arrow.sel')").getAsBoolean())
              .as("an arrow selected by the #select link")
              .isTrue();
          assertThat(p.eval().eval("document.querySelector('.arrow.sel').dataset.id").getAsString())
              .isEqualTo(last);
        });
    SharedBrowser.load(
        page,
        "",
        OUT.resolve("ten-sessions-keys.png"),
        p -> {
          String focused = "(document.activeElement && document.activeElement.dataset.id) || ''";
          for (int i = 0; i < 20 && p.eval().eval(focused).getAsString().isEmpty(); i++)
            p.keys().press("Tab");
          assertThat(p.eval().eval(focused).getAsString()).as("focus after Tab").isEqualTo(first);
          p.keys().press("Enter");
          assertThat(p.eval().eval("document.getElementById('view').dataset.id").getAsString())
              .as("selected by Enter")
              .isEqualTo(first);
          for (int i = 1; i < ids.size(); i++) p.keys().press("j");
          assertThat(p.eval().eval(focused).getAsString()).as("focus after j").isEqualTo(last);
          assertThat(p.eval().eval("document.querySelector('.arrow.sel').dataset.id").getAsString())
              .isEqualTo(last);
          p.keys().press("k");
          assertThat(p.eval().eval(focused).getAsString())
              .as("focus after k")
              .isEqualTo(ids.get(ids.size() - 2));
        });
  }

  /**
   * Readable on a projector, in the light and the dark scheme: no text under 13 px and every text
   * at least 4.5:1 against its background (WCAG 2 AA), on a page with a message selected (its byte
   * view and fields), a lost segment, encrypted records, frames without TLS and the summary.
   */
  @Test
  void readableWhenProjected() throws Exception {
    for (LoopbackCaptures.Capture c :
        List.of(Scenarios.tls13(), Scenarios.lostThenLookalikeHeader())) {
      Files.createDirectories(OUT);
      Path page = OUT.resolve(c.name() + "-projected.html").toAbsolutePath();
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
        HtmlReport.write(c.file(), KeyMaterial.none(), AnnotateReport.View.plain(true), w);
      }
      Expected e = expected(c.file(), KeyMaterial.none());
      SharedBrowser.load(
          page,
          "#select=" + e.selected,
          OUT.resolve(c.name() + "-projected.png"),
          p -> {
            assertThat(
                    SharedBrowser.json(p, "document.querySelectorAll('#view .dump .b').length")
                        .getAsInt())
                .as("a byte view to check")
                .isPositive();
            for (String scheme : List.of("light", "dark")) {
              p.media().emulate("prefers-color-scheme", scheme);
              assertThat(SharedBrowser.json(p, SharedBrowser.unreadable(13)).getAsJsonArray())
                  .as("text a projector loses in %s, %s scheme", c.name(), scheme)
                  .isEmpty();
            }
            // The check itself sees small, pale text.
            p.media().emulate("prefers-color-scheme", "light");
            p.eval()
                .eval(
                    "(() => { const q = document.createElement('p'); q.textContent = 'probe';"
                        + " q.style.color = '#bbbbbb'; q.style.fontSize = '10px';"
                        + " document.body.appendChild(q); return 1; })()");
            assertThat(SharedBrowser.json(p, SharedBrowser.unreadable(13)).getAsJsonArray())
                .hasSize(2)
                .allSatisfy(x -> assertThat(x.getAsString()).startsWith("p \"probe\""));
          });
    }
  }

  /**
   * A resumed TLS 1.2 session (openssl, -sess_in) agrees no key: the summary box said "Key
   * exchange: ECDHE" and "Forward secrecy: yes" (RSA: "NO") of the abbreviated handshake, where the
   * text summary says it has no key exchange and an earlier session's decides.
   */
  @Test
  void abbreviatedHandshakeHasNoKeyExchangeOfItsOwn() throws Exception {
    for (LoopbackCaptures.Capture c : List.of(Scenarios.resumed(), Scenarios.tls12RsaResumed())) {
      Map<String, String> first = TruthOnStudentTrafficTest.pageSummary(c, 1);
      Map<String, String> second = TruthOnStudentTrafficTest.pageSummary(c, 2);
      assertThat(first.get("Forward secrecy")).as("%s, first session", c.name()).isIn("yes", "NO");
      assertThat(second)
          .as("%s, the resumed session", c.name())
          .containsEntry("Resumption", "resumed")
          .containsEntry(
              "Key exchange",
              "none in this abbreviated handshake (it reuses an earlier session's master secret)")
          .containsEntry("Forward secrecy", "as the earlier session's key exchange");
    }
  }

  @Test
  void realCapture() throws Exception {
    Path file = REAL.resolve("tls__tls-store-02__tls-client-auth.pcap");
    if (!Files.isRegularFile(file)) {
      System.err.println("HtmlPageBrowserTest: " + file.toAbsolutePath() + " is absent; skipped");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isRegularFile(file),
        "the real-capture corpus "
            + REAL.toAbsolutePath()
            + " is absent (it sits beside the repository as ../shared/captures/real); skipped");
    check("real-client-auth", file, KeyMaterial.none());
  }

  /** Renders, loads in Chromium with one message selected, checks the DOM; returns it. */
  private static String check(String name, Path capture, KeyMaterial keys) throws Exception {
    Files.createDirectories(OUT);
    Path page = OUT.resolve(name + ".html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(capture, keys, AnnotateReport.View.plain(true), w);
    }
    Expected e = expected(capture, keys);
    assertThat(e.labels).as("TLS messages in %s", capture).isNotEmpty();
    assertThat(e.selected).as("a message with fields inside one frame").isNotNull();

    SharedBrowser.Page r =
        SharedBrowser.load(page, "#select=" + e.selected, OUT.resolve(name + ".png"), null);
    String dom = r.dom();
    assertThat(dom).contains("data-ready=\"1\"").contains("data-errors=\"0\"");
    assertThat(dom).as("resources fetched by the page").contains("data-resources=\"0\"");
    assertThat(r.console()).as("console output").isEmpty();
    assertThat(r.requests()).as("requests").isEmpty();

    Map<String, String> arrows = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("<button ([^>]*)><span class=\"label\">([^<]*)</span>").matcher(dom);
    Pattern id = Pattern.compile("data-id=\"([0-9.]+)\"");
    while (m.find()) {
      if (!m.group(1).matches(".*class=\"arrow .*")) continue;
      Matcher i = id.matcher(m.group(1));
      assertThat(i.find()).as("arrow has an id: %s", m.group(1)).isTrue();
      arrows.put(i.group(1), unescape(m.group(2)));
    }
    assertThat(arrows).as("one arrow per TLS message, in wire order").isEqualTo(e.labels);
    assertThat(new ArrayList<>(arrows.keySet())).isEqualTo(new ArrayList<>(e.labels.keySet()));

    assertThat(dom).contains("data-id=\"" + e.selected + "\"");
    TreeSet<Integer> hl = new TreeSet<>();
    Matcher b = Pattern.compile("<span class=\"(b [^\"]*)\" data-o=\"(\\d+)\"").matcher(dom);
    while (b.find())
      if ((" " + b.group(1) + " ").contains(" hl ")) hl.add(Integer.parseInt(b.group(2)));
    assertThat(hl).as("highlighted bytes of %s", e.selected).isEqualTo(e.fieldBytes);
    assertThat(Files.size(OUT.resolve(name + ".png"))).isGreaterThan(1000);
    return dom;
  }

  private record Expected(
      Map<String, String> labels, String selected, TreeSet<Integer> fieldBytes) {}

  private static Expected expected(Path capture, KeyMaterial keys) throws IOException {
    Annotator an = new Annotator(keys, new Annotator.Options(true, true, false, false));
    Map<String, String> labels = new LinkedHashMap<>();
    String selected = null;
    TreeSet<Integer> bytes = new TreeSet<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(capture)) {
      an.follow(r);
      while (r.next(f)) {
        Row row = an.annotate(f);
        if (row.connection == 0 || (!row.tls && row.problems.isEmpty())) continue;
        int k = 0;
        for (TlsMessage msg : row.messages()) {
          String id = row.number + "." + k++;
          labels.put(id, msg.label());
          if (selected == null
              && msg.range().space() == ByteRange.Space.FRAME
              && msg.fields().size() > 3) {
            selected = id;
            for (Field fl : msg.fields())
              for (int i = 0; i < fl.length(); i++)
                bytes.add((int) msg.range().offset() + fl.offset() + i);
          }
        }
      }
    }
    return new Expected(labels, selected, bytes);
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
  }
}
