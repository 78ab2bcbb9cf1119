package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.pki.ClientFiles;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;

/** {@code lab certs issue --client NAME}: a client certificate for mutual TLS. */
@Command(
    name = "issue",
    mixinStandardHelpOptions = true,
    header = "Issue a client certificate for mutual TLS, signed by the lab CA.",
    description = {
      "The certificate has CN = NAME and extKeyUsage clientAuth. Writes into DIR:",
      "client-NAME.pem, client-NAME.key (0600), client-NAME-combined.pem and",
      "client-NAME.p12 (alias NAME, password changeit)."
    },
    footer = {"", "Example: lab certs issue --client alice", "", ExitCode.TABLE})
public final class CertsIssueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--client",
      required = true,
      paramLabel = "NAME",
      description = "Client name: the certificate's CN and part of the file names.")
  String name;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder with the lab CA; files go there too (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Option(
      names = "--key",
      paramLabel = "TYPE",
      converter = CertsInitCommand.KeyTypeConverter.class,
      description = "Key type: ec-p256, rsa-2048 or rsa-3072 (default: the CA's key type).")
  KeyType keyType;

  @Option(names = "--force", description = "Replace an existing client key and certificate.")
  boolean force;

  @Override
  public Integer call() {
    ClientFiles f = LabCertificates.issueClient(dir, name, force, keyType);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Client certificate for '%s' signed by the lab CA in %s:%n", name, dir);
    out.printf("  %-28s certificate (clientAuth)%n", f.cert().getFileName());
    out.printf("  %-28s private key (0600)%n", f.key().getFileName());
    out.printf("  %-28s key + certificate in one PEM (0600)%n", f.combinedPem().getFileName());
    out.printf(
        "  %-28s PKCS#12, alias '%s', password %s (0600)%n",
        f.keyStore().getFileName(), name, LabCertificates.STORE_PASSWORD);
    out.flush();
    return ExitCode.OK;
  }
}
