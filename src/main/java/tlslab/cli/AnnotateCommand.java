package tlslab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;
import tlslab.annotate.TableColors;
import tlslab.annotate.html.HtmlReport;
import tlslab.common.LabException;

/** {@code lab annotate}: label a capture exactly as Wireshark does, explain it, decrypt it. */
@Command(
    name = "annotate",
    mixinStandardHelpOptions = true,
    description = {
      "Annotate a pcap/pcapng capture: Wireshark's Protocol and Info",
      "columns for every frame, a plain-language note per TLS message and",
      "a summary per connection. TLS is recognised on any port.",
      "A damaged file is annotated up to the damage (warning, exit 0)."
    },
    footer = {"", ExitCode.TABLE, "A file that is not a capture at all exits with 3."})
public final class AnnotateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Capture file (pcap or pcapng).")
  Path file;

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description = "NSS key log (SSLKEYLOGFILE) to decrypt with.")
  Path keylog;

  @Option(
      names = "--key",
      paramLabel = "PEM",
      description = "Server RSA private key (decrypts TLS_RSA sessions only).")
  Path key;

  @Option(
      names = "--format",
      paramLabel = "FMT",
      defaultValue = "table",
      description = "table, tsv, json, markdown or html (default: ${DEFAULT-VALUE}).",
      converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class)
  OutputFormat format;

  @Option(names = "--explain", description = "Add the plain-language notes in every format.")
  boolean explain;

  @Option(
      names = "--report",
      description = {
        "Add the student report's corrections to the notes: for the lab's own",
        "captures (the chat of lab server/client), not for other traffic."
      })
  boolean report;

  @Option(
      names = "--all-bytes",
      description = "Show decrypted payloads in full (default: bounded excerpts).")
  boolean allBytes;

  @Option(names = "--tls-only", description = "Only frames that carry TLS.")
  boolean tlsOnly;

  @Option(
      names = "--roles",
      description =
          "Table: endpoints as client:PORT -> server:PORT (addresses once per connection).")
  boolean roles;

  @Option(
      names = "--width",
      paramLabel = "N",
      description = "Table: fit rows and notes into N columns (default: no limit).")
  int width;

  @Option(
      names = "--classroom",
      description = {
        "A classroom screen: --tls-only --roles, fitted to the terminal",
        "(the COLUMNS variable, else 100 columns, unless --width is given)."
      })
  boolean classroom;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output (html: a .html page).")
  Path outFile;

  @Option(names = "--force", description = "Overwrite the --out file if it exists.")
  boolean force;

  @Mixin ColorMixin color;

  /** What shell completion offers for --format: the names as the help writes them. */
  static final class FormatCandidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("table", "tsv", "json", "markdown", "html").iterator();
    }
  }

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not one of table, tsv, json, markdown, html");
      }
    }
  }

  @Override
  public Integer call() {
    KeyMaterial keys = KeyMaterial.none();
    if (keylog != null) keys.withKeyLog(keylog);
    if (key != null) keys.withRsaKey(key);
    PrintWriter out = spec.commandLine().getOut();
    int w = width;
    if (classroom && w <= 0) {
      try {
        w = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").trim());
      } catch (NumberFormatException e) {
        w = 100;
      }
    }
    if (w < 0)
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--width must be >= 0");
    AnnotateReport.View view =
        new AnnotateReport.View(
            explain || classroom, report, allBytes, tlsOnly || classroom, roles || classroom, w);
    if (Files.isDirectory(file))
      throw LabException.badInput(file + ": is a folder, not a capture file");
    AnnotateReport.Result r;
    if (outFile != null) {
      if (Files.isDirectory(outFile))
        throw LabException.badInput(outFile + ": is a folder; --out names the file to write");
      if (Files.exists(outFile) && !force)
        throw LabException.refused(outFile + " exists (use --force to overwrite)");
      r = renderToFile(keys, view);
    } else r = render(keys, view, color.colors(true), out);
    if (r.fileProblem() != null) {
      spec.commandLine().getErr().println("lab annotate: warning: " + r.fileProblem());
    }
    // Key log lines skipped (junk, wrong lengths), in --keylog or stored in the capture.
    for (String warning : keys.warnings())
      spec.commandLine().getErr().println("lab annotate: warning: " + warning);
    spec.commandLine().getErr().flush();
    return ExitCode.OK;
  }

  /**
   * Renders into a temporary file beside {@code --out} and moves it into place only when the whole
   * report was written: a capture that cannot be read leaves an existing {@code --out} (even with
   * {@code --force}) as it was, and no half-written file.
   */
  private AnnotateReport.Result renderToFile(KeyMaterial keys, AnnotateReport.View view) {
    Path target = outFile.toAbsolutePath();
    Path temp;
    try {
      temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
    } catch (IOException e) {
      throw LabException.badInput(outFile + ": cannot write (" + e.getMessage() + ")", e);
    }
    boolean moved = false;
    try {
      AnnotateReport.Result r;
      try (PrintWriter fileOut =
          new PrintWriter(Files.newBufferedWriter(temp, StandardCharsets.UTF_8))) {
        r = render(keys, view, color.colors(false), fileOut);
        if (fileOut.checkError()) throw LabException.badInput("could not write " + outFile);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      return r;
    } catch (IOException e) {
      throw LabException.badInput("could not write " + outFile + ": " + e.getMessage(), e);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // The temporary file is all that is left; the error that brought us here is reported.
        }
      }
    }
  }

  private AnnotateReport.Result render(
      KeyMaterial keys, AnnotateReport.View view, TableColors colors, PrintWriter o) {
    if (format == OutputFormat.HTML) return HtmlReport.write(file, keys, view, o);
    return AnnotateReport.run(file, keys, format, view, colors, o);
  }
}
