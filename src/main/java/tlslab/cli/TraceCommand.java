package tlslab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
      paramLabel = "MODE",
      defaultValue = "none",
      converter = ClientAuthConverter.class,
      description =
          "none, want or need: whether the server asks for a client certificate. Default:"
              + " ${DEFAULT-VALUE}.")
  ClientAuth clientAuth;

  @Option(
      names = "--hello-retry",
      description =
          "With --profile tls13: the server accepts only the "
              + TraceRun.RETRY_GROUP
              + " group, for which the client sends no key share at first, so it answers with a"
              + " Hello Retry Request and the client says Client Hello again (RFC 8446 §4.1.4).")
  boolean helloRetry;

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
      converter = PortConverter.class,
      description =
          "The loopback port the server listens on, so that a capture can hold this run only"
              + " (lab capture --iface lo --port PORT). Default: one the OS picks.")
  int port;

  @Option(names = "--force", description = "Overwrite an existing --trace-json file.")
  boolean force;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    ClientAuth auth = clientAuth;
    if (helloRetry && p != TlsProfile.TLS13) {
      throw new ParameterException(
          spec.commandLine(),
          "--hello-retry needs --profile tls13: a Hello Retry Request exists in TLS 1.3 only");
    }
    // Before anything touches JSSE: it reads these switches once.
    JsseSetup.prepare(p == TlsProfile.REPORT, true);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Checked now, written at the end (see printTimeline): a run refused for bad input leaves no
    // empty file behind.
    if (traceJson != null) {
      JsonLinesTrace.check(traceJson, force);
    }
    // Events are printed when the run ends, in time order: a Certificate event is sent when JSSE
    // has processed the message (HandshakeInspector), after later events of the other side, so
    // printing them as they come would put some lines under later times.
    List<TraceEvent> events = new ArrayList<>();
    Consumer<TraceEvent> collect =
        e -> {
          synchronized (events) {
            events.add(e);
          }
        };
    // The warning and the header are printed once the server listens: a mistake in the input
    // (certificates, key log, profile) is then the only thing said, in one line.
    List<String> header =
        wrap(
            "lab trace: profile "
                + p
                + ", client auth "
                + auth.name().toLowerCase()
                + (resume ? ", with resumption" : "")
                + (helloRetry ? ", server forces a Hello Retry Request" : "")
                + "; client and server in this process");
    boolean printed = false;
    try {
      TraceRun.Result result;
      Path temp = certs == null ? tempCerts() : null;
      try {
        Path dir = certs != null ? certs : temp;
        if (helloRetry) {
          TraceRun.checkHelloRetry(dir);
        }
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
                      if (p.warning() != null) {
                        err.println(p.warning());
                        err.flush();
                      }
                      header.forEach(out::println);
                      out.println("server listening on 127.0.0.1:" + bound);
                      out.flush();
                    },
                    port,
                    helloRetry),
                collect);
      } finally {
        if (temp != null) {
          deleteTree(temp);
        }
        // Also when the run failed: what was traced up to the failure is shown (and kept).
        printTimeline(events, out);
        printed = true;
      }
      out.println("─".repeat(79));
      for (TraceRun.Connection c : result.connections()) {
        wrap("connection " + c.id() + ": " + summary(c)).forEach(out::println);
      }
      if (keyLog != null) {
        out.println("key log: " + result.keyLogLines() + " line(s) appended to " + keyLog);
      }
      out.flush();
      return ExitCode.OK;
    } finally {
      if (!printed) {
        printTimeline(events, out);
      }
    }
  }

  /** Prints the events in time order and writes them to {@code --trace-json}, if there are any. */
  private void printTimeline(List<TraceEvent> events, PrintWriter out) {
    List<TraceEvent> sorted;
    synchronized (events) {
      sorted = new ArrayList<>(events);
      events.clear();
    }
    sorted.sort(Comparator.comparing(TraceEvent::time));
    TimelineFormatter timeline = new TimelineFormatter(true);
    for (TraceEvent e : sorted) {
      timeline.format(e).forEach(out::println);
    }
    out.flush();
    if (traceJson != null && !sorted.isEmpty()) {
      try (JsonLinesTrace json = JsonLinesTrace.open(traceJson, force)) {
        sorted.forEach(json::write);
      }
    }
  }

  /**
   * One connection's summary: version and suite, then the handshake's shape with the RFC section
   * that describes it.
   */
  static String summary(TraceRun.Connection c) {
    StringBuilder b = new StringBuilder(c.protocol() + " " + c.cipherSuite() + ", ");
    switch (c.resumption()) {
      case NONE:
        b.append("full handshake");
        if (c.keyExchangeGroup() != null) {
          b.append(", ").append(c.keyExchangeGroup()).append(" key exchange");
        }
        break;
      case SESSION_ID:
        b.append("resumed by session id (RFC 5246 §7.3): abbreviated handshake,")
            .append(" no Certificate, no key exchange");
        break;
      case TICKET_OFFERED:
        // Inferred from the messages: the trace does not show whether the server took the ticket.
        b.append("resumed (RFC 5246 §7.3): abbreviated handshake, no Certificate, no key")
            .append(" exchange; the client offered a session ticket (RFC 5077 §3.1), but the")
            .append(" trace does not show the server taking it: a session found by id in the")
            .append(" server's cache resumes the same way (RFC 5077 §3.4)");
        break;
      case PSK:
        b.append("resumed with a pre-shared key from the server's ticket (RFC 8446 §2.2):")
            .append(" no Certificate, ")
            .append(
                c.keyExchangeGroup() != null
                    ? "a new " + c.keyExchangeGroup() + " key exchange (psk_dhe_ke)"
                    : "no new key exchange (psk_ke)");
        break;
    }
    if (c.helloRetryGroup() != null) {
      b.append("; after a Hello Retry Request for ")
          .append(c.helloRetryGroup())
          .append(" (RFC 8446 §4.1.4)");
    }
    return b.toString();
  }

  /** Words wrapped at 79 columns, continuation lines indented by two. */
  static List<String> wrap(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > 79) {
        lines.add(line.toString());
        line = new StringBuilder("  ");
      } else if (line.length() > 0 && !line.toString().equals("  ")) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
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
