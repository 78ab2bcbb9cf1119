package tlslab.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.mitm.Interceptor;
import tlslab.mitm.LogFormatter;
import tlslab.mitm.MitmLog;
import tlslab.mitm.RecordRelay;
import tlslab.mitm.TamperMode;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/** {@code lab mitm}: a man in the middle between a chat client and the real server. */
@Command(
    name = "mitm",
    mixinStandardHelpOptions = true,
    header = "Run a man in the middle (an attacker) between a client and the real server.",
    description = {
      "Default: terminates the victim's TLS with the attacker's certificate (--certs), opens its",
      "own TLS connection to the real server (--upstream, verified against --ca) and relays",
      "both ways, logging every plaintext line. A verifying client refuses; the report's",
      "client (lab client --insecure) goes on and the attacker reads everything.",
      "--tap: pass every byte unchanged and show what an eavesdropper sees (records only).",
      "--tamper MODE: edit the Client Hello in flight (strip-dhe, downgrade, flip-random) and",
      "watch the handshake fail.",
      "Listens on 127.0.0.1 unless --bind says otherwise. Ctrl-C stops it.",
      "  lab mitm --listen 9443 --upstream localhost:8443 --certs work/evil --log work/mitm/08.jsonl"
    },
    footer = {"", ExitCode.TABLE})
public final class MitmCommand implements Callable<Integer> {
  static final String BANNER =
      "lab mitm: THIS IS A MAN-IN-THE-MIDDLE ATTACKER, for the lab only: use it on your own"
          + " traffic.";

  @Spec CommandSpec spec;

  @Mixin TraceMixin tracing;

  @Option(
      names = "--listen",
      paramLabel = "PORT",
      description = "Port victims connect to (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int listen = 9443;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
  String bind = "127.0.0.1";

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "HOST:PORT",
      description = "The real server.")
  String upstream;

  @Option(
      names = "--certs",
      paramLabel = "DIR",
      description =
          "The attacker's certificates (lab certs init --dir DIR): what victims are shown.")
  Path certs;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "CA that the real server's certificate must chain to (default: ${DEFAULT-VALUE}).")
  Path ca = Path.of("certs/ca.pem");

  @Option(
      names = "--upstream-insecure",
      description = "Do not verify the real server (unsafe, and not needed in the lab).")
  boolean upstreamInsecure;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description =
          "Profile offered to victims: modern, report or tls13 (default: ${DEFAULT-VALUE}).")
  String profile = "modern";

  @Option(
      names = "--upstream-profile",
      paramLabel = "NAME",
      description = "Profile spoken to the real server (default: the same as --profile).")
  String upstreamProfile;

  @Option(names = "--tap", description = "Relay every byte unchanged; log only what is visible.")
  boolean tap;

  @Option(
      names = "--tamper",
      paramLabel = "MODE",
      description = "Edit the first Client Hello: strip-dhe, downgrade or flip-random.")
  String tamper;

  @Option(
      names = "--log",
      paramLabel = "FILE",
      description = "Write the log as JSON lines (mode 0600; refuses to overwrite).")
  Path logFile;

  @Option(names = "--force", description = "Overwrite the --log file.")
  boolean force;

  @Override
  public Integer call() {
    if (tap && tamper != null) {
      throw new ParameterException(spec.commandLine(), "--tap and --tamper exclude each other");
    }
    boolean intercept = !tap && tamper == null;
    if (intercept && certs == null) {
      throw new ParameterException(
          spec.commandLine(),
          "give the attacker's certificates (--certs DIR, from lab certs init --dir DIR), or"
              + " --tap / --tamper MODE");
    }
    int colon = upstream.lastIndexOf(':');
    if (colon <= 0 || colon == upstream.length() - 1) {
      throw new ParameterException(spec.commandLine(), "--upstream must be HOST:PORT");
    }
    String upHost = upstream.substring(0, colon);
    int upPort;
    try {
      upPort = Integer.parseInt(upstream.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "--upstream port is not a number");
    }
    if (upPort < 1 || upPort > 65535 || listen < 0 || listen > 65535) {
      throw new ParameterException(spec.commandLine(), "ports must be 1..65535");
    }
    TamperMode mode = tamper == null ? null : TamperMode.parse(tamper);
    TlsProfile victimP = TlsProfile.parse(profile);
    TlsProfile upP = upstreamProfile == null ? victimP : TlsProfile.parse(upstreamProfile);
    JsseSetup.prepare(
        victimP == TlsProfile.REPORT || upP == TlsProfile.REPORT, tracing.hooksNeeded());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    err.println(BANNER);
    if (!isLoopback(bind)) {
      err.println(
          "lab mitm: WARNING: listening on "
              + bind
              + ", not loopback: other machines can reach this attacker.");
    }
    if (intercept && victimP.warning() != null) {
      err.println(victimP.warning());
    }
    if (upstreamInsecure) {
      err.println("lab mitm: WARNING: --upstream-insecure: the real server is NOT verified.");
    }
    err.flush();
    MitmLog log =
        MitmLog.open(
            logFile,
            force,
            e -> {
              synchronized (out) {
                out.println(LogFormatter.format(e));
                out.flush();
              }
            });
    AutoCloseable running;
    try {
      if (intercept) {
        Interceptor i =
            new Interceptor(
                new Interceptor.Options(
                    bind,
                    listen,
                    certs,
                    victimP,
                    upHost,
                    upPort,
                    () -> TlsContexts.client(upstreamInsecure ? null : ca, null, upstreamInsecure),
                    upP,
                    upstreamInsecure,
                    tracing.observers(out, err, "mitm")),
                log);
        i.start();
        running = i;
      } else {
        running =
            new RecordRelay(new RecordRelay.Options(bind, listen, upHost, upPort, mode), log)
                .start();
      }
    } catch (LabException e) {
      log.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    // Stopping anyway.
                  }
                  tracing.close();
                  log.close();
                  stopped.countDown();
                },
                "mitm-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCode.INTERRUPTED;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw LabException.badInput("--bind: unknown address " + host);
    }
  }
}
