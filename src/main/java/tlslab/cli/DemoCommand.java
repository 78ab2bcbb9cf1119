package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.demo.Demo;
import tlslab.demo.DemoReport;
import tlslab.demo.DemoRun;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsProfile;

/** {@code lab demo}: the lab's main job in one command. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Certificates, a chat between alice and bob, its capture and JSSE trace, then the report's"
          + " Wireshark table rebuilt from the capture, the trace beside it, the decrypted chat,"
          + " and what the report got right and wrong.",
      "Capturing needs root (or CAP_NET_RAW) and libpcap; without them the demo says so and"
          + " shows the rest."
    },
    footer = {"", ExitCode.TABLE})
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProfileMixin profile;

  @Option(
      names = "--staple",
      description =
          "Run the lab CA's OCSP responder and staple its answer: the server's first flight reads"
              + " like the report's, \"Server Hello, Certificate, Certificate Status, Server Key"
              + " Exchange, Server Hello Done\" (with the modern profile).")
  boolean staple;

  @Option(
      names = "--captures",
      paramLabel = "DIR",
      description = "Where demo.pcapng and demo.keylog are left (default: the lab's captures/).")
  Path captures;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    JsseSetup.prepare(p == TlsProfile.REPORT, true);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (p.warning() != null) {
      err.println(p.warning());
      err.flush();
    }
    out.println("TLS Lab demo: the report's chat, rebuilt and observed (profile " + p + ")");
    Demo demo =
        new Demo(p, staple, captures != null ? captures : LabHome.path().resolve("captures"), out);
    Thread hook = new Thread(demo::abort, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    DemoRun run = demo.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
    new DemoReport(run, out).print();
    return ExitCode.OK;
  }
}
