package tlslab.cli;

import picocli.CommandLine.Command;

/** {@code lab ca}: services the lab CA runs. A parent command only. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    header = "Services of the lab CA: the OCSP responder.",
    footer = {"", ExitCode.TABLE},
    subcommands = {CaOcspCommand.class})
public final class CaCommand {}
