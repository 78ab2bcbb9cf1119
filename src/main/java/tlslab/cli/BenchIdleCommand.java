package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.IdleBench;

/** {@code lab bench idle}: server heap per idle TLS connection. */
@Command(
    name = "idle",
    mixinStandardHelpOptions = true,
    header = "Server heap per idle TLS chat connection.",
    description = {
      "Starts the chat server here and N TLS connections from a child JVM, waits for every",
      "handshake, collects garbage and prints the server's heap growth per connection."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchIdleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--connections",
      paramLabel = "N",
      description = "Connections (default: ${DEFAULT-VALUE}).")
  int connections = 10000;

  @Mixin ProfileMixin profile;

  @Option(
      names = "--loops",
      paramLabel = "N",
      description = "Server event loops (default: one per core).")
  int loops;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(IdleBench.run(connections, profile.get(), loops));
    out.flush();
    return ExitCode.OK;
  }
}
