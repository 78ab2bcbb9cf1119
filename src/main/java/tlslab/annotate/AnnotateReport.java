package tlslab.annotate;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Annotates a capture file and writes it in one of the {@link OutputFormat}s, streaming: rows are
 * written as frames are read, so memory stays flat for any file size. Every format renders from the
 * same model ({@link Row}, {@link TlsRecord}, {@link ConnectionFacts}); JSON carries all of it.
 */
public final class AnnotateReport {
  /** What happened: counts and any damage found in the file. */
  public record Result(long frames, long tlsFrames, int connections, String fileProblem) {}

  /**
   * What to show.
   *
   * @param explain plain-language notes (always on in the table)
   * @param report add the student report's corrections (for the lab's own captures)
   * @param allBytes decrypted payloads in full instead of bounded excerpts
   * @param tlsOnly only frames that carry TLS (the classroom view)
   * @param roles endpoints as "client:PORT -> server:PORT", each connection's addresses once
   * @param width terminal width the table fits into (0: no limit)
   */
  public record View(
      boolean explain,
      boolean report,
      boolean allBytes,
      boolean tlsOnly,
      boolean roles,
      int width) {
    public static View plain(boolean explain) {
      return new View(explain, false, false, false, false, 0);
    }

    /** A classroom screen: TLS frames only, client/server roles, rows that fit {@code width}. */
    public static View classroom(int width) {
      return new View(true, false, false, true, true, width);
    }
  }

  private AnnotateReport() {}

  /** As {@link #run(Path, KeyMaterial, OutputFormat, View, PrintWriter)} with the plain view. */
  public static Result run(
      Path file, KeyMaterial keys, OutputFormat format, boolean explain, PrintWriter out) {
    return run(file, keys, format, View.plain(explain), out);
  }

  /**
   * Reads {@code file}, writes the annotation to {@code out}. Throws LabException (BAD_INPUT) only
   * when the file is missing or not a capture at all; damage inside is flagged in the result and
   * the output.
   */
  public static Result run(
      Path file, KeyMaterial keys, OutputFormat format, View view, PrintWriter out) {
    return run(file, keys, format, view, TableColors.NONE, out);
  }

  /**
   * As {@link #run(Path, KeyMaterial, OutputFormat, View, PrintWriter)}, the table in {@code
   * colors} (other formats are never coloured).
   */
  public static Result run(
      Path file,
      KeyMaterial keys,
      OutputFormat format,
      View view,
      TableColors colors,
      PrintWriter out) {
    TableColors paint = format == OutputFormat.TABLE ? colors : TableColors.NONE;
    boolean notes = view.explain() || format == OutputFormat.TABLE;
    boolean json = format == OutputFormat.JSON;
    Annotator an =
        new Annotator(keys, new Annotator.Options(notes, json, view.report(), view.allBytes()));
    Frame f = new Frame();
    StringBuilder line = new StringBuilder(256);
    boolean firstJson = true;
    Map<Integer, Boolean> introduced = new HashMap<>();
    try (CaptureReader r = CaptureReader.open(file)) {
      an.follow(r); // keys stored in the capture (pcapng Decryption Secrets Blocks)
      if (paint.on()) {
        StringWriter h = new StringWriter(); // the column headings, then bold
        header(format, view, new PrintWriter(h));
        out.append(heading(paint, h.toString()));
      } else header(format, view, out);
      while (r.next(f)) {
        Row row = an.annotate(f);
        if (view.tlsOnly() && !row.tls) continue;
        line.setLength(0);
        switch (format) {
          case TSV -> tsv(row, view.explain(), line);
          case TABLE -> table(row, view, an, introduced, paint, line);
          case MARKDOWN -> markdown(row, view.explain(), line);
          case JSON -> {
            if (!firstJson) line.append(",\n");
            json(row, view.explain(), line);
            firstJson = false;
          }
        }
        out.append(line);
      }
      List<ConnectionFacts> facts = an.facts();
      List<ConnectionSummary> sums = an.summaries();
      String problem = fileProblem(r, an);
      footer(format, view, facts, sums, an.quicSummaries(), problem, paint, out);
      out.flush();
      return new Result(an.frameCount(), an.tlsFrameCount(), sums.size(), problem);
    }
  }

  /**
   * What the reader and annotator could not do with the file, for a warning line (null if nothing):
   * damage, packets the capture's own statistics say it dropped, connections whose state was
   * dropped to bound memory. Read once the whole file has been read.
   */
  public static String fileProblem(CaptureReader r, Annotator an) {
    List<String> parts = new java.util.ArrayList<>();
    if (r.problem() != null) parts.add(r.problem());
    long dropped = r.droppedBeforeFile();
    if (dropped > 0) {
      // Nothing lost silently: the gaps a student sees may be the capture's, not the network's.
      parts.add(
          "the capture's own statistics (pcapng Interface Statistics Block) say "
              + dropped
              + (dropped == 1 ? " packet was" : " packets were")
              + " dropped before reaching the file: a gap or retransmission below may be the"
              + " capture's, not the network's");
    }
    if (an.evictedConnections() > 0) {
      parts.add(
          an.evictedConnections()
              + " connections exceeded the tracking limit; their"
              + " TCP state was dropped to bound memory");
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  private static void header(OutputFormat format, View view, PrintWriter out) {
    switch (format) {
      case TSV ->
          out.append("no\ttime\tsource\tdestination\tprotocol\tlength\tinfo")
              .append(view.explain() ? "\tnote\n" : "\n");
      case TABLE ->
          out.append(
              view.roles()
                  ? String.format(
                      Locale.ROOT,
                      "%5s %9s  %-32s %-8s %5s  %s%n",
                      "no",
                      "time",
                      "from -> to",
                      "protocol",
                      "len",
                      "info")
                  : String.format(
                      Locale.ROOT,
                      "%5s %11s  %-40s %-8s %6s  %s%n",
                      "no",
                      "time",
                      "source -> destination",
                      "protocol",
                      "length",
                      "info"));
      case MARKDOWN ->
          out.append("| no | time | source | destination | protocol | length | info |")
              .append(view.explain() ? " note |\n" : "\n")
              .append("|---:|---:|---|---|---|---:|---|")
              .append(view.explain() ? "---|\n" : "\n");
      case JSON -> out.append("{\"frames\": [\n");
    }
  }

  static void tsv(Row r, boolean explain, StringBuilder sb) {
    sb.append(r.number).append('\t');
    time(r, sb);
    sb.append('\t')
        .append(r.source)
        .append('\t')
        .append(r.destination)
        .append('\t')
        .append(r.protocol)
        .append('\t')
        .append(r.length)
        .append('\t')
        .append(r.info);
    if (explain) {
      sb.append('\t');
      join(r, sb, " | ");
    }
    sb.append('\n');
  }

  private static String heading(TableColors paint, String line) {
    if (!paint.on()) return line;
    StringBuilder sb = new StringBuilder(line);
    paint.paint(sb, 0, TableColors.Style.HEADING);
    return sb.toString();
  }

  private static void table(
      Row r,
      View view,
      Annotator an,
      Map<Integer, Boolean> introduced,
      TableColors paint,
      StringBuilder sb) {
    String indent = "        ";
    TableColors.Style infoStyle = paint.on() ? TableColors.info(r, an) : null;
    if (view.roles()) {
      if (r.connection > 0 && introduced.putIfAbsent(r.connection, true) == null) {
        ConnectionFacts c = an.liveFacts(r.connection);
        if (c != null)
          connectionLine(
              sb,
              paint,
              "  -- connection " + r.connection + ": ",
              c.client(),
              c.server(),
              c.rolesKnown() ? "" : " (roles guessed: no Client Hello seen)");
      }
      String fromTo =
          r.sender == null
              ? r.source + " -> " + r.destination
              : (r.sender == Sender.CLIENT
                  ? "client:" + r.sourcePort + " -> server:" + r.destinationPort
                  : "server:" + r.sourcePort + " -> client:" + r.destinationPort);
      if (r.connection > 0) fromTo = "#" + r.connection + " " + fromTo;
      String head =
          String.format(
              Locale.ROOT,
              "%5d %9.3f  %-32s %-8s %5d  ",
              r.number,
              r.time,
              fromTo,
              r.protocol,
              r.length);
      int at = sb.length();
      sb.append(head);
      appendFitted(sb, r.info, view.width(), head.length());
      if (paint.on()) {
        int col = at + String.format(Locale.ROOT, "%5d %9.3f  ", r.number, r.time).length();
        paint.paint(sb, at + head.length(), infoStyle);
        paint.paint(sb, col, col + fromTo.length(), TableColors.sender(r.sender));
      }
    } else {
      int at = sb.length();
      sb.append(
          String.format(
              Locale.ROOT,
              "%5d %11.6f  %-40s %-8s %6d  %s%n",
              r.number,
              r.time,
              r.source + " -> " + r.destination,
              r.protocol,
              r.length,
              r.info));
      if (paint.on()) {
        // Painted from the end backwards: each paint leaves the offsets before it valid.
        int col = at + String.format(Locale.ROOT, "%5d %11.6f  ", r.number, r.time).length();
        int fromTo = (r.source + " -> " + r.destination).length();
        paint.paint(sb, sb.length() - r.info.length() - System.lineSeparator().length(), infoStyle);
        paint.paint(sb, col, col + fromTo, TableColors.sender(r.sender));
      }
    }
    int w = view.width();
    for (String n : r.notes) wrap(sb, indent + "note: ", n, w);
    for (Payload p : r.payloads) {
      int at = sb.length();
      sb.append(indent).append("decrypted (").append(p.sender().label()).append(", ");
      sb.append(kindLabel(p.kind())).append("):\n");
      paint.paint(sb, at, TableColors.sender(p.sender()));
      for (String l : p.lines()) wrap(sb, indent + "  | ", l, w);
    }
    for (String p : r.problems) {
      int at = sb.length();
      wrap(sb, indent + "PROBLEM: ", p, w);
      paint.paint(sb, at, TableColors.Style.FATAL);
    }
  }

  /**
   * "TITLE client A, server B TAIL" and a newline: the title bold and each role in the colour its
   * frames have, so the heading is the legend of the colours.
   */
  private static void connectionLine(
      StringBuilder sb,
      TableColors paint,
      String title,
      String client,
      String server,
      String tail) {
    int t = sb.length();
    sb.append(title);
    int c = sb.length();
    sb.append("client ").append(client);
    int comma = sb.length();
    sb.append(", ");
    int sv = sb.length();
    sb.append("server ").append(server);
    int end = sb.length();
    sb.append(tail).append('\n');
    paint.paint(sb, sv, end, TableColors.Style.SERVER);
    paint.paint(sb, c, comma, TableColors.Style.CLIENT);
    paint.paint(sb, t, c, TableColors.Style.HEADING);
  }

  private static String kindLabel(Payload.Kind k) {
    return k.label();
  }

  /** Info in the width left on the line, continued under itself: nothing is cut off. */
  private static void appendFitted(StringBuilder sb, String s, int width, int used) {
    if (width <= 0 || used + s.length() <= width) {
      sb.append(s).append('\n');
      return;
    }
    StringBuilder w = new StringBuilder();
    wrap(w, " ".repeat(used), s, Math.max(used + 20, width));
    sb.append(w, used, w.length());
  }

  /** Word-wraps {@code text} after {@code prefix} to {@code width} (0: one line). */
  private static void wrap(StringBuilder sb, String prefix, String text, int width) {
    if (width <= 0 || prefix.length() + text.length() <= width) {
      sb.append(prefix).append(text).append('\n');
      return;
    }
    String pad = " ".repeat(prefix.length());
    int room = Math.max(20, width - prefix.length());
    String head = prefix;
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + room);
      if (end < text.length()) {
        int sp = text.lastIndexOf(' ', end);
        if (sp > i) end = sp;
      }
      sb.append(head).append(text, i, end).append('\n');
      head = pad;
      i = end;
      while (i < text.length() && text.charAt(i) == ' ') i++;
    }
  }

  private static void markdown(Row r, boolean explain, StringBuilder sb) {
    sb.append("| ").append(r.number).append(" | ");
    time(r, sb);
    sb.append(" | ")
        .append(md(r.source))
        .append(" | ")
        .append(md(r.destination))
        .append(" | ")
        .append(md(r.protocol))
        .append(" | ")
        .append(r.length)
        .append(" | ")
        .append(md(r.info));
    if (explain) {
      List<String> parts = new ArrayList<>();
      pieces(r, parts);
      // Each piece escaped, then joined by the one piece of markup the table writes itself.
      sb.append(" | ").append(String.join("<br>", parts.stream().map(AnnotateReport::md).toList()));
    }
    sb.append(" |\n");
  }

  private static void json(Row r, boolean explain, StringBuilder sb) {
    sb.append("  {\"no\": ").append(r.number).append(", \"time\": ");
    time(r, sb);
    sb.append(", \"source\": ")
        .append(q(r.source))
        .append(", \"destination\": ")
        .append(q(r.destination))
        .append(", \"sourcePort\": ")
        .append(r.sourcePort)
        .append(", \"destinationPort\": ")
        .append(r.destinationPort)
        .append(", \"protocol\": ")
        .append(q(r.protocol))
        .append(", \"length\": ")
        .append(r.length)
        .append(", \"info\": ")
        .append(q(r.info))
        .append(", \"tls\": ")
        .append(r.tls)
        .append(", \"connection\": ")
        .append(r.connection);
    if (r.sender != null) sb.append(", \"sender\": ").append(q(r.sender.label()));
    if (explain && !r.notes.isEmpty()) sb.append(", \"notes\": ").append(list(r.notes));
    if (!r.records.isEmpty()) {
      sb.append(", \"records\": [");
      for (int i = 0; i < r.records.size(); i++) {
        TlsRecord t = r.records.get(i);
        sb.append(i > 0 ? ", " : "")
            .append("{\"contentType\": ")
            .append(t.contentType())
            .append(", \"version\": ")
            .append(t.version())
            .append(", \"sender\": ")
            .append(q(t.sender().label()))
            .append(", \"range\": ");
        range(t.range(), sb);
        sb.append(", \"decrypted\": ").append(t.decrypted()).append(", \"messages\": [");
        for (int j = 0; j < t.messages().size(); j++) {
          TlsMessage m = t.messages().get(j);
          sb.append(j > 0 ? ", " : "")
              .append("{\"label\": ")
              .append(q(m.label()))
              .append(", \"type\": ")
              .append(q(m.type().name()))
              .append(", \"handshakeType\": ")
              .append(m.handshakeType())
              .append(", \"sender\": ")
              .append(q(m.sender().label()))
              .append(", \"range\": ");
          range(m.range(), sb);
          if (!m.fields().isEmpty()) {
            sb.append(", \"fields\": [");
            for (int k = 0; k < m.fields().size(); k++) {
              Field fl = m.fields().get(k);
              sb.append(k > 0 ? ", " : "")
                  .append("{\"name\": ")
                  .append(q(fl.name()))
                  .append(", \"value\": ")
                  .append(q(fl.value()))
                  .append(", \"offset\": ")
                  .append(fl.offset())
                  .append(", \"length\": ")
                  .append(fl.length())
                  .append('}');
            }
            sb.append(']');
          }
          if (!m.note().isEmpty()) sb.append(", \"note\": ").append(q(m.note()));
          sb.append('}');
        }
        sb.append("]}");
      }
      sb.append(']');
    }
    if (!r.payloads.isEmpty()) {
      sb.append(", \"decrypted\": [");
      for (int i = 0; i < r.payloads.size(); i++) {
        Payload p = r.payloads.get(i);
        sb.append(i > 0 ? ", " : "")
            .append("{\"sender\": ")
            .append(q(p.sender().label()))
            .append(", \"kind\": ")
            .append(q(p.kind().name()))
            .append(", \"length\": ")
            .append(p.bytes().length)
            .append(", \"lines\": ")
            .append(list(p.lines()));
        if (!p.http2().isEmpty()) {
          sb.append(", \"http2\": [");
          for (int j = 0; j < p.http2().size(); j++) {
            Payload.Http2Frame h = p.http2().get(j);
            sb.append(j > 0 ? ", " : "")
                .append("{\"type\": ")
                .append(q(h.type()))
                .append(", \"stream\": ")
                .append(h.stream())
                .append(", \"flags\": ")
                .append(q(h.flagNames()))
                .append(", \"length\": ")
                .append(h.length());
            if (!h.headers().isEmpty()) {
              sb.append(", \"headers\": [");
              for (int k = 0; k < h.headers().size(); k++) {
                Payload.Header hd = h.headers().get(k);
                sb.append(k > 0 ? ", " : "").append(list(List.of(hd.name(), hd.value())));
              }
              sb.append(']');
            }
            sb.append('}');
          }
          sb.append(']');
        }
        sb.append('}');
      }
      sb.append(']');
    }
    if (!r.problems.isEmpty()) sb.append(", \"problems\": ").append(list(r.problems));
    sb.append('}');
  }

  private static void range(ByteRange br, StringBuilder sb) {
    sb.append("{\"in\": ")
        .append(q(br.space().name().toLowerCase(Locale.ROOT)))
        .append(", \"offset\": ")
        .append(br.offset())
        .append(", \"length\": ")
        .append(br.length())
        .append('}');
  }

  private static void footer(
      OutputFormat format,
      View view,
      List<ConnectionFacts> facts,
      List<ConnectionSummary> sums,
      List<QuicSummary> quic,
      String problem,
      TableColors paint,
      PrintWriter out) {
    switch (format) {
      case TSV -> {
        // TSV stays machine-readable: rows only.
      }
      case JSON -> {
        out.append("\n], \"connections\": [\n");
        for (int i = 0; i < sums.size(); i++) {
          ConnectionSummary s = sums.get(i);
          ConnectionFacts c = facts.get(i);
          out.append("  {\"connection\": ")
              .append(String.valueOf(s.index()))
              .append(", \"client\": ")
              .append(q(s.client()))
              .append(", \"server\": ")
              .append(q(s.server()));
          factsJson(c, out);
          out.append(", \"facts\": ")
              .append(list(s.lines()))
              .append('}')
              .append(i + 1 < sums.size() ? ",\n" : "\n");
        }
        out.append("]");
        StringBuilder qj = new StringBuilder(", \"quicConnections\": ");
        QuicSummary.json(quic, qj);
        out.append(qj);
        if (problem != null) out.append(", \"fileProblem\": ").append(q(problem));
        out.append("}\n");
      }
      case TABLE, MARKDOWN -> {
        boolean md = format == OutputFormat.MARKDOWN;
        for (ConnectionSummary s : sums) {
          StringBuilder h = new StringBuilder(md ? "\n### " : "\n");
          connectionLine(
              h,
              paint,
              (md ? "" : "== ") + "Connection " + s.index() + ": ",
              s.client(),
              s.server(),
              "");
          out.append(h);
          for (String l : s.lines()) {
            if (md) out.append("- ").append(md(l)).append('\n');
            else {
              StringBuilder sb = new StringBuilder();
              wrap(sb, "   ", l, view.width());
              out.append(sb);
            }
          }
        }
        for (QuicSummary s : quic) {
          out.append(md ? "\n### " : "\n== ")
              .append("QUIC connection ")
              .append(String.valueOf(s.index()))
              .append(": client ")
              .append(s.client())
              .append(", server ")
              .append(s.server())
              .append('\n');
          for (String l : s.lines()) {
            if (md) out.append("- ").append(md(l)).append('\n');
            else {
              StringBuilder sb = new StringBuilder();
              wrap(sb, "   ", l, view.width());
              out.append(sb);
            }
          }
        }
        if (problem != null) {
          StringBuilder sb = new StringBuilder(md ? "**File problem:** " : "FILE PROBLEM: ");
          sb.append(md ? md(problem) : problem);
          paint.paint(sb, 0, TableColors.Style.FATAL);
          out.append('\n').append(sb).append('\n');
        }
      }
    }
  }

  private static void factsJson(ConnectionFacts c, PrintWriter out) {
    out.append(", \"rolesKnown\": ")
        .append(String.valueOf(c.rolesKnown()))
        .append(", \"version\": ")
        .append(q(c.versionName()))
        .append(", \"versionCode\": ")
        .append(String.valueOf(c.version()))
        .append(", \"cipherSuite\": ")
        .append(q(c.cipherSuiteName()))
        .append(", \"cipherSuiteCode\": ")
        .append(String.valueOf(c.cipherSuite()))
        .append(", \"keyExchange\": ")
        .append(q(c.keyExchange().name()))
        .append(", \"keyExchangeGroup\": ")
        .append(String.valueOf(c.keyExchangeGroup()))
        .append(", \"forwardSecret\": ")
        .append(String.valueOf(c.forwardSecret()))
        .append(", \"mode\": ")
        .append(q(c.mode().name()))
        .append(", \"helloRetryRequest\": ")
        .append(String.valueOf(c.helloRetryRequest()))
        .append(", \"helloRetryGroup\": ")
        .append(String.valueOf(c.helloRetryGroup()))
        .append(", \"helloRetryCookie\": ")
        .append(String.valueOf(c.helloRetryCookie()))
        .append(", \"handshakeFinished\": ")
        .append(String.valueOf(c.handshakeFinished()))
        .append(", \"earlyDataOffered\": ")
        .append(String.valueOf(c.earlyDataOffered()))
        .append(", \"earlyDataAccepted\": ")
        .append(String.valueOf(c.earlyDataAccepted()))
        .append(", \"serverName\": ")
        .append(c.serverName() == null ? "null" : q(c.serverName()))
        .append(", \"alpnOffered\": ")
        .append(list(c.alpnOffered()))
        .append(", \"alpnChosen\": ")
        .append(c.alpnChosen() == null ? "null" : q(c.alpnChosen()))
        .append(", \"serverKeyExchange\": ")
        .append(String.valueOf(c.serverKeyExchange()))
        .append(", \"certificateRequest\": ")
        .append(String.valueOf(c.certificateRequest()))
        .append(", \"clientCertificateSent\": ")
        .append(String.valueOf(c.clientCertificateSent()))
        .append(", \"clientCertificateVerify\": ")
        .append(String.valueOf(c.clientCertificateVerify()))
        .append(", \"serverCertificates\": ")
        .append(certs(c.serverCertificates()))
        .append(", \"clientCertificates\": ")
        .append(certs(c.clientCertificates()))
        .append(", \"ticketsIssued\": ")
        .append(String.valueOf(c.ticketsIssued()))
        .append(", \"ticketLifetime\": ")
        .append(String.valueOf(c.ticketLifetime()))
        .append(", \"alerts\": [");
    for (int i = 0; i < c.alerts().size(); i++) {
      TlsAlert a = c.alerts().get(i);
      out.append(i > 0 ? ", " : "")
          .append("{\"sender\": ")
          .append(q(a.sender().label()))
          .append(", \"frame\": ")
          .append(String.valueOf(a.frame()))
          .append(", \"level\": ")
          .append(String.valueOf(a.level()))
          .append(", \"description\": ")
          .append(q(a.name()))
          .append('}');
    }
    out.append("], \"keyUpdates\": [");
    for (int i = 0; i < c.keyUpdates().size(); i++) {
      KeyUpdate k = c.keyUpdates().get(i);
      out.append(i > 0 ? ", " : "")
          .append("{\"sender\": ")
          .append(q(k.sender().label()))
          .append(", \"frame\": ")
          .append(String.valueOf(k.frame()))
          .append(", \"requestUpdate\": ")
          .append(String.valueOf(k.requestUpdate()))
          .append(", \"answersFrame\": ")
          .append(String.valueOf(k.answersFrame()))
          .append(", \"answeredFrame\": ")
          .append(String.valueOf(k.answeredFrame()))
          .append('}');
    }
    out.append("], \"certificateStatus\": ")
        .append(c.certificateStatus() == null ? "null" : ocspJson(c.certificateStatus()))
        .append(", \"proxy\": ")
        .append(c.proxy() == null ? "null" : q(c.proxy()))
        .append(", \"clientApplicationData\": ")
        .append(String.valueOf(c.clientApplicationData()))
        .append(", \"serverApplicationData\": ")
        .append(String.valueOf(c.serverApplicationData()))
        .append(", \"decryptedRecords\": ")
        .append(String.valueOf(c.decryptedRecords()))
        .append(", \"decryptionStatus\": ")
        .append(c.decryptionStatus() == null ? "null" : q(c.decryptionStatus()))
        .append(", \"problems\": ")
        .append(list(c.problems()));
  }

  /** A stapled OCSP answer as a JSON object: its fields, no sentences. */
  private static String ocspJson(CertificateStatus s) {
    return "{\"statusType\": "
        + (s.statusType() == 1 ? q("ocsp") : s.statusType() == 2 ? q("ocsp_multi") : s.statusType())
        + ", \"responseStatus\": "
        + qn(s.responseStatus())
        + ", \"certStatus\": "
        + (s.certStatus() == null ? "null" : q(s.certStatus().name().toLowerCase(Locale.ROOT)))
        + ", \"revokedAt\": "
        + qn(s.revokedAt())
        + ", \"reason\": "
        + qn(s.reason())
        + ", \"serial\": "
        + qn(s.serialHex())
        + ", \"responderName\": "
        + qn(s.responderName())
        + ", \"responderKeyHash\": "
        + qn(s.responderKeyHash())
        + ", \"signerInChain\": "
        + s.signerInChain()
        + ", \"signature\": "
        + (s.signature() == null ? "null" : q(s.signature().name().toLowerCase(Locale.ROOT)))
        + ", \"producedAt\": "
        + qn(s.producedAt())
        + ", \"thisUpdate\": "
        + qn(s.thisUpdate())
        + ", \"nextUpdate\": "
        + qn(s.nextUpdate())
        + ", \"problem\": "
        + qn(s.problem())
        + "}";
  }

  private static String qn(Object o) {
    return o == null ? "null" : q(o.toString());
  }

  private static String certs(List<X509Certificate> l) {
    List<String> s = new ArrayList<>();
    for (X509Certificate x : l) s.add(x.getSubjectX500Principal().getName());
    return list(s);
  }

  private static void join(Row r, StringBuilder sb, String sep) {
    List<String> parts = new ArrayList<>();
    pieces(r, parts);
    sb.append(String.join(sep, parts));
  }

  /** A row's notes, decrypted lines and problems, one line each, for the TSV and markdown. */
  private static void pieces(Row r, List<String> out) {
    for (String s : r.notes) out.add(s.replace('\t', ' ').replace('\n', ' '));
    for (Payload p : r.payloads)
      for (String s : p.lines())
        out.add("decrypted " + p.sender().label() + ": " + s.replace('\t', ' ').replace('\n', ' '));
    for (String s : r.problems) out.add("PROBLEM: " + s.replace('\t', ' ').replace('\n', ' '));
  }

  private static void time(Row r, StringBuilder sb) {
    long micros = Math.round(r.time * 1e6);
    sb.append(micros / 1_000_000).append('.');
    String frac = Long.toString(micros % 1_000_000);
    for (int i = frac.length(); i < 6; i++) sb.append('0');
    sb.append(frac);
  }

  /**
   * Capture text as Markdown text, never markup: a renderer shows it as written. Markdown passes
   * raw HTML through ({@code <img onerror=...>} in an SNI would run in a previewer) and makes links
   * of {@code [x](javascript:...)}, so {@code < > &} become entities and {@code \\ | [ ]} are
   * backslash-escaped ({@code |} would also end a table cell).
   */
  private static String md(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '\\', '|', '[', ']' -> sb.append('\\').append(c);
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static String q(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }

  private static String list(List<String> l) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(q(l.get(i)));
    return sb.append(']').toString();
  }
}
