package tlslab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.bench.FuzzBench;

/**
 * {@code lab bench fuzz}: mutation fuzzing of {@code lab annotate} with a fixed seed, printing
 * cases per second and outcome counts. (Registered under the {@code bench} parent command.)
 */
@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    description = {
      "Mutate captures (lengths that lie at every layer, truncation, bit flips,",
      "dropped, duplicated and reordered packets, wrong link types, junk key",
      "logs) and annotate each in this JVM: cases per second and outcomes",
      "(ok, warned, bad input, and the defects: crash, internal error, hang,",
      "memory, silent loss). Exits 1 if it found a defect."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchFuzzCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "0..*",
      description =
          "Seed captures (pcap or pcapng) besides the TLS 1.2/1.3 sessions made in memory.")
  List<Path> files = List.of();

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description = "Key log for the seed captures (it is fuzzed too).")
  Path keylog;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      description = "How long to fuzz (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--cases",
      defaultValue = "1000000000",
      description = "Stop after this many cases.")
  long cases;

  @Option(
      names = "--seed",
      defaultValue = "20261202",
      description =
          "Random seed: the same seed and files give the same cases (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--deadline-ms",
      defaultValue = "10000",
      description = "A case still running after this is a hang (default: ${DEFAULT-VALUE}).")
  long deadline;

  @Option(
      names = "--tshark",
      paramLabel = "N",
      defaultValue = "0",
      description = "Also read every N-th mutant with tshark and compare (default: off).")
  int tshark;

  @Option(
      names = "--save",
      paramLabel = "DIR",
      description = "Write each defect's minimized input into DIR.")
  Path save;

  @Override
  public Integer call() {
    if (seconds <= 0 || cases < 1 || deadline < 1 || tshark < 0)
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--seconds, --cases and --deadline-ms must be positive");
    for (Path f : files)
      if (!java.nio.file.Files.isRegularFile(f))
        throw tlslab.common.LabException.badInput(f + ": no such file");
    FuzzBench.Result r =
        FuzzBench.run(
            files,
            keylog,
            seconds,
            cases,
            seed,
            deadline,
            tshark,
            save,
            spec.commandLine().getOut());
    return r.defectCount() == 0 ? ExitCode.OK : ExitCode.FAILED;
  }
}
