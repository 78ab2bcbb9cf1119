package tlslab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsProfile;
import tlslab.trace.JsonLinesTrace;
import tlslab.trace.TimelineFormatter;
import tlslab.trace.TraceEvent;
import tlslab.trace.TraceRun;

/** {@code lab trace}: one client ↔ server exchange in this process, both sides traced. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {
      "Run a TLS client and server in this process over loopback and print the handshake as JSSE"
          + " reports it, both sides interleaved (→ sent, ← received).",
      "Certificates are made in a temporary folder unless --certs is given."
    },
    footer = {"", ExitCode.TABLE})
public final class TraceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProfileMixin profile;

  @Option(
      names = "--client-auth",
      defaultValue = "none",
      description = "none, want or need a client certificate. Default: ${DEFAULT-VALUE}.")
  String clientAuth;

  @Option(
      names = "--resume",
      description = "Connect twice; the second handshake resumes the session.")
  boolean resume;

  @Option(
      names = "--certs",
      paramLabel = "DIR",
      description =
          "A `lab certs init` folder to use (default: fresh certificates in a temporary"
              + " folder; with client auth, client-trace.p12 is issued there if missing).")
  Path certs;

  @Option(
      names = "--keylog",
      paramLabel = "FILE",
      description = "Append an NSS key log (for Wireshark/tshark: -o tls.keylog_file:FILE).")
  Path keyLog;

  @Option(
      names = "--trace-json",
      paramLabel = "FILE",
      description = "Also write the events as JSON lines.")
  Path traceJson;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "0",
      description =
          "The loopback port the server listens on, so that a capture can hold this run only"
              + " (lab capture --iface lo --port PORT). Default: one the OS picks.")
  int port;

  @Option(names = "--force", description = "Overwrite an existing --trace-json file.")
  boolean force;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    ClientAuth auth = ClientAuth.parse(clientAuth);
    // Before anything touches JSSE: it reads these switches once.
    JsseSetup.prepare(p == TlsProfile.REPORT, true);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (p.warning() != null) {
      err.println(p.warning());
      err.flush();
    }
    TimelineFormatter timeline = new TimelineFormatter(true);
    JsonLinesTrace json = traceJson == null ? null : JsonLinesTrace.open(traceJson, force);
    try {
      Consumer<TraceEvent> live =
          e -> {
            synchronized (timeline) {
              timeline.format(e).forEach(out::println);
              out.flush();
              if (json != null) {
                json.write(e);
              }
            }
          };
      out.println(
          "lab trace: profile "
              + p
              + ", client auth "
              + auth.name().toLowerCase()
              + (resume ? ", with resumption" : "")
              + "; client and server in this process");
      TraceRun.Result result;
      Path temp = certs == null ? tempCerts() : null;
      try {
        Path dir = certs != null ? certs : temp;
        if (auth != ClientAuth.NONE && !Files.exists(TraceRun.clientKeyStore(dir))) {
          LabCertificates.issueClient(dir, TraceRun.CLIENT_NAME, false);
          if (certs != null) {
            err.println("lab trace: issued " + TraceRun.clientKeyStore(dir) + " for client auth");
          }
        }
        result =
            TraceRun.run(
                new TraceRun.Options(
                    p,
                    auth,
                    resume,
                    dir,
                    keyLog,
                    "hello from lab trace",
                    bound -> {
                      synchronized (timeline) {
                        out.println("server listening on 127.0.0.1:" + bound);
                        out.flush();
                      }
                    },
                    port),
                live);
      } finally {
        if (temp != null) {
          deleteTree(temp);
        }
      }
      out.println("─".repeat(79));
      for (TraceRun.Connection c : result.connections()) {
        out.println(
            "connection "
                + c.id()
                + ": "
                + c.protocol()
                + " "
                + c.cipherSuite()
                + ", "
                + (c.resumed() ? "resumed (abbreviated handshake)" : "full handshake"));
      }
      if (keyLog != null) {
        out.println("key log: " + result.keyLogLines() + " line(s) appended to " + keyLog);
      }
      out.flush();
      return ExitCode.OK;
    } finally {
      if (json != null) {
        json.close();
      }
    }
  }

  /** Fresh lab certificates (RSA, so that the report profile works too) in a temporary folder. */
  private static Path tempCerts() {
    try {
      Path dir = Files.createTempDirectory("lab-trace-");
      LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.RSA_2048).build());
      return dir;
    } catch (IOException e) {
      throw LabException.environment("cannot create a temporary folder: " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder holds only throw-away certificates; nothing to tell the user.
    }
  }
}
