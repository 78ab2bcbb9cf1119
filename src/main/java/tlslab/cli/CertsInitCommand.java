package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import tlslab.common.LabException;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.pki.LabFiles;
import tlslab.pki.RevocationUrls;

/** {@code lab certs init}: the lab CA and the server's certificate, key and stores. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    header = "Create the lab CA and a server certificate signed by it.",
    description = {
      "Writes into DIR:",
      "  ca.pem, ca.key          the lab CA (clients trust ca.pem)",
      "  server.pem, server.key  the server certificate and key",
      "  cert.pem                server key + certificate in one PEM file,",
      "                          what Python's load_cert_chain(\"cert.pem\") reads",
      "  server.p12              PKCS#12 key store for Java servers, alias 'server'",
      "  truststore.p12          PKCS#12 trust store for Java clients, alias 'lab-ca'",
      "Keys are written with mode 0600; existing files are kept unless --force."
    },
    footer = {
      "",
      "Example: lab certs init --key ec-p256 --san localhost --san 127.0.0.1 --san ::1",
      "",
      ExitCode.TABLE
    })
public final class CertsInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Option(
      names = "--key",
      paramLabel = "TYPE",
      converter = KeyTypeConverter.class,
      description =
          "Key type: ec-p256, rsa-2048 or rsa-3072 (default: rsa-2048; the report's TLS_RSA profile needs RSA).")
  KeyType keyType = KeyType.RSA_2048;

  @Option(
      names = "--cn",
      paramLabel = "NAME",
      description = "Server subject CN (default: ${DEFAULT-VALUE}).")
  String commonName = "localhost";

  @Option(
      names = "--san",
      paramLabel = "DNS-or-IP",
      split = ",",
      description =
          "SubjectAltName entry, repeatable (default: localhost, 127.0.0.1). IP literals become IP SANs.")
  List<String> sans = List.of("localhost", "127.0.0.1");

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Server certificate validity in days (default: ${DEFAULT-VALUE}).")
  int days = 365;

  @Option(names = "--force", description = "Replace existing keys and certificates.")
  boolean force;

  @Option(
      names = "--ocsp-url",
      paramLabel = "URL",
      description =
          "OCSP responder named in every certificate's AIA (default: ${DEFAULT-VALUE}, lab ca ocsp).")
  String ocspUrl = RevocationUrls.DEFAULT_OCSP;

  @Option(
      names = "--crl-url",
      paramLabel = "URL",
      description = "CRL distribution point in every certificate (default: ${DEFAULT-VALUE}).")
  String crlUrl = RevocationUrls.DEFAULT_CRL;

  @Override
  public Integer call() {
    InitOptions options =
        InitOptions.builder()
            .dir(dir)
            .keyType(keyType)
            .commonName(commonName)
            .sans(sans)
            .days(days)
            .force(force)
            .revocationUrls(RevocationUrls.of(ocspUrl, crlUrl))
            .build();
    LabFiles f = LabCertificates.init(options);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Lab CA and server certificate (%s, SAN %s) written to %s:%n",
        keyType.label(), String.join(", ", options.sans()), f.dir());
    row(out, f.caCert(), "lab CA certificate: what clients trust");
    row(out, f.caKey(), "lab CA private key (0600): signs every lab certificate, keep it secret");
    row(out, f.serverCert(), "server certificate, signed by the lab CA");
    row(out, f.serverKey(), "server private key (0600)");
    row(
        out,
        f.combinedPem(),
        "server key + certificate in one PEM (0600), for Python's load_cert_chain");
    row(out, f.serverKeyStore(), "PKCS#12 key store for Java servers, alias 'server' (0600)");
    row(out, f.trustStore(), "PKCS#12 trust store for Java clients, alias 'lab-ca'");
    out.printf("Password of the .p12 files: %s%n", LabCertificates.STORE_PASSWORD);
    out.printf(
        "Revocation: certificates name OCSP %s and CRL %s (lab ca ocsp --dir %s)%n",
        options.revocationUrls().ocsp(), options.revocationUrls().crl(), f.dir());
    out.printf("Look inside: lab certs show %s%n", f.serverCert());
    out.flush();
    return ExitCode.OK;
  }

  private static void row(PrintWriter out, Path file, String what) {
    out.printf("  %-16s %s%n", file.getFileName(), what);
  }

  /** Parses {@code --key} labels; an unknown label is a usage error (exit 2). */
  static final class KeyTypeConverter implements ITypeConverter<KeyType> {
    @Override
    public KeyType convert(String value) {
      try {
        return KeyType.parse(value);
      } catch (LabException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
