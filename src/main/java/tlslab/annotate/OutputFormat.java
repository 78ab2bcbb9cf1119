package tlslab.annotate;

/** Output formats of {@code lab annotate}. */
public enum OutputFormat {
  /** Aligned columns with notes under each TLS frame and a summary per connection. */
  TABLE,
  /**
   * Header line, then one tab-separated row per frame: no time source destination protocol length
   * info.
   */
  TSV,
  /** One JSON document: frames and connections. */
  JSON,
  /** A Markdown table plus the summaries. */
  MARKDOWN,
  /**
   * One self-contained HTML page (ladder and byte view), written by HtmlReport in the html
   * sub-package, not by {@link AnnotateReport}.
   */
  HTML
}
