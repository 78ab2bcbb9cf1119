package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.CaptureBench;

/** {@code lab bench capture}: lab capture and tcpdump side by side on the chat load. */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    header = "lab capture and tcpdump side by side on the chat load (root).",
    description = {
      "Runs the chat bench four times on one port: without capture, with tcpdump,",
      "with lab capture, and with both at once. Prints the packets each wrote, the",
      "drops each reported, the CPU each used, and the chat throughput of each run."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchCaptureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--clients",
      paramLabel = "N",
      description = "Chat clients (default: ${DEFAULT-VALUE}).")
  int clients = 100;

  @Option(
      names = "--messages",
      paramLabel = "M",
      description = "Lines per client (default: ${DEFAULT-VALUE}).")
  int messages = 50;

  @Option(
      names = "--size",
      paramLabel = "B",
      description = "Payload bytes per line (default: ${DEFAULT-VALUE}).")
  int size = 32;

  @Option(
      names = "--window",
      paramLabel = "W",
      description = "Lines in flight at most (default: ${DEFAULT-VALUE}).")
  int window = 4;

  @Option(
      names = "--buffer-size",
      paramLabel = "SIZE",
      description = "lab capture's --buffer-size (default: ${DEFAULT-VALUE}).")
  String buffer = "64M";

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(CaptureBench.run(clients, messages, size, window, buffer, Main.class.getName()));
    out.flush();
    return ExitCode.OK;
  }
}
