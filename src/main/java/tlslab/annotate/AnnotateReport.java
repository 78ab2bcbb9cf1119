package tlslab.annotate;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Annotates a capture file and writes it in one of the {@link OutputFormat}s, streaming: rows are
 * written as frames are read, so memory stays flat for any file size.
 */
public final class AnnotateReport {
  /** What happened: counts and any damage found in the file. */
  public record Result(long frames, long tlsFrames, int connections, String fileProblem) {}

  private AnnotateReport() {}

  /**
   * Reads {@code file}, writes the annotation to {@code out}. Throws LabException (BAD_INPUT) only
   * when the file is missing or not a capture at all; damage inside is flagged in the result and
   * the output.
   */
  public static Result run(
      Path file, KeyMaterial keys, OutputFormat format, boolean explain, PrintWriter out) {
    boolean notes = explain || format == OutputFormat.TABLE;
    Annotator an = new Annotator(keys, notes);
    Frame f = new Frame();
    StringBuilder line = new StringBuilder(256);
    boolean firstJson = true;
    try (CaptureReader r = CaptureReader.open(file)) {
      an.follow(r); // keys stored in the capture (pcapng Decryption Secrets Blocks)
      header(format, explain, out);
      while (r.next(f)) {
        Row row = an.annotate(f);
        line.setLength(0);
        switch (format) {
          case TSV -> tsv(row, explain, line);
          case TABLE -> table(row, line);
          case MARKDOWN -> markdown(row, explain, line);
          case JSON -> {
            if (!firstJson) line.append(",\n");
            json(row, explain, line);
            firstJson = false;
          }
        }
        out.append(line);
      }
      List<ConnectionSummary> sums = an.summaries();
      String problem = r.problem();
      if (an.evictedConnections() > 0) {
        String note =
            an.evictedConnections()
                + " connections exceeded the tracking limit; their"
                + " TCP state was dropped to bound memory";
        problem = problem == null ? note : problem + "; " + note;
      }
      footer(format, sums, problem, out);
      out.flush();
      return new Result(an.frameCount(), an.tlsFrameCount(), sums.size(), problem);
    }
  }

  private static void header(OutputFormat format, boolean explain, PrintWriter out) {
    switch (format) {
      case TSV ->
          out.append("no\ttime\tsource\tdestination\tprotocol\tlength\tinfo")
              .append(explain ? "\tnote\n" : "\n");
      case TABLE ->
          out.append(
              String.format(
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
              .append(explain ? " note |\n" : "\n")
              .append("|---:|---:|---|---|---|---:|---|")
              .append(explain ? "---|\n" : "\n");
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

  private static void table(Row r, StringBuilder sb) {
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
    for (String n : r.notes) sb.append("        note: ").append(n).append('\n');
    for (String d : r.decrypted) sb.append("        decrypted: ").append(d).append('\n');
    for (String p : r.problems) sb.append("        PROBLEM: ").append(p).append('\n');
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
      StringBuilder n = new StringBuilder();
      join(r, n, "<br>");
      sb.append(" | ").append(md(n.toString()));
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
        .append(", \"protocol\": ")
        .append(q(r.protocol))
        .append(", \"length\": ")
        .append(r.length)
        .append(", \"info\": ")
        .append(q(r.info));
    if (explain && !r.notes.isEmpty()) sb.append(", \"notes\": ").append(list(r.notes));
    if (!r.decrypted.isEmpty()) sb.append(", \"decrypted\": ").append(list(r.decrypted));
    if (!r.problems.isEmpty()) sb.append(", \"problems\": ").append(list(r.problems));
    sb.append('}');
  }

  private static void footer(
      OutputFormat format, List<ConnectionSummary> sums, String problem, PrintWriter out) {
    switch (format) {
      case TSV -> {
        // TSV stays machine-readable: rows only.
      }
      case JSON -> {
        out.append("\n], \"connections\": [\n");
        for (int i = 0; i < sums.size(); i++) {
          ConnectionSummary s = sums.get(i);
          out.append("  {\"connection\": ")
              .append(String.valueOf(s.index()))
              .append(", \"client\": ")
              .append(q(s.client()))
              .append(", \"server\": ")
              .append(q(s.server()))
              .append(", \"facts\": ")
              .append(list(s.lines()))
              .append('}')
              .append(i + 1 < sums.size() ? ",\n" : "\n");
        }
        out.append("]");
        if (problem != null) out.append(", \"fileProblem\": ").append(q(problem));
        out.append("}\n");
      }
      case TABLE, MARKDOWN -> {
        boolean md = format == OutputFormat.MARKDOWN;
        for (ConnectionSummary s : sums) {
          out.append(md ? "\n### " : "\n== ")
              .append("Connection ")
              .append(String.valueOf(s.index()))
              .append(": client ")
              .append(s.client())
              .append(", server ")
              .append(s.server())
              .append('\n');
          for (String l : s.lines()) out.append(md ? "- " : "   ").append(l).append('\n');
        }
        if (problem != null)
          out.append(md ? "\n**File problem:** " : "\nFILE PROBLEM: ").append(problem).append('\n');
      }
    }
  }

  private static void join(Row r, StringBuilder sb, String sep) {
    boolean first = true;
    for (List<String> l : List.of(r.notes, r.decrypted, r.problems)) {
      String tag = l == r.decrypted ? "decrypted: " : l == r.problems ? "PROBLEM: " : "";
      for (String s : l) {
        if (!first) sb.append(sep);
        sb.append(tag).append(s.replace('\t', ' ').replace('\n', ' '));
        first = false;
      }
    }
  }

  private static void time(Row r, StringBuilder sb) {
    long micros = Math.round(r.time * 1e6);
    sb.append(micros / 1_000_000).append('.');
    String frac = Long.toString(micros % 1_000_000);
    for (int i = frac.length(); i < 6; i++) sb.append('0');
    sb.append(frac);
  }

  private static String md(String s) {
    return s.replace("|", "\\|");
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
