package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.TraceBench;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsProfile;

/** {@code lab bench trace}: handshake rate with and without tracing, in one run. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    header = "Handshake rate with tracing on vs off, measured in one run.",
    description = {
      "Runs N full handshakes untraced and N traced (alternating rounds, same JVM) between",
      "two in-memory SSLEngines and prints both rates and the cost per handshake."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchTraceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "Handshakes of each kind (default: ${DEFAULT-VALUE}).")
  int count = 400;

  @Mixin ProfileMixin profile;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    JsseSetup.prepare(p == TlsProfile.REPORT, true);
    PrintWriter out = spec.commandLine().getOut();
    out.println(TraceBench.run(p, count).report());
    out.flush();
    return ExitCode.OK;
  }
}
