package tlslab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.cli.CliRun;
import tlslab.cli.ExitCode;

/**
 * {@code lab demo --staple} reproduces the report's row "Server Hello, Certificate, Certificate
 * Status, Server Key Exchange, Server Hello Done": tshark labels the demo's own capture so, {@code
 * lab annotate} gives the same label for the same frame, and its note says what the stapled OCSP
 * response says (good, signed by the lab CA, signature verified, thisUpdate/nextUpdate), matching
 * tshark's decoding of the same response. Needs root for the capture, like {@link DemoTest}.
 */
@Tag("jdk")
class StapledDemoTest {
  private static final String ROW =
      "Server Hello, Certificate, Certificate Status, Server Key Exchange, Server Hello Done";
  private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path captures;

  @Test
  void theReportsFullRowWithCertificateStatusIsLabelledAlikeByTsharkAndLabAnnotate()
      throws Exception {
    String demo = run("demo", "--staple", "--captures", captures.toString());
    assertThat(demo).contains("OCSP: the lab CA's responder answers").contains(ROW);
    Matcher m = PORT.matcher(demo);
    assertThat(m.find()).as("server port in the demo output").isTrue();
    Path pcap = captures.resolve("demo.pcapng");

    String tshark =
        tshark(
            "-r",
            pcap.toString(),
            "-d",
            "tcp.port==" + m.group(1) + ",tls",
            "-Y",
            "tls.handshake.type == 22",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.col.Info",
            "-e",
            "ocsp.certStatus",
            "-e",
            "ocsp.thisUpdate");
    List<String> stapled = tshark.lines().filter(l -> !l.isBlank()).toList();
    // alice's full handshake carries the staple; bob resumes her session and gets none.
    assertThat(stapled).hasSize(1);
    String[] f = stapled.get(0).split("\t");
    assertThat(f[1]).isEqualTo(ROW);
    assertThat(f[2]).as("tshark's certStatus (0 = good)").isEqualTo("0");

    String annotated = run("annotate", pcap.toString());
    List<String> lines = annotated.lines().toList();
    int at = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches("\\s*" + f[0] + "\\s.*")) {
        at = i;
      }
    }
    assertThat(at).as("frame %s in lab annotate's output", f[0]).isNotNegative();
    assertThat(lines.get(at)).endsWith(ROW);
    String note =
        lines.subList(at + 1, Math.min(lines.size(), at + 8)).stream()
            .filter(l -> l.contains("note: Certificate Status"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Certificate Status note: " + annotated));
    assertThat(note)
        .contains("is GOOD")
        .contains("Signed by CN=TLS Lab CA,O=TLS Lab; signature verifies")
        .contains("thisUpdate ")
        .contains("nextUpdate ")
        .contains("ocsp_multi");
  }

  private static String run(String... args) {
    CliRun.Result r = CliRun.run(args);
    assertThat(r.exit())
        .as("exit code; stderr: " + r.err() + "\nstdout: " + r.out())
        .isEqualTo(ExitCode.OK);
    assertThat(r.out()).doesNotContain("capture: not possible");
    return r.out();
  }

  private static String tshark(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tshark"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(bytes);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("tshark ends").isTrue();
    assertThat(p.exitValue()).as("tshark exit code").isZero();
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
