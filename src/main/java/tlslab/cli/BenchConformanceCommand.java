package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.bench.Conformance;
import tlslab.tls.TlsProfile;

/** {@code lab bench conformance}: tlsfuzzer scripts against the lab chat server. */
@Command(
    name = "conformance",
    mixinStandardHelpOptions = true,
    header = "tlsfuzzer conformance scripts against the lab chat server.",
    description = {
      "Runs the tlsfuzzer scripts listed in tlslab/bench/conformance.txt, each against a lab",
      "server of its profile started in this process (or an already running server with",
      "--connect), and prints passed/failed probes per script and the totals.",
      "Needs tlsfuzzer (default: ../shared/tlsfuzzer next to the lab) and python3-ecdsa.",
      "Failures that are JSSE's own behaviour: docs/CONFORMANCE.md."
    },
    footer = {"", ExitCode.TABLE})
public final class BenchConformanceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--tlsfuzzer",
      paramLabel = "DIR",
      description = "tlsfuzzer + tlslite-ng folder (default: ../shared/tlsfuzzer from the lab).")
  Path tlsfuzzer;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      split = ",",
      converter = ProfileMixin.Converter.class,
      description = "Only these profiles: modern, report, tls13 (default: all).")
  List<TlsProfile> profiles;

  @Option(names = "--quick", description = "Only the scripts marked quick (about a minute).")
  boolean quick;

  @Option(
      names = "--connect",
      paramLabel = "PORT",
      description = "Test a server already listening on 127.0.0.1:PORT (needs one --profile).")
  int connect;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Stop a script after this long (default: ${DEFAULT-VALUE}).")
  int timeout = 600;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Set<TlsProfile> chosen = EnumSet.noneOf(TlsProfile.class);
    if (profiles == null || profiles.isEmpty()) {
      chosen.addAll(EnumSet.allOf(TlsProfile.class));
    } else {
      chosen.addAll(profiles);
    }
    Path dir =
        tlsfuzzer != null ? tlsfuzzer : LabHome.path().resolve("../shared/tlsfuzzer").normalize();
    out.println(
        "lab bench conformance: tlsfuzzer from "
            + dir
            + (connect > 0 ? ", server on 127.0.0.1:" + connect : ", lab servers in this process"));
    out.flush();
    List<Conformance.ScriptResult> results =
        Conformance.run(
            new Conformance.Options(
                dir,
                chosen,
                quick,
                connect,
                timeout,
                line -> {
                  out.println(line);
                  out.flush();
                }));
    out.println(Conformance.totals(results));
    out.flush();
    return ExitCode.OK;
  }
}
