package tlslab.cli;

import java.io.IOException;
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
import tlslab.demo.Demo;
import tlslab.demo.DemoPage;
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

  @Option(
      names = "--html",
      description =
          "Also write the demo as one self-contained HTML page: the ladder of each connection,"
              + " decrypted, with JSSE's trace beside the wire and the report's claims linked to"
              + " their frames (default file: demo.html beside the capture, replaced on each run"
              + " like demo.pcapng).")
  boolean html;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "With --html: write the page to FILE (refused if it exists, unless --force).")
  Path out;

  @Option(names = "--force", description = "With --html --out: overwrite FILE if it exists.")
  boolean force;

  @Override
  public Integer call() {
    TlsProfile p = profile.get();
    if (!html && (this.out != null || force))
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--out and --force go with --html");
    Path dir = captures != null ? captures : LabHome.path().resolve("captures");
    Path page = this.out != null ? this.out : dir.resolve("demo.html");
    // Said before the demo starts (it printed its first steps, then "cannot create"), and a folder
    // is never replaced, not even with --force.
    if (Files.exists(dir) && !Files.isDirectory(dir))
      throw LabException.badInput(dir + ": is a file; --captures names a folder");
    if (html && Files.isDirectory(page))
      throw LabException.badInput(page + ": is a folder; --out names the page to write");
    if (html && this.out != null && Files.exists(page) && !force)
      throw LabException.refused(page + " exists (use --force to overwrite)");
    JsseSetup.prepare(p == TlsProfile.REPORT, true);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (p.warning() != null) {
      err.println(p.warning());
      err.flush();
    }
    out.println("TLS Lab demo: the report's chat, rebuilt and observed (profile " + p + ")");
    Demo demo = new Demo(p, staple, dir, out);
    Thread hook = new Thread(demo::abort, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    DemoRun run = demo.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
    new DemoReport(run, out).print();
    if (html) {
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
        DemoPage.write(run, p.toString(), w);
        if (w.checkError()) throw LabException.failed("could not write " + page);
      } catch (IOException e) {
        throw LabException.failed("could not write " + page + ": " + e.getMessage());
      }
      out.println();
      out.println("The demo as a page (open it in a browser, no network needed): " + page);
      out.flush();
    }
    if (run.captureIncomplete()) {
      err.println(
          "lab demo: WARNING: the capture is INCOMPLETE ("
              + String.join(" ", run.captureCheck().gaps())
              + "); the report's claims were not checked");
      err.flush();
      return ExitCode.INCOMPLETE;
    }
    return ExitCode.OK;
  }
}
