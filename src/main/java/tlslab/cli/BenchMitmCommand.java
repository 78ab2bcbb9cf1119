package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.MitmBench;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsProfile;

/** {@code lab bench mitm}: the latency lab mitm adds per chat line. */
@Command(
    name = "mitm",
    mixinStandardHelpOptions = true,
    header = "Latency per chat line: direct vs through --tap vs through the intercepting mitm.",
    description = {
      "One sender per path and one receiver on the lab chat server; each line leaves when the",
      "previous one has arrived. Prints median and p99 per path and what each relay adds."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchMitmCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--lines",
      paramLabel = "N",
      description = "Lines per path (default: ${DEFAULT-VALUE}).")
  int lines = 1000;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "modern, report or tls13 (default: ${DEFAULT-VALUE}).")
  String profile = "modern";

  @Override
  public Integer call() {
    TlsProfile p = TlsProfile.parse(profile);
    JsseSetup.prepare(p == TlsProfile.REPORT, false);
    PrintWriter out = spec.commandLine().getOut();
    out.print(MitmBench.run(lines, p).report());
    out.flush();
    return ExitCode.OK;
  }
}
