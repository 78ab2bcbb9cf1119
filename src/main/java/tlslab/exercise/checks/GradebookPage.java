package tlslab.exercise.checks;

import java.util.List;
import java.util.Locale;
import tlslab.exercise.Exercise;

/**
 * The gradebook as one self-contained HTML page, beside the CSV: the same rows and cells as {@link
 * Grading#csv}, as a table an instructor can read on a projector or print. The page has no script
 * and loads nothing (its Content-Security-Policy forbids both); every value from a submission
 * (names, hints, answers) is HTML-escaped, since a student chooses what they contain.
 *
 * <p>Each cell carries {@code data-col}, the CSV column it shows, so the page and the CSV can be
 * compared cell by cell.
 */
public final class GradebookPage {
  private GradebookPage() {}

  /** The page for {@code rows}, with one column pair (status, hint) per exercise. */
  public static String html(List<Grading.Graded> rows, List<Exercise> exercises) {
    StringBuilder b = new StringBuilder(1 << 14);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(CSP)
        .append("\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>TLS Lab gradebook</title>\n<style>")
        .append(CSS)
        .append("</style></head>\n<body>\n<h1>TLS Lab gradebook</h1>\n")
        .append("<p class=\"legend\"><span class=\"passed\">✓ passed</span>")
        .append(" <span class=\"failed\">✗ failed</span> (the first failed requirement's hint")
        .append(" below) <span class=\"missing\">- missing</span>. ")
        .append(rows.size())
        .append(rows.size() == 1 ? " submission" : " submissions")
        .append(", ")
        .append(rows.stream().filter(g -> !g.flags().isEmpty()).count())
        .append(" flagged.</p>\n<table>\n<thead><tr><th>student</th><th>name</th>")
        .append("<th>submission</th><th>passed</th>");
    for (Exercise e : exercises)
      b.append("<th title=\"")
          .append(esc(e.title()))
          .append("\">")
          .append(e.number())
          .append("</th>");
    b.append("<th>answers to read</th><th>collusion</th></tr></thead>\n<tbody>\n");
    for (Grading.Graded g : rows) {
      b.append("<tr")
          .append(g.flags().isEmpty() ? "" : " class=\"flagged\"")
          .append(" data-student=\"")
          .append(esc(g.student()))
          .append("\">");
      cell(b, "student", g.student());
      cell(b, "name", g.name());
      cell(b, "submission", g.submission());
      b.append("<td data-col=\"passed\" class=\"num\">").append(g.passed()).append("</td>");
      StringBuilder read = new StringBuilder();
      for (Exercise e : exercises) {
        Grading.Outcome o = g.outcomes().get(e.number());
        String col = String.format(Locale.ROOT, "ex%02d", e.number());
        String status = o == null ? "" : o.status().name().toLowerCase(Locale.ROOT);
        b.append("<td class=\"st ").append(status.isEmpty() ? "none" : status).append("\">");
        b.append("<span data-col=\"").append(col).append("\">").append(status).append("</span>");
        b.append("<small data-col=\"").append(col).append("_hint\">");
        b.append(esc(o == null ? "" : o.hint())).append("</small></td>");
        if (o != null)
          o.collected()
              .forEach(
                  (k, v) ->
                      read.append(read.length() == 0 ? "" : " | ")
                          .append(e.number())
                          .append(' ')
                          .append(k)
                          .append(": ")
                          .append(v));
      }
      cell(b, "answers_to_read", read.toString());
      cell(b, "collusion", String.join("; ", g.flags()));
      b.append("</tr>\n");
    }
    b.append("</tbody></table>\n</body></html>\n");
    return b.toString();
  }

  private static void cell(StringBuilder b, String col, String value) {
    b.append("<td data-col=\"").append(col).append("\">").append(esc(value)).append("</td>");
  }

  /** Text escaped for element content and quoted attribute values. */
  static String esc(String s) {
    return tlslab.common.Html.escape(s);
  }

  private static final String CSS =
      """
      :root { --bg: #fff; --fg: #1b1b1b; --mute: #666; --line: #bbb; --ok: #007a5a;
        --bad: #c00000; --flag: #fff1b3; }
      @media (prefers-color-scheme: dark) {
        :root { --bg: #121212; --fg: #e6e6e6; --mute: #a0a0a0; --line: #555; --ok: #4fd1a5;
          --bad: #ff6b6b; --flag: #2e2800; }
      }
      body { margin: 1em; font: 16px/1.45 system-ui, sans-serif; background: var(--bg);
        color: var(--fg); }
      h1 { font-size: 1.3em; margin: 0 0 .3em; }
      table { border-collapse: collapse; }
      th, td { border: 1px solid var(--line); padding: .2em .4em; vertical-align: top;
        text-align: left; overflow-wrap: anywhere; }
      thead th { position: sticky; top: 0; background: var(--bg); white-space: nowrap;
        overflow-wrap: normal; }
      td.num { text-align: right; }
      td.st span { font-weight: bold; white-space: nowrap; }
      td.st.passed span { color: var(--ok); } td.st.passed span::before { content: "✓ "; }
      td.st.failed span { color: var(--bad); } td.st.failed span::before { content: "✗ "; }
      td.st.missing span { color: var(--mute); } td.st.missing span::before { content: "- "; }
      td.st small { display: block; color: var(--mute); max-width: 16em; font-size: .85em; }
      tr.flagged { background: var(--flag); }
      tr.flagged td[data-col="collusion"] { color: var(--bad); font-weight: bold; }
      .legend .passed { color: var(--ok); } .legend .failed { color: var(--bad); }
      .legend .missing { color: var(--mute); }
      @media print {
        :root { --bg: #fff; --fg: #000; }
        thead th { position: static; } tr { break-inside: avoid; }
      }
      """;

  /**
   * No script at all, nothing loaded, and only this page's own style element (by its SHA-256): a
   * name that ever reached the markup could neither run nor restyle the page.
   */
  private static final String CSP;

  static {
    String hash;
    try {
      hash =
          java.util.Base64.getEncoder()
              .encodeToString(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(CSS.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
    CSP =
        "default-src 'none'; style-src 'sha256-" + hash + "'; base-uri 'none'; form-action 'none'";
  }
}
