package tlslab.annotate.html;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.Annotator;
import tlslab.annotate.ByteRange;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.ConnectionSummary;
import tlslab.annotate.Correction;
import tlslab.annotate.Field;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Payload;
import tlslab.annotate.QuicSummary;
import tlslab.annotate.Row;
import tlslab.annotate.TlsAlert;
import tlslab.annotate.TlsMessage;
import tlslab.annotate.TlsRecord;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * {@code lab annotate --format html}: one self-contained page (inline CSS and script, no request to
 * anywhere) drawing each connection as a handshake ladder with a byte view per message. The page is
 * rendered from the message model ({@link Row}, {@link TlsRecord}, {@link TlsMessage}, {@link
 * Field}, {@link ConnectionFacts}), embedded as JSON; the script draws it lazily so big captures
 * stay usable. Everything from the capture is untrusted: it is JSON-escaped so that no {@code <}
 * survives inside the script element, and the script only ever sets text, never markup.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** Annotates {@code file} and writes the page to {@code out}. */
  public static AnnotateReport.Result write(
      Path file, KeyMaterial keys, AnnotateReport.View view, PrintWriter out) {
    return write(file, keys, view, PageExtras.NONE, out);
  }

  /** Annotates {@code file} and writes the page, with {@code extras} beside the ladder. */
  public static AnnotateReport.Result write(
      Path file, KeyMaterial keys, AnnotateReport.View view, PageExtras extras, PrintWriter out) {
    return write(file, null, keys, view, extras, out);
  }

  /**
   * As {@link #write(Path, KeyMaterial, AnnotateReport.View, PageExtras, PrintWriter)}, where
   * {@code file} may be null (no capture could be taken): the page then shows {@code extras} and
   * says why, from {@code noCapture}. With a file, a non-null {@code noCapture} is what its maker
   * knows the file lacks (e.g. the demo's "INCOMPLETE"), shown before the file's own problems.
   */
  public static AnnotateReport.Result write(
      Path file,
      String noCapture,
      KeyMaterial keys,
      AnnotateReport.View view,
      PageExtras extras,
      PrintWriter out) {
    Annotator an =
        new Annotator(keys, new Annotator.Options(true, true, view.report(), view.allBytes()));
    Frame f = new Frame();
    StringBuilder json = new StringBuilder(1 << 16);
    String name = file == null ? "no capture" : file.getFileName().toString();
    json.append("{\"file\":").append(q(name)).append(",\"frames\":[");
    // The first connection's frames go in the first model element, before the renderer, so it
    // can draw that ladder while the parser still reads everything else (in "model-rest", after
    // the renderer): on a capture of thousands of frames the first ladder is up at once.
    StringBuilder rest = new StringBuilder(1 << 12);
    rest.append("{\"frames\":[");
    StringBuilder others = new StringBuilder(1 << 12);
    boolean firstOther = true;
    long otherCount = 0;
    List<QuicSummary> quic = List.of();
    int firstConnection = -1;
    long frameCount = 0;
    boolean first = true;
    boolean firstRest = true;
    // Labels, notes and field names repeat on every connection: each model element carries a
    // table of its distinct strings and refers to them by index.
    Strings firstStrings = new Strings();
    Strings restStrings = new Strings();
    String problem = noCapture;
    List<ConnectionFacts> facts = List.of();
    List<ConnectionSummary> sums = List.of();
    if (file != null)
      try (CaptureReader r = CaptureReader.open(file)) {
        an.follow(r);
        while (r.next(f)) {
          Row row = an.annotate(f);
          boolean lossy =
              !row.problems.isEmpty()
                  || row.tcpLost()
                  || row.tcpRetransmission()
                  || row.tcpOutOfOrder();
          if (row.connection == 0 || (!row.tls && !lossy)) {
            // Not a TLS frame of a TCP connection (TCP set-up and acknowledgements, DNS, QUIC,
            // anything else): listed as the text view lists it, so nothing is lost.
            if (!firstOther) others.append(",\n");
            firstOther = false;
            otherCount++;
            other(row, others, restStrings);
            continue;
          }
          if (firstConnection < 0) firstConnection = row.connection;
          frameCount++;
          if (row.connection == firstConnection) {
            if (!first) json.append(",\n");
            first = false;
            frame(row, f, json, firstStrings);
          } else {
            if (!firstRest) rest.append(",\n");
            firstRest = false;
            frame(row, f, rest, restStrings);
          }
        }
        facts = an.facts();
        sums = an.summaries();
        quic = an.quicSummaries();
        String own = tlslab.annotate.AnnotateReport.fileProblem(r, an);
        problem = noCapture == null ? own : own == null ? noCapture : noCapture + " " + own;
      }
    rest.append("],\"others\":[").append(others).append("],\"strings\":");
    restStrings.json(rest);
    rest.append('}');
    json.append("],\"strings\":");
    firstStrings.json(json);
    json.append(",\"frameCount\":").append(frameCount);
    json.append(",\"totalFrames\":").append(file == null ? 0 : an.frameCount());
    json.append(",\"otherCount\":").append(otherCount);
    json.append(",\"quic\":[");
    for (int i = 0; i < quic.size(); i++) {
      QuicSummary s = quic.get(i);
      if (i > 0) json.append(",\n");
      json.append("{\"index\":").append(s.index());
      json.append(",\"client\":").append(q(s.client()));
      json.append(",\"server\":").append(q(s.server()));
      json.append(",\"facts\":").append(list(s.lines())).append('}');
    }
    json.append("],\"connections\":[");
    for (int i = 0; i < sums.size(); i++) {
      if (i > 0) json.append(",\n");
      connection(facts.get(i), sums.get(i), json);
    }
    json.append(']');
    if (problem != null) json.append(",\"fileProblem\":").append(q(problem));
    extras(extras, json);
    json.append('}');
    String css = resource("page.css");
    String js = resource("page.js");
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(contentSecurityPolicy(js, css))
        .append("\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>TLS Lab: ")
        .append(html(extras.title() != null ? extras.title() : name))
        .append("</title>\n<style>")
        .append(css)
        .append("</style></head>\n<body>\n")
        .append("<header><h1>TLS Lab</h1><p id=\"file\"></p></header>\n")
        .append("<main><div id=\"conns\"></div>\n")
        .append("<aside id=\"view\" aria-live=\"polite\"><p class=\"hint\">Select a message")
        .append(" (click, or Tab to it and press Enter; j/k move).</p></aside></main>\n")
        .append("<script type=\"application/json\" id=\"model\">")
        .append(json)
        .append("</script>\n<script>")
        .append(js)
        .append("</script>\n<script type=\"application/json\" id=\"model-rest\">")
        .append(rest)
        .append("</script>\n</body></html>\n");
    out.flush();
    return new AnnotateReport.Result(
        an.frameCount(), an.tlsFrameCount(), sums.size(), file == null ? null : problem);
  }

  /**
   * The page's Content-Security-Policy: nothing loaded from anywhere, no form, no base URL, and
   * only the page's own script and style element run, named by their SHA-256 hashes (CSP Level 2
   * hash sources). Should anything from a capture ever reach the markup, an injected {@code
   * <script>}, event-handler attribute or {@code style} attribute would not run: {@code
   * 'unsafe-inline'} would let all three through.
   */
  public static String contentSecurityPolicy(String script, String style) {
    return "default-src 'none'; script-src '"
        + sha256(script)
        + "'; style-src '"
        + sha256(style)
        + "'; base-uri 'none'; form-action 'none'";
  }

  /** A CSP hash source for {@code text} as it stands between its element's tags. */
  public static String sha256(String text) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + java.util.Base64.getEncoder().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** A string table: each distinct string once, referred to by its index. */
  private static final class Strings {
    private final java.util.HashMap<String, Integer> index = new java.util.HashMap<>();
    private final java.util.ArrayList<String> list = new java.util.ArrayList<>();

    int of(String s) {
      Integer i = index.get(s);
      if (i == null) {
        i = list.size();
        index.put(s, i);
        list.add(s);
      }
      return i;
    }

    void json(StringBuilder sb) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) sb.append(i > 0 ? ",\n" : "").append(q(list.get(i)));
      sb.append(']');
    }
  }

  private static void frame(Row row, Frame f, StringBuilder sb, Strings str) {
    sb.append("{\"no\":").append(row.number);
    sb.append(",\"time\":").append(String.format(Locale.ROOT, "%.6f", row.time));
    sb.append(",\"conn\":").append(row.connection);
    if (row.sender != null) sb.append(",\"sender\":").append(q(row.sender.label()));
    sb.append(",\"tls\":").append(row.tls);
    // Base64, a third smaller than hex: frame bytes are most of a big page.
    sb.append(",\"bytes\":\"")
        .append(
            java.util.Base64.getEncoder()
                .encodeToString(
                    java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength)))
        .append('"');
    sb.append(",\"records\":[");
    for (int i = 0; i < row.records.size(); i++) {
      TlsRecord t = row.records.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"contentType\":").append(t.contentType());
      sb.append(",\"version\":").append(t.version());
      sb.append(",\"sender\":").append(q(t.sender().label()));
      sb.append(",\"range\":");
      range(t.range(), sb);
      sb.append(",\"decrypted\":").append(t.decrypted()).append(",\"messages\":[");
      for (int j = 0; j < t.messages().size(); j++) {
        TlsMessage m = t.messages().get(j);
        if (j > 0) sb.append(',');
        sb.append("{\"label\":").append(str.of(m.label()));
        sb.append(",\"kind\":").append(str.of(m.type().name()));
        sb.append(",\"handshakeType\":").append(m.handshakeType());
        sb.append(",\"sender\":").append(q(m.sender().label()));
        sb.append(",\"range\":");
        range(m.range(), sb);
        sb.append(",\"note\":").append(str.of(m.note()));
        if (m.bytes() != null)
          sb.append(",\"bytes\":\"")
              .append(java.util.Base64.getEncoder().encodeToString(m.bytes()))
              .append('"');
        if (!m.corrections().isEmpty()) {
          sb.append(",\"corrections\":[");
          for (int k = 0; k < m.corrections().size(); k++) {
            Correction c = m.corrections().get(k);
            if (k > 0) sb.append(',');
            sb.append("{\"confirms\":").append(c.confirms());
            sb.append(",\"text\":").append(q(c.text())).append('}');
          }
          sb.append(']');
        }
        sb.append(",\"fields\":[");
        for (int k = 0; k < m.fields().size(); k++) {
          Field fl = m.fields().get(k);
          if (k > 0) sb.append(',');
          // [name, value, offset, length], names and values as string indexes
          sb.append('[').append(str.of(fl.name()));
          sb.append(',').append(str.of(fl.value()));
          sb.append(',').append(fl.offset());
          sb.append(',').append(fl.length()).append(']');
        }
        sb.append("]}");
      }
      sb.append("]}");
    }
    sb.append("],\"payloads\":");
    payloads(row.payloads, sb);
    if (row.records.isEmpty()) sb.append(",\"info\":").append(q(row.info));
    // The row's notes that no message says (TCP analysis, reassembly): a message's own note is
    // shown when the message is selected.
    List<String> frameNotes = new java.util.ArrayList<>(row.notes);
    for (TlsRecord t : row.records) for (TlsMessage m : t.messages()) frameNotes.remove(m.note());
    sb.append(",\"notes\":").append(list(frameNotes));
    sb.append(",\"problems\":").append(list(row.problems));
    List<String> tcp = new java.util.ArrayList<>();
    if (row.tcpLost()) tcp.add("previous segment not captured");
    if (row.tcpRetransmission()) tcp.add("retransmission");
    if (row.tcpOutOfOrder()) tcp.add("out of order");
    sb.append(",\"tcp\":").append(list(tcp)).append('}');
  }

  /** The decrypted payloads of a frame, as a JSON array. */
  private static void payloads(List<Payload> payloads, StringBuilder sb) {
    sb.append('[');
    for (int i = 0; i < payloads.size(); i++) {
      Payload p = payloads.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"sender\":").append(q(p.sender().label()));
      sb.append(",\"kind\":").append(q(p.kind().label()));
      sb.append(",\"length\":").append(p.bytes().length);
      sb.append(",\"lines\":").append(list(p.lines())).append('}');
    }
    sb.append(']');
  }

  /** A frame drawn in no ladder: its text-view columns, notes, payloads and problems. */
  private static void other(Row row, StringBuilder sb, Strings str) {
    sb.append("{\"no\":").append(row.number);
    sb.append(",\"time\":").append(String.format(Locale.ROOT, "%.6f", row.time));
    sb.append(",\"conn\":").append(row.connection);
    sb.append(",\"src\":").append(str.of(row.source));
    sb.append(",\"dst\":").append(str.of(row.destination));
    sb.append(",\"proto\":").append(str.of(row.protocol));
    sb.append(",\"length\":").append(row.length);
    sb.append(",\"info\":").append(q(row.info));
    if (!row.notes.isEmpty()) sb.append(",\"notes\":").append(list(row.notes));
    if (!row.payloads.isEmpty()) {
      sb.append(",\"payloads\":");
      payloads(row.payloads, sb);
    }
    if (!row.problems.isEmpty()) sb.append(",\"problems\":").append(list(row.problems));
    sb.append('}');
  }

  private static void connection(ConnectionFacts c, ConnectionSummary s, StringBuilder sb) {
    sb.append("{\"index\":").append(s.index());
    sb.append(",\"client\":").append(q(s.client()));
    sb.append(",\"server\":").append(q(s.server()));
    sb.append(",\"sni\":").append(c.serverName() == null ? "null" : q(c.serverName()));
    sb.append(",\"rolesKnown\":").append(c.rolesKnown());
    sb.append(",\"negotiated\":").append(c.negotiated());
    sb.append(",\"version\":").append(q(c.versionName()));
    sb.append(",\"suite\":").append(q(c.cipherSuiteName()));
    sb.append(",\"keyExchange\":").append(q(c.keyExchange().name()));
    sb.append(",\"keyExchangeLabel\":").append(q(c.keyExchange().label()));
    sb.append(",\"forwardSecret\":").append(c.forwardSecret());
    sb.append(",\"mode\":").append(q(c.mode().name()));
    sb.append(",\"modeLabel\":").append(q(c.mode().label()));
    sb.append(",\"resumed\":").append(c.resumed());
    // A TLS 1.2 (or older) abbreviated handshake agrees no key: it reuses an earlier session's
    // master secret (RFC 5246 7.3), as the text summary's key exchange line says.
    sb.append(",\"abbreviated\":").append(c.mode().resumed() && c.version() != 0x0304);
    sb.append(",\"hrr\":").append(c.helloRetryRequest());
    sb.append(",\"handshakeFinished\":").append(c.handshakeFinished());
    sb.append(",\"earlyData\":").append(c.earlyDataOffered());
    sb.append(",\"clientAuthRequested\":").append(c.certificateRequest());
    sb.append(",\"clientCertificateSent\":").append(c.clientCertificateSent());
    sb.append(",\"alpnOffered\":").append(list(c.alpnOffered()));
    sb.append(",\"alpnChosen\":").append(c.alpnChosen() == null ? "null" : q(c.alpnChosen()));
    sb.append(",\"serverCertificates\":").append(list(subjects(c.serverCertificates())));
    sb.append(",\"clientCertificates\":").append(list(subjects(c.clientCertificates())));
    sb.append(",\"alerts\":[");
    for (int i = 0; i < c.alerts().size(); i++) {
      TlsAlert a = c.alerts().get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"frame\":").append(a.frame());
      sb.append(",\"sender\":").append(q(a.sender().label()));
      sb.append(",\"name\":").append(q(a.readable() ? a.name() : "encrypted alert")).append('}');
    }
    sb.append("],\"decryption\":")
        .append(c.decryptionStatus() == null ? "null" : q(c.decryptionStatus()));
    sb.append(",\"facts\":").append(list(s.lines()));
    sb.append(",\"problems\":").append(list(c.problems())).append('}');
  }

  private static void extras(PageExtras x, StringBuilder sb) {
    if (x.title() != null) sb.append(",\"title\":").append(q(x.title()));
    if (x.traceTitle() != null) {
      sb.append(",\"trace\":{\"title\":").append(q(x.traceTitle()));
      sb.append(",\"conn\":").append(x.traceConnection()).append(",\"steps\":[");
      for (int i = 0; i < x.trace().size(); i++) {
        PageExtras.TraceStep t = x.trace().get(i);
        if (i > 0) sb.append(",\n");
        sb.append("{\"frame\":").append(t.frame());
        sb.append(",\"sent\":").append(t.sent());
        sb.append(",\"fromServer\":").append(t.fromServer());
        sb.append(",\"message\":").append(q(t.message()));
        sb.append(",\"wire\":").append(q(t.wireLabel()));
        sb.append(",\"details\":").append(q(t.details())).append('}');
      }
      sb.append("]}");
    }
    if (!x.verdicts().isEmpty()) {
      sb.append(",\"verdicts\":[");
      for (int i = 0; i < x.verdicts().size(); i++) {
        PageExtras.Verdict v = x.verdicts().get(i);
        if (i > 0) sb.append(",\n");
        sb.append("{\"right\":").append(v.right());
        sb.append(",\"text\":").append(q(v.text()));
        sb.append(",\"frames\":[");
        for (int k = 0; k < v.frames().size(); k++)
          sb.append(k > 0 ? "," : "").append(v.frames().get(k));
        sb.append("]}");
      }
      sb.append(']');
    }
  }

  private static List<String> subjects(List<X509Certificate> l) {
    return l.stream().map(x -> x.getSubjectX500Principal().getName()).toList();
  }

  private static void range(ByteRange br, StringBuilder sb) {
    sb.append("{\"in\":\"")
        .append(br.space().name().toLowerCase(Locale.ROOT))
        .append("\",\"offset\":")
        .append(br.offset())
        .append(",\"length\":")
        .append(br.length())
        .append('}');
  }

  private static String list(List<String> l) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? "," : "").append(q(l.get(i)));
    return sb.append(']').toString();
  }

  /**
   * A JSON string safe inside an HTML script element: besides JSON's own escapes, {@code <}, {@code
   * >}, {@code &} and the JavaScript line separators are written as \\u escapes, so no capture byte
   * can close the element or start a comment.
   */
  public static String jsonString(String s) {
    return q(s);
  }

  static String q(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff && !validSurrogate(s, i)))
            sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c))
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** Text escaped for HTML element content and attribute values. */
  static String html(String s) {
    return tlslab.common.Html.escape(s);
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
