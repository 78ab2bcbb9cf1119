package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.HandshakeBench;

/** {@code lab bench handshakes}: full handshakes/s, lab server vs openssl s_server. */
@Command(
    name = "handshakes",
    mixinStandardHelpOptions = true,
    header = "Full TLS handshakes per second: lab server vs openssl s_server.",
    description = {
      "Runs 'openssl s_time -new' against the lab chat server and against openssl s_server",
      "with the same certificate and key, one after the other, and prints both rates and",
      "their ratio."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchHandshakesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--time",
      paramLabel = "SECONDS",
      description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
  int seconds = 10;

  @Mixin ProfileMixin profile;

  @Option(
      names = "--key",
      paramLabel = "TYPE",
      description =
          "Server key of both servers: rsa-2048, rsa-3072 or ec-p256 (default: ${DEFAULT-VALUE}).",
      defaultValue = "rsa-2048")
  String key;

  @Option(
      names = "--loops",
      paramLabel = "N",
      description = "Server event loops (default: one per core).")
  int loops;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(HandshakeBench.run(profile.get(), seconds, loops, tlslab.pki.KeyType.parse(key)));
    out.flush();
    return ExitCode.OK;
  }
}
