package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.annotate.AnnotateReport;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;

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
      description = "table, tsv, json or markdown (default: ${DEFAULT-VALUE}).",
      converter = FormatConverter.class)
  OutputFormat format;

  @Option(names = "--explain", description = "Add the plain-language notes in every format.")
  boolean explain;

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not one of table, tsv, json, markdown");
      }
    }
  }

  @Override
  public Integer call() {
    KeyMaterial keys = KeyMaterial.none();
    if (keylog != null) keys.withKeyLog(keylog);
    if (key != null) keys.withRsaKey(key);
    PrintWriter out = spec.commandLine().getOut();
    AnnotateReport.Result r = AnnotateReport.run(file, keys, format, explain, out);
    if (r.fileProblem() != null) {
      spec.commandLine().getErr().println("lab annotate: warning: " + r.fileProblem());
      spec.commandLine().getErr().flush();
    }
    return ExitCode.OK;
  }
}
