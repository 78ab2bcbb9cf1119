package tlslab.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.common.LabException;
import tlslab.net.ChatClient;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/** {@code lab client}: the chat client, interactive in a terminal, scripted from a pipe. */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    header = "Chat with a lab server over TLS.",
    description = {
      "In a terminal: type lines; incoming messages appear above the line being typed.",
      "From a pipe: sends each line, then closes with close_notify and waits for the",
      "server's, printing what arrived:  printf 'hi\\n/list\\n' | lab client --name bob",
      "The server certificate must be issued by --ca and name --host, unless --insecure."
    },
    footer = {"", ExitCode.TABLE})
public final class ClientCommand implements Callable<Integer> {
  static final String INSECURE_WARNING =
      "WARNING: --insecure: the server's certificate and host name are NOT checked (like the"
          + " report's client). Anyone in the middle can impersonate the server and read this chat.";

  @Spec CommandSpec spec;

  @Mixin TraceMixin tracing;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Server host, checked against its certificate (default: ${DEFAULT-VALUE}).")
  String host = "localhost";

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = PortConverter.Connect.class,
      description = "Server port (default: ${DEFAULT-VALUE}).")
  int port = 8443;

  @Option(names = "--name", paramLabel = "NAME", description = "Nick to take after connecting.")
  String name;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description = "CA certificate(s) to trust, PEM (default: ${DEFAULT-VALUE}).")
  Path ca = Path.of("certs/ca.pem");

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "Client certificate for mutual TLS: client-NAME.p12 from 'lab certs issue' (a .pem picks the .p12 beside it).")
  Path cert;

  @Mixin ProfileMixin profile;

  @Option(
      names = "--revocation",
      paramLabel = "MODE",
      description =
          "Check the server certificate for revocation (stapled OCSP first): off, soft (refuse"
              + " only a known revocation) or hard (refuse unless known good)"
              + " (default: ${DEFAULT-VALUE}).")
  String revocation = "soft";

  @Option(
      names = "--crl",
      paramLabel = "FILE",
      description = "Also check the server certificate against this CRL file.")
  java.util.List<Path> crls = new java.util.ArrayList<>();

  @Option(
      names = "--insecure",
      description = "Do not verify the server (the report's client). Unsafe: for the lab only.")
  boolean insecure;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    JsseSetup.prepare(p == TlsProfile.REPORT, tracing.hooksNeeded());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (p.warning() != null) {
      err.println(p.warning());
    }
    if (insecure) {
      err.println(INSECURE_WARNING);
    }
    err.flush();
    boolean interactive = System.console() != null;
    TerminalChat terminal = interactive ? new TerminalChat(out) : null;
    ChatClient client =
        ChatClient.builder()
            .host(host)
            .port(port)
            .name(name)
            .profile(p)
            .insecure(insecure)
            .context(TlsContexts.client(insecure ? null : ca, keyStore(), insecure, policy()))
            .onLine(
                line -> {
                  if (terminal != null) {
                    terminal.show(line);
                  } else {
                    synchronized (out) {
                      out.println(line);
                      out.flush();
                    }
                  }
                })
            .observers(tracing.observers(out, err, "client"))
            .build();
    try (TraceMixin t = tracing) {
      if (!interactive) {
        client.runScript(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      } else {
        client.connect();
        terminal.show(
            "* connected to "
                + host
                + ":"
                + port
                + " ("
                + client.sessionSummary()
                + "); /quit or Ctrl-D to leave");
        terminal.run(client);
      }
      // A key log that could not be written is an environment problem (exit 4), said once.
      t.throwIfProblems();
    }
    return ExitCode.OK;
  }

  private tlslab.tls.RevocationPolicy policy() {
    tlslab.tls.RevocationPolicy.Mode mode = tlslab.tls.RevocationPolicy.parseMode(revocation);
    if (insecure) {
      return tlslab.tls.RevocationPolicy.off();
    }
    return new tlslab.tls.RevocationPolicy(mode, crls);
  }

  private Path keyStore() {
    if (cert == null) {
      return null;
    }
    String file = cert.getFileName().toString();
    if (file.endsWith(".pem")) {
      String base = file.substring(0, file.length() - 4).replaceFirst("-combined$", "");
      Path p12 = cert.resolveSibling(base + ".p12");
      if (Files.exists(p12)) {
        return p12;
      }
      throw LabException.badInput(
          cert
              + ": give the PKCS#12 file ("
              + p12.getFileName()
              + ", written by 'lab certs issue')");
    }
    return cert;
  }
}
