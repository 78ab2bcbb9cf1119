package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.ChatBench;
import tlslab.tls.TlsProfile;

/** {@code lab bench chat}: broadcast throughput, latency and loss with many TLS clients. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    header = "Many TLS chat clients broadcasting through one server.",
    description = {
      "Starts a chat server and N non-blocking TLS clients in this process; each client",
      "sends M lines of B payload bytes, each delivered to the N-1 others. Prints",
      "deliveries per second, p50/p99 latency, and lost/duplicated/reordered counts."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchChatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--clients",
      paramLabel = "N",
      description = "Clients (default: ${DEFAULT-VALUE}).")
  int clients = 100;

  @Option(
      names = "--messages",
      paramLabel = "M",
      description = "Lines per client (default: ${DEFAULT-VALUE}).")
  int messages = 100;

  @Option(
      names = "--size",
      paramLabel = "B",
      description = "Payload bytes per line (default: ${DEFAULT-VALUE}).")
  int size = 32;

  @Option(
      names = "--window",
      paramLabel = "W",
      description = "Lines in flight at most (default: ${DEFAULT-VALUE}).")
  int window = 200;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "modern, report or tls13 (default: ${DEFAULT-VALUE}).")
  String profile = "modern";

  @Option(
      names = "--loops",
      paramLabel = "N",
      description = "Event loops for the server and for the clients (default: one per core).")
  int loops;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(ChatBench.run(clients, messages, size, window, TlsProfile.parse(profile), loops));
    out.flush();
    return ExitCode.OK;
  }
}
