package tlslab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.ChatBench;

/** {@code lab bench chat}: chat servers side by side, per server CPU-second, cold and warm. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    header = "Chat servers side by side: deliveries per server CPU-second, latency, loss.",
    description = {
      "Starts each server in its own process (the lab's; 'seed', a report-style Python select()",
      "server shipped with the lab; or any NAME=COMMAND speaking the line protocol, with {port},",
      "{certs} and {cert} replaced), loads it with TLS clients from this process just after start",
      "(cold) and again (warm), and prints deliveries, lost/duplicated/reordered, p50/p99",
      "latency, server CPU and deliveries per server CPU-second beside the floor: bare loopback",
      "writes per CPU-second, measured in the same run. Each server's start-up CPU (JVM start and",
      "warm-up, until it says 'listening' or completes a TLS handshake) is printed too, and folded",
      "into the cold figure on a row of its own. Exits 1 if any line was lost, duplicated or",
      "reordered."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchChatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--server",
      paramLabel = "lab|seed|NAME=COMMAND",
      description = "Servers to compare, repeatable (default: lab and seed).")
  List<String> servers;

  @Option(
      names = "--paced-clients",
      paramLabel = "N",
      description = "Clients of the paced load; 0 skips it (default: ${DEFAULT-VALUE}).")
  int pacedClients = 200;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "Lines per second per client, paced (default: ${DEFAULT-VALUE}).")
  double rate = 2;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      description = "Length of a paced run (default: ${DEFAULT-VALUE}).")
  int seconds = 10;

  @Option(
      names = "--clients",
      paramLabel = "N",
      description = "Clients of the unpaced load; 0 skips it (default: ${DEFAULT-VALUE}).")
  int clients = 100;

  @Option(
      names = "--messages",
      paramLabel = "M",
      description = "Lines per client, unpaced (default: ${DEFAULT-VALUE}).")
  int messages = 50;

  @Option(
      names = "--window",
      paramLabel = "W",
      description = "Lines in flight at most, unpaced (default: ${DEFAULT-VALUE}).")
  int window = 4;

  @Option(
      names = "--size",
      paramLabel = "B",
      description = "Payload bytes per line (default: ${DEFAULT-VALUE}).")
  int size = 64;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ChatBench.Result result =
        ChatBench.measure(
            new ChatBench.Options(
                servers, pacedClients, rate, seconds, clients, messages, window, size),
            port -> {});
    out.print(result.text());
    out.flush();
    if (!result.intact()) {
      spec.commandLine()
          .getErr()
          .println("lab bench chat: lines were lost, duplicated or reordered (see the table)");
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }
}
