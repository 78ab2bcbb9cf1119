package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateVerifier;
import tlslab.pki.LabCertificates;

/** {@code lab certs verify}: would a TLS peer that trusts the CA accept this certificate? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    header = "Check a certificate against the lab CA, as a TLS client would.",
    description = {
      "One line per check:",
      "  CA         the trust anchor is a CA that may sign certificates",
      "  chain      issuer names and signatures up to the CA",
      "  validity   not before / not after, at --at (default: now)",
      "  key usage  not a CA, may sign handshakes, extKeyUsage for TLS",
      "  hostname   with --host: the name or IP is in the subjectAltName",
      "Exit 1 when a check fails (repeated on stderr), 3 when an input is bad."
    },
    footer = {
      "",
      "Example: lab certs verify --ca certs/ca.pem certs/server.pem --host localhost",
      "",
      ExitCode.TABLE
    })
public final class CertsVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--ca",
      required = true,
      paramLabel = "CA.pem",
      description = "The trusted CA certificate.")
  Path ca;

  @Parameters(
      paramLabel = "FILE",
      description = "Certificate to check (PEM, combined PEM, DER or PKCS#12).")
  Path file;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "Host name or IP the client would connect to.")
  String host;

  @Option(
      names = "--password",
      paramLabel = "PW",
      description = "PKCS#12 password (default: ${DEFAULT-VALUE}).")
  String password = LabCertificates.STORE_PASSWORD;

  @Option(
      names = "--at",
      paramLabel = "INSTANT",
      description = "Judge validity at this time, e.g. 2030-01-01T00:00:00Z (default: now).")
  Instant at;

  @Override
  public Integer call() {
    CertificateFile anchorFile = CertificateFile.read(ca, password);
    CertificateFile subject = CertificateFile.read(file, password);
    X509Certificate anchor = pickAnchor(anchorFile, subject);
    CertificateVerifier.Result result =
        CertificateVerifier.verify(
            anchor,
            subject.certificates(),
            host,
            at != null ? at : Instant.now().truncatedTo(ChronoUnit.SECONDS));
    PrintWriter out = spec.commandLine().getOut();
    result.checks().forEach(c -> out.println(c.line()));
    out.flush();
    if (!result.passed()) {
      CertificateVerifier.Check failed = result.firstFailure().orElseThrow();
      throw LabException.failed(file + ": " + failed.name() + ": " + failed.detail());
    }
    out.printf("%s: verified against %s%s%n", file, ca, host == null ? "" : " for host " + host);
    out.flush();
    return ExitCode.OK;
  }

  /** The CA file may hold several certificates: use the one that issued the chain's top. */
  private static X509Certificate pickAnchor(CertificateFile anchors, CertificateFile subject) {
    X509Certificate top = subject.certificates().get(subject.certificates().size() - 1);
    for (X509Certificate c : anchors.certificates()) {
      if (c.getSubjectX500Principal().equals(top.getIssuerX500Principal()) || c.equals(top)) {
        return c;
      }
    }
    return anchors.certificates().get(0);
  }
}
