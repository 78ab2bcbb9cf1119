package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.pki.RevocationReason;
import tlslab.pki.Revocations;

/** {@code lab certs revoke --serial N | FILE [--reason R]}: the CA withdraws a certificate. */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    header = "Revoke a certificate issued by the lab CA.",
    description = {
      "Records the revocation in DIR/revoked.tsv. The OCSP responder (lab ca ocsp) answers",
      "'revoked' for it at once; run 'lab certs crl' to publish a new CRL file.",
      "A revocation is final."
    },
    footer = {
      "",
      "Examples: lab certs revoke certs/server.pem --reason keyCompromise",
      "          lab certs revoke --serial 3F2A... --reason affiliationChanged",
      "",
      ExitCode.TABLE
    })
public final class CertsRevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(
        names = "--serial",
        paramLabel = "HEX",
        description = "Serial number in hex, as 'lab certs show' prints it.")
    String serial;

    @Parameters(paramLabel = "FILE", description = "The certificate (PEM) to revoke.")
    Path file;
  }

  @Option(
      names = "--reason",
      paramLabel = "REASON",
      description = "keyCompromise, superseded, affiliationChanged, ... (default: unspecified).")
  String reason = "unspecified";

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder with the lab CA (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Override
  public Integer call() {
    RevocationReason r = RevocationReason.parse(reason);
    Revocations.Revoked done =
        target.serial != null
            ? Revocations.revokeSerial(dir, target.serial, r)
            : Revocations.revokeCertificate(dir, target.file, r);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "revoked serial %s (%s) at %s, reason %s%n",
        done.serial(), done.subject(), done.at(), done.reason().rfcName());
    out.printf("OCSP (lab ca ocsp --dir %s) now answers 'revoked' for it.%n", dir);
    out.printf("Publish a new CRL: lab certs crl --dir %s%n", dir);
    out.flush();
    return ExitCode.OK;
  }
}
