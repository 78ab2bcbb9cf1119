package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.LabCertificates;

/** {@code lab certs show FILE}: what a certificate says, in words. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    header = "Show what a certificate says: names, validity, key, usages.",
    description = {
      "Prints subject, issuer, serial, validity, key type and size, SANs, key",
      "usages, extended key usages, basic constraints and SHA-256 fingerprint of",
      "every certificate in FILE: a PEM certificate, a combined PEM (private key",
      "+ certificate; the key is checked to match), DER, or PKCS#12."
    },
    footer = {"", "Example: lab certs show certs/server.p12", "", ExitCode.TABLE})
public final class CertsShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      description = "Certificate file (PEM, combined PEM, DER or PKCS#12).")
  Path file;

  @Option(
      names = "--password",
      paramLabel = "PW",
      description = "PKCS#12 password (default: ${DEFAULT-VALUE}).")
  String password = LabCertificates.STORE_PASSWORD;

  @Override
  public Integer call() {
    CertificateFile f = CertificateFile.read(file, password);
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    out.printf("%-15s %s (%s)%n", "file:", f.path(), f.format().description());
    f.key()
        .ifPresent(
            k ->
                out.printf(
                    "%-15s %s, matches the certificate%n",
                    "private key:", CertificateSummary.describeKey(f.leaf().getPublicKey())));
    List<java.security.cert.X509Certificate> certs = f.certificates();
    for (int i = 0; i < certs.size(); i++) {
      out.println();
      if (certs.size() > 1) {
        out.printf(
            "certificate %d of %d%s%n",
            i + 1, certs.size(), i == 0 && f.key().isPresent() ? " (the key's)" : "");
      }
      CertificateSummary.of(certs.get(i)).lines(now).forEach(out::println);
    }
    out.flush();
    return ExitCode.OK;
  }
}
