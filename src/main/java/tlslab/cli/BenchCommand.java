package tlslab.cli;

import picocli.CommandLine.Command;

/**
 * {@code lab bench}: benchmarks that print figures. Speed claims in this lab come from these
 * commands, never from timed unit tests. A parent command only; each benchmark is a subcommand.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Benchmarks that print figures.",
    description = "Measure the lab against the usual tools and print the figures.",
    footer = {"", ExitCode.TABLE},
    subcommands = {
      BenchCertsCommand.class,
      BenchChatCommand.class,
      BenchCaptureCommand.class,
      BenchConformanceCommand.class,
      BenchHandshakesCommand.class,
      BenchIdleCommand.class,
      BenchTraceCommand.class,
      BenchAnnotateCommand.class,
      BenchMitmCommand.class,
      BenchHtmlCommand.class,
      BenchFuzzCommand.class,
    })
public final class BenchCommand {}
