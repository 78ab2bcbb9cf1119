package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.CertsBenchmark;
import tlslab.pki.KeyType;

/** {@code lab bench certs}: class bundles in-process vs an openssl CLI loop. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    header = "Issue a class of bundles in-process vs an openssl CLI loop.",
    description = {
      "Issues N student bundles (key, certificate, PKCS#12) with the lab's in-process",
      "BouncyCastle code (all cores, then one) and with an openssl loop of four",
      "processes per student (genpkey, req, x509 -req, pkcs12 -export), and prints",
      "both times and their ratio. Works in a scratch folder that is deleted after."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchCertsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "Bundles per run (default: ${DEFAULT-VALUE}).")
  int count = 100;

  @Option(
      names = "--key",
      paramLabel = "TYPE",
      converter = CertsInitCommand.KeyTypeConverter.class,
      description = "Students' key type (default: ec-p256, as lab certs class).")
  KeyType keyType = KeyType.EC_P256;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CertsBenchmark.run(count, keyType).lines().forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }
}
