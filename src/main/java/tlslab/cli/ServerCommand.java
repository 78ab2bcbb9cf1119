package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.net.ChatServer;
import tlslab.tls.ClientAuth;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/** {@code lab server}: the TLS chat server. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    header = "Run the TLS chat server (the report's server, non-blocking).",
    description = {
      "Clients speak UTF-8 lines: /nick NAME, /list, /msg NAME text, /whoami, /quit;",
      "anything else is broadcast. openssl s_client is a working client:",
      "  openssl s_client -connect 127.0.0.1:8443 -CAfile certs/ca.pem -quiet",
      "Profiles: modern (TLS 1.2, ECDHE, AES-GCM); tls13 (TLS 1.3); report (TLS 1.2 with",
      "TLS_RSA_WITH_AES_128_CBC_SHA only: the report's AES128-SHA, no forward secrecy).",
      "Ctrl-C sends close_notify to every client and stops."
    },
    footer = {"", "Protocol: docs/PROTOCOL.md", "", ExitCode.TABLE})
public final class ServerCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Spec CommandSpec spec;

  @Mixin TraceMixin tracing;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = PortConverter.class,
      description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port = 8443;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind = "127.0.0.1";

  @Option(
      names = "--certs",
      paramLabel = "DIR",
      description = "Lab certificates from 'lab certs init' (default: ${DEFAULT-VALUE}).")
  Path certs = Path.of("certs");

  @Mixin ProfileMixin profile;

  @Option(
      names = "--client-auth",
      paramLabel = "MODE",
      defaultValue = "none",
      converter = ClientAuthConverter.class,
      description = "none, want or need (default: ${DEFAULT-VALUE}).")
  ClientAuth clientAuth;

  @Option(
      names = "--staple",
      description =
          "Staple the OCSP response for the server certificate (Certificate Status, RFC 6066 8),"
              + " fetched from the responder its AIA names (lab ca ocsp).")
  boolean staple;

  @Option(
      names = "--ocsp-url",
      paramLabel = "URL",
      description = "With --staple: ask this OCSP responder instead of the certificate's.")
  java.net.URI ocspUrl;

  @Option(
      names = "--staple-cache",
      paramLabel = "SECONDS",
      description =
          "With --staple: reuse a fetched OCSP response this long (default: ${DEFAULT-VALUE});"
              + " a revocation shows after at most this delay.")
  int stapleCache = 30;

  @Option(
      names = "--revocation",
      paramLabel = "MODE",
      description =
          "Check client certificates for revocation: off, soft or hard (default: ${DEFAULT-VALUE};"
              + " hard refuses when the status cannot be learnt).")
  String revocation = "off";

  @Option(
      names = "--crl",
      paramLabel = "FILE",
      description =
          "With --revocation: check client certificates against this CRL (re-read when it changes).")
  java.util.List<Path> crls = new java.util.ArrayList<>();

  @Option(
      names = "--engine",
      paramLabel = "NAME",
      description =
          "TLS engine: jsse (the JDK's; trace and key log work) or boringssl (native BoringSSL via"
              + " netty-tcnative: faster handshakes, no trace, no key log; docs/HANDSHAKES.md)"
              + " (default: ${DEFAULT-VALUE}).")
  String engine = "jsse";

  @Option(
      names = "--loops",
      paramLabel = "N",
      description =
          "Event loops; 0 = one per core (default: ${DEFAULT-VALUE}: every line goes to every"
              + " member, and with more loops each line crosses threads; JSSE's handshake work"
              + " runs on task threads either way; docs/CHAT-SPEED.md).")
  int loops = 1;

  @Option(
      names = "--max-line",
      paramLabel = "BYTES",
      description = "Longest line accepted (default: ${DEFAULT-VALUE}).")
  int maxLine = 8192;

  @Option(
      names = "--max-queued",
      paramLabel = "BYTES",
      description =
          "Bytes queued for a client that does not read before it is dropped (default: ${DEFAULT-VALUE}).")
  long maxQueued = 1 << 20;

  @Option(
      names = "--handshake-timeout",
      paramLabel = "SECONDS",
      description =
          "Close connections that do not complete the TLS handshake in time (default: ${DEFAULT-VALUE}).")
  double handshakeTimeout = 10;

  @Option(
      names = "--flush-delay",
      paramLabel = "MS",
      description =
          "Let a line wait up to MS milliseconds for more lines to the same client, so they leave"
              + " as one record and one write; 0..100 (default: ${DEFAULT-VALUE}: lines queued in"
              + " one pass of the event loop still leave together).")
  double flushDelay = 0;

  @Option(
      names = "--warm-up",
      paramLabel = "SECONDS",
      description =
          "Before accepting, run the chat's hot path (lines, handshakes, commands) for at most this"
              + " long, so that the JIT has compiled it when the first clients come; 0 skips it"
              + " and starts at once (default: ${DEFAULT-VALUE}).")
  double warmUp = 10;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    ClientAuth auth = clientAuth;
    // Before any JSSE use: JDK 25 only offers the report's suite if re-enabled first.
    JsseSetup.prepare(p == TlsProfile.REPORT, tracing.hooksNeeded());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (p.warning() != null) {
      err.println(p.warning());
      err.flush();
    }
    tlslab.tls.RevocationPolicy.Mode mode = tlslab.tls.RevocationPolicy.parseMode(revocation);
    if (!crls.isEmpty() && mode == tlslab.tls.RevocationPolicy.Mode.OFF) {
      mode = tlslab.tls.RevocationPolicy.Mode.HARD;
    }
    tlslab.tls.RevocationPolicy clientCerts = new tlslab.tls.RevocationPolicy(mode, crls);
    if (clientCerts.enabled() && auth == ClientAuth.NONE) {
      throw tlslab.common.LabException.badInput(
          "--revocation/--crl check client certificates: use them with --client-auth want or need");
    }
    tlslab.tls.TlsEngine tlsEngine = engine(spec, engine);
    if (tlsEngine != tlslab.tls.TlsEngine.JSSE) {
      if (tracing.hooksNeeded() || staple || clientCerts.enabled()) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--engine "
                + tlsEngine.label()
                + " cannot trace, key-log, staple or check revocation: use --engine jsse for"
                + " --trace, --trace-json, --keylog, --staple, --revocation and --crl");
      }
      err.println(tlsEngine.limitation());
      err.flush();
    }
    if (!(warmUp >= 0 && warmUp <= 60)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--warm-up: 0 to 60 seconds, got " + warmUp);
    }
    if (staple) {
      if (stapleCache < 1) {
        throw tlslab.common.LabException.badInput("--staple-cache: at least 1 second");
      }
      tlslab.tls.Stapling.configureServer(ocspUrl, stapleCache);
    }
    ChatServer server =
        ChatServer.builder()
            .context(
                tlsEngine == tlslab.tls.TlsEngine.JSSE
                    ? TlsContexts.server(certs, staple, clientCerts)
                    : TlsContexts.server(certs, tlsEngine, p))
            .bind(bind)
            .port(port)
            .profile(p)
            .clientAuth(auth)
            .loops(loops)
            .maxLineBytes(maxLine)
            .maxOutboundBytes(maxQueued)
            .handshakeTimeout(Duration.ofMillis((long) (handshakeTimeout * 1000)))
            .flushDelay(Duration.ofNanos((long) (flushDelay * 1e6)))
            .log(line -> log(out, line))
            .observers(tracing.observers(out, err, "server"))
            .warmUp(warmUp > 0 ? Duration.ofMillis((long) (warmUp * 1000)) : null)
            .build()
            .start();
    ChatServer.WarmUpReport warmed = server.warmUp();
    if (warmed != null) {
      out.printf(
          "warmed up in %.1f s: %d rounds of lines, %d handshakes (%s)%n",
          warmed.millis() / 1000.0, warmed.rounds(), warmed.joins(), warmed.end());
    }
    out.printf(
        "listening on %s:%d (profile %s, %s, client-auth %s, engine %s)%n",
        server.address().getAddress().getHostAddress(),
        server.port(),
        p.label(),
        String.join("+", p.protocols()),
        auth.name().toLowerCase(java.util.Locale.ROOT),
        tlsEngine.label());
    if (staple) {
      out.println(
          "stapling OCSP responses for the server certificate"
              + (ocspUrl != null ? " from " + ocspUrl : " from the responder its AIA names"));
    }
    if (clientCerts.enabled()) {
      out.println("client certificates checked for revocation: " + clientCerts.describe());
    }
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              log(
                  out,
                  "shutting down: close_notify to " + server.connectionCount() + " connection(s)");
              server.close();
              log(out, "stopped");
              stopped.countDown();
            },
            "server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return ExitCode.INTERRUPTED;
  }

  /** Parses {@code --engine}; an unknown name is a usage error (exit 2). */
  static tlslab.tls.TlsEngine engine(CommandSpec spec, String name) {
    try {
      return tlslab.tls.TlsEngine.parse(name);
    } catch (tlslab.common.LabException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static void log(PrintWriter out, String line) {
    synchronized (out) {
      out.println(LocalTime.now().format(TIME) + " " + line);
      out.flush();
    }
  }
}
