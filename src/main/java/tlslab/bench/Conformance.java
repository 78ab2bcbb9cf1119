package tlslab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.common.LabException;
import tlslab.net.ChatServer;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench conformance}: the lab chat server against tlsfuzzer, the suite OpenSSL, NSS and
 * GnuTLS are tested with. Each script of {@code conformance.txt} (a resource next to this class)
 * runs against a server of its profile, and its summary (passed, failed, expected failures) is read
 * from the script's own output.
 *
 * <p>tlsfuzzer is not part of the lab: it is a folder of Python (tlsfuzzer and tlslite-ng) run with
 * the system {@code python3}, which also needs {@code python3-ecdsa}. Without either, the command
 * says so and exits 4.
 *
 * <p>A caveat for reading the results: the chat server sends its welcome line as soon as the
 * handshake completes. tlsfuzzer's "expect application data" steps are meant to see the server's
 * answer to the request it just sent; here they are satisfied by the welcome line, whatever
 * happened to the request. Probes that check how the server handled application data (zero-length
 * records, fragmented or padded requests) therefore pass without proving that (see
 * docs/CONFORMANCE.md).
 */
public final class Conformance {
  /** One line of {@code conformance.txt}. */
  public record Script(TlsProfile profile, boolean quick, String name, List<String> args) {
    /** The Python module tlsfuzzer keeps the script's code in. */
    String module() {
      return "tlsfuzzer._apps." + name.replace('-', '_');
    }
  }

  /** What one script reported. {@code error} is set when it printed no summary. */
  public record ScriptResult(
      Script script,
      int total,
      int passed,
      int failed,
      int expectedFailures,
      int unexpectedPasses,
      int skipped,
      List<String> failedProbes,
      String error,
      double seconds) {}

  /** What to run. */
  public record Options(
      Path tlsfuzzer,
      Set<TlsProfile> profiles,
      boolean quickOnly,
      int connectPort,
      int timeoutSeconds,
      Consumer<String> live) {}

  private static final Pattern COUNT =
      Pattern.compile("^(TOTAL|SKIP|PASS|XFAIL|FAIL|XPASS): (\\d+)\\s*$");

  private Conformance() {}

  /** The scripts of {@code conformance.txt}, in order. */
  public static List<Script> scripts() {
    List<Script> out = new ArrayList<>();
    try (InputStream in = Conformance.class.getResourceAsStream("conformance.txt")) {
      if (in == null) {
        throw new AssertionError("conformance.txt is missing from the build");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
        TlsProfile profile = TlsProfile.parse(words.remove(0));
        boolean quick = words.get(0).equals("quick");
        if (quick) {
          words.remove(0);
        }
        String name = words.remove(0);
        out.add(new Script(profile, quick, name, List.copyOf(words)));
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read conformance.txt", e);
    }
    return out;
  }

  /** Checks that tlsfuzzer and its Python are usable; an environment error says what is missing. */
  public static void checkEnvironment(Path tlsfuzzer) {
    if (!Files.isDirectory(tlsfuzzer.resolve("tlsfuzzer"))
        || !Files.isDirectory(tlsfuzzer.resolve("tlslite"))) {
      throw LabException.environment(
          tlsfuzzer
              + ": no tlsfuzzer here (it needs tlsfuzzer/ and tlslite/; give its folder with"
              + " --tlsfuzzer)");
    }
    String out;
    int rc;
    try {
      Process p =
          new ProcessBuilder(python(), "-c", "import ecdsa, tlsfuzzer.runner")
              .redirectErrorStream(true)
              .directory(tlsfuzzer.toFile())
              .start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      rc = p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      throw LabException.environment("cannot run " + python() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.environment("interrupted");
    }
    if (rc != 0) {
      throw LabException.environment(
          "tlsfuzzer cannot start with "
              + python()
              + (out.contains("ecdsa")
                  ? ": python3-ecdsa is missing (apt-get install python3-ecdsa)"
                  : ": " + lastLine(out)));
    }
  }

  /** Runs the scripts and returns their results (also reported line by line to {@code live}). */
  public static List<ScriptResult> run(Options o) {
    checkEnvironment(o.tlsfuzzer());
    JsseSetup.prepare(o.profiles().contains(TlsProfile.REPORT), false);
    List<Script> todo = new ArrayList<>();
    for (Script s : scripts()) {
      if (o.profiles().contains(s.profile()) && (!o.quickOnly() || s.quick())) {
        todo.add(s);
      }
    }
    if (o.connectPort() > 0 && o.profiles().size() != 1) {
      throw LabException.badInput("--connect needs exactly one --profile (the server's)");
    }
    Map<TlsProfile, ChatServer> servers = new EnumMap<>(TlsProfile.class);
    Path certs = o.connectPort() > 0 ? null : ChatBench.tempCerts();
    List<ScriptResult> results = new ArrayList<>();
    try {
      for (Script s : todo) {
        int port = o.connectPort();
        if (port == 0) {
          port =
              servers
                  .computeIfAbsent(
                      s.profile(),
                      p ->
                          ChatServer.builder()
                              .context(TlsContexts.server(certs))
                              .port(0)
                              .profile(p)
                              .build()
                              .start())
                  .port();
        }
        ScriptResult r = runOne(o, s, port);
        results.add(r);
        o.live().accept(line(r));
      }
    } finally {
      servers.values().forEach(ChatServer::close);
      if (certs != null) {
        ChatBench.deleteTree(certs);
      }
    }
    return results;
  }

  private static ScriptResult runOne(Options o, Script s, int port) {
    List<String> cmd =
        new ArrayList<>(List.of(python(), "-m", s.module(), "-h", "127.0.0.1", "-p", "" + port));
    cmd.addAll(s.args());
    long t0 = System.nanoTime();
    String out;
    boolean timedOut = false;
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).directory(o.tlsfuzzer().toFile());
      pb.environment().put("PYTHONPATH", o.tlsfuzzer().toString());
      Process p = pb.start();
      // Read on another thread so that a script that never ends can still be stopped.
      StringBuilder buf = new StringBuilder();
      Thread reader =
          new Thread(
              () -> {
                try {
                  buf.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  buf.append("\n(output lost: ").append(e.getMessage()).append(')');
                }
              });
      reader.start();
      if (!p.waitFor(o.timeoutSeconds(), TimeUnit.SECONDS)) {
        timedOut = true;
        p.destroyForcibly();
      }
      reader.join(5000);
      out = buf.toString();
    } catch (IOException e) {
      throw LabException.environment("cannot run " + python() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted");
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return parse(s, out, timedOut ? "no result within " + o.timeoutSeconds() + " s" : null, secs);
  }

  /** Reads a tlsfuzzer script's summary block ({@code TOTAL: n ... FAILED: 'probe' ...}). */
  static ScriptResult parse(Script s, String out, String error, double secs) {
    int[] n = new int[6];
    boolean[] seen = new boolean[6];
    List<String> failed = new ArrayList<>();
    java.util.Map<String, String> reasons = new java.util.HashMap<>();
    String current = null;
    boolean inFailed = false;
    for (String line : out.split("\n")) {
      if (line.endsWith(" ...") && !line.startsWith(" ")) {
        current = line.substring(0, line.length() - 4);
      } else if (current != null
          && (line.startsWith("AssertionError: ") || line.contains("Error: "))
          && !reasons.containsKey(current)) {
        reasons.put(current, line.substring(line.indexOf(':') + 2).strip());
      }
      Matcher m = COUNT.matcher(line);
      if (m.matches()) {
        int i = List.of("TOTAL", "SKIP", "PASS", "XFAIL", "FAIL", "XPASS").indexOf(m.group(1));
        n[i] = Integer.parseInt(m.group(2));
        seen[i] = true;
        inFailed = false;
      } else if (line.startsWith("FAILED:") || line.startsWith("XPASSED:")) {
        inFailed = line.startsWith("FAILED:");
      } else if (inFailed && line.startsWith("\t")) {
        String probe = line.strip();
        if (probe.length() >= 2 && probe.startsWith("'") && probe.endsWith("'")) {
          probe = probe.substring(1, probe.length() - 1);
        }
        String why = reasons.get(probe);
        String entry = why == null ? probe : probe + " -- " + why;
        if (!failed.contains(entry)) {
          failed.add(entry);
        }
      } else if (!line.startsWith("\t")) {
        inFailed = false;
      }
    }
    if (!seen[0] && error == null) {
      error = "no summary: " + lastLine(out);
    }
    return new ScriptResult(
        s, n[0], n[2], n[4], n[3], n[5], n[1], List.copyOf(failed), error, secs);
  }

  /** The per-script line of the report. */
  public static String line(ScriptResult r) {
    String head =
        String.format(
            "  %-6s %-48s %4d passed %4d failed",
            r.script().profile(), r.script().name(), r.passed(), r.failed());
    if (r.error() != null) {
      return head + "  ERROR " + r.error();
    }
    StringBuilder sb = new StringBuilder(head);
    if (r.expectedFailures() + r.unexpectedPasses() + r.skipped() > 0) {
      sb.append(
          String.format(
              "  (%d xfail, %d xpass, %d skipped)",
              r.expectedFailures(), r.unexpectedPasses(), r.skipped()));
    }
    sb.append(String.format("  %.1f s", r.seconds()));
    int shown = 0;
    for (String p : r.failedProbes()) {
      if (shown++ == 8) {
        sb.append("\n      … ").append(r.failedProbes().size() - 8).append(" more");
        break;
      }
      sb.append("\n      failed: ").append(p);
    }
    return sb.toString();
  }

  /** Totals: scripts all passed / scripts with failures, probes passed / failed. */
  public static String totals(List<ScriptResult> results) {
    int clean = 0;
    int dirty = 0;
    int passed = 0;
    int failed = 0;
    int errors = 0;
    for (ScriptResult r : results) {
      passed += r.passed();
      failed += r.failed();
      if (r.error() != null) {
        errors++;
      } else if (r.failed() == 0) {
        clean++;
      } else {
        dirty++;
      }
    }
    return String.format(
        "totals: %d scripts: %d passed every probe, %d had failures, %d gave no result;"
            + " probes: %d passed, %d failed",
        results.size(), clean, dirty, errors, passed, failed);
  }

  static String python() {
    String p = System.getenv("LAB_PYTHON");
    if (p != null && !p.isBlank()) {
      return p;
    }
    // Debian's python3, where apt installs python3-ecdsa (a pyenv shim may come first on PATH).
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }
}
