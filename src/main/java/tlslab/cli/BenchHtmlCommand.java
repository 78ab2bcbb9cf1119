package tlslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.bench.HtmlBench;
import tlslab.common.LabException;

/** {@code lab bench html}: how fast a big capture's HTML page opens in headless Chromium. */
@Command(
    name = "html",
    mixinStandardHelpOptions = true,
    description = {
      "Write the --format html page of FILE (default: record a capture of at least 5,000 frames:"
          + " curl against openssl s_server on loopback, tcpdump on lo; needs root), then open it"
          + " in headless Chromium and print: frames, page size, navigation start to first"
          + " connection painted (the page's Performance marks), and the wall time of a whole"
          + " 'chromium --headless --dump-dom' run, each beside a blank page in the same run."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchHtmlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A pcap or pcapng.")
  Path file;

  @Option(names = "--keylog", paramLabel = "FILE", description = "NSS key log for FILE.")
  Path keylog;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Loads of each page (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--keep", description = "Keep the generated capture and page; print their paths.")
  boolean keep;

  @Override
  public Integer call() {
    if (rounds < 1 || rounds > 100)
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--rounds must be 1..100");
    if (file != null && !Files.isRegularFile(file))
      throw LabException.badInput(file + ": no such file");
    if (keylog != null && !Files.isRegularFile(keylog))
      throw LabException.badInput(keylog + ": no such file");
    HtmlBench.run(file, keylog, rounds, keep, spec.commandLine().getOut());
    return ExitCode.OK;
  }
}
