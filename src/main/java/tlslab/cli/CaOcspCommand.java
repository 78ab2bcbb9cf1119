package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.pki.OcspServer;
import tlslab.pki.RevocationUrls;

/** {@code lab ca ocsp}: the lab CA's OCSP responder (RFC 6960) and CRL over HTTP. */
@Command(
    name = "ocsp",
    mixinStandardHelpOptions = true,
    header = "Run the lab CA's OCSP responder (and serve its CRL) over HTTP.",
    description = {
      "Answers OCSP requests (RFC 6960, POST / or GET /BASE64) with good, revoked or",
      "unknown for the lab CA's certificates, signed by the CA; serves the CRL on /crl.",
      "Certificates from 'lab certs init' point here (127.0.0.1:8888) by default.",
      "  openssl ocsp -issuer certs/ca.pem -cert certs/server.pem -CAfile certs/ca.pem \\",
      "      -url http://127.0.0.1:8888/",
      "Ctrl-C stops it."
    },
    footer = {"", ExitCode.TABLE})
public final class CaOcspCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = PortConverter.class,
      description = "Port (default: the port of the CA's OCSP URL, normally 8888; 0 = any).")
  Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind = "127.0.0.1";

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder with the lab CA (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Option(
      names = "--validity",
      paramLabel = "MINUTES",
      description = "thisUpdate to nextUpdate of each answer (default: ${DEFAULT-VALUE}).")
  int validityMinutes = 60;

  @Override
  public Integer call() {
    if (validityMinutes < 1 || validityMinutes > 7 * 24 * 60) {
      throw LabException.badInput(
          "--validity: between 1 and 10080 minutes, got " + validityMinutes);
    }
    RevocationUrls urls = RevocationUrls.load(dir);
    int p = port != null ? port : urls.ocspPort();
    PrintWriter out = spec.commandLine().getOut();
    // Fail now, with one line, rather than on the first request.
    tlslab.pki.Revocations.crl(dir, Duration.ofMinutes(validityMinutes));
    OcspServer server =
        OcspServer.start(bind, p, dir, Duration.ofMinutes(validityMinutes), line -> log(out, line));
    out.printf(
        "OCSP responder for the lab CA in %s on http://%s:%d/ (CRL on /crl)%n",
        dir, bind, server.port());
    out.printf("certificates of this CA name: OCSP %s, CRL %s%n", urls.ocsp(), urls.crl());
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "ocsp-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return ExitCode.INTERRUPTED;
  }

  private static void log(PrintWriter out, String line) {
    synchronized (out) {
      out.println(LocalTime.now().format(TIME) + " " + line);
      out.flush();
    }
  }
}
