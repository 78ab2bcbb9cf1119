package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.pki.Revocations;

/** {@code lab certs crl}: the lab CA signs its current revocation list. */
@Command(
    name = "crl",
    mixinStandardHelpOptions = true,
    header = "Write the lab CA's signed certificate revocation list (CRL).",
    description = {
      "Writes DIR/crl.pem and DIR/crl.der (RFC 5280 section 5), listing every",
      "certificate revoked with 'lab certs revoke'. Check it with:",
      "  openssl crl -in certs/crl.pem -CAfile certs/ca.pem -noout -text"
    },
    footer = {"", ExitCode.TABLE})
public final class CertsCrlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder with the lab CA (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Days until nextUpdate (default: ${DEFAULT-VALUE}).")
  int days = 7;

  @Override
  public Integer call() {
    if (days < 1 || days > 365) {
      throw LabException.badInput("--days: must be between 1 and 365, got " + days);
    }
    Revocations.CrlFile f = Revocations.writeCrl(dir, Duration.ofDays(days));
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "CRL with %d revoked certificate(s), thisUpdate %s, nextUpdate %s:%n",
        f.entries(), f.thisUpdate(), f.nextUpdate());
    out.printf(
        "  %-8s PEM (openssl crl -in %s -CAfile %s)%n",
        f.pem().getFileName(), f.pem(), dir.resolve("ca.pem"));
    out.printf("  %-8s DER%n", f.der().getFileName());
    out.flush();
    return ExitCode.OK;
  }
}
