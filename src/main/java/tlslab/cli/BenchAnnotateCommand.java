package tlslab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.AnnotateBench;

/**
 * {@code lab bench annotate}: annotate throughput versus tshark on the same ~100 MB capture.
 * (Registered under the {@code bench} parent command.)
 */
@Command(
    name = "annotate",
    mixinStandardHelpOptions = true,
    description = {
      "Build a loopback capture of many TLS sessions, then time",
      "'lab annotate --format tsv' against 'tshark -T fields -e _ws.col.Info'",
      "on it: MB/s of each, the ratio, and peak heap."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchAnnotateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--size-mb",
      defaultValue = "100",
      description = "Capture size in MB (default: ${DEFAULT-VALUE}).")
  int sizeMb;

  @Option(
      names = "--quic",
      paramLabel = "FILE",
      description =
          "An Ethernet capture of a QUIC session: about half of the benchmark capture's bytes are"
              + " copies of its UDP frames (each on a new client port).")
  java.nio.file.Path quic;

  @Option(names = "--keep", description = "Keep the generated capture and print its path.")
  boolean keep;

  @Override
  public Integer call() {
    if (sizeMb < 1 || sizeMb > 10_000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--size-mb must be 1..10000");
    }
    AnnotateBench.run(sizeMb, keep, quic, spec.commandLine().getOut());
    return ExitCode.OK;
  }
}
