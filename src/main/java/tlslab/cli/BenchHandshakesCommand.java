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
      "with the same certificate, key and chain, one after the other, and prints both rates",
      "and their ratio, with each server's CPU time per handshake and what each negotiated.",
      "The lab server runs in a JVM of its own, started with the options the lab",
      "launcher gives lab server.",
      "One connection at a time; both servers get the same warm-up. docs/HANDSHAKES.md"
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
      names = "--engine",
      paramLabel = "NAME",
      description =
          "The lab server's TLS engine: jsse or boringssl (native, see lab server --help)"
              + " (default: ${DEFAULT-VALUE}).")
  String engine = "jsse";

  @Option(
      names = "--group",
      paramLabel = "NAME",
      description =
          "Pin the key-exchange group on both servers: x25519 or secp256r1 (default: each"
              + " server's own choice among the client's offer; the report shows which).")
  String group;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description =
          "Timed runs per server, alternating; the best counts (default: ${DEFAULT-VALUE}).")
  int rounds = 2;

  @Option(
      names = "--warm-up",
      paramLabel = "SECONDS",
      description =
          "Untimed handshakes against each server first: at least this long, then until the lab"
              + " server's JIT compiler is quiet (at most 60 s); the same for both (default:"
              + " ${DEFAULT-VALUE}).")
  int warmUp = 10;

  @Option(
      names = "--loops",
      paramLabel = "N",
      description =
          "The lab server's event loops, 0 = one per core (default: lab server's own default).")
  Integer loops;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        HandshakeBench.run(
            new HandshakeBench.Options(
                profile.get(),
                seconds,
                loops == null ? -1 : loops,
                tlslab.pki.KeyType.parse(key),
                ServerCommand.engine(spec, engine),
                group,
                rounds,
                warmUp)));
    out.flush();
    return ExitCode.OK;
  }
}
