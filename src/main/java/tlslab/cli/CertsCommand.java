package tlslab.cli;

import picocli.CommandLine.Command;

/**
 * {@code lab certs}: the lab's PKI. A parent command only: picocli answers "Missing required
 * subcommand" (exit 2) when none is given.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    header = "The lab PKI: CA, server, client and class certificates.",
    description = {
      "Create and inspect the lab's certificates: a lab CA and the server,",
      "client and class certificates it signs (PEM and PKCS#12 files).",
      "Every .p12 file the lab writes uses the password 'changeit'."
    },
    footer = {"", ExitCode.TABLE},
    subcommands = {
      CertsInitCommand.class,
      CertsIssueCommand.class,
      CertsClassCommand.class,
      CertsShowCommand.class,
      CertsVerifyCommand.class,
      CertsRevokeCommand.class,
      CertsCrlCommand.class,
    })
public final class CertsCommand {}
