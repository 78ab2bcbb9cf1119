package tlslab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * {@code lab demo} end to end, in-process, as a student runs it: certificates, alice and bob
 * chatting through the lab server, the libpcap capture, the JSSE trace, the report's Wireshark
 * table rebuilt from the capture and the decrypted chat. The judge is software nobody here wrote:
 * tshark decrypts the demo's pcap with the demo's key log and finds alice's line.
 *
 * <p>It needs root for the capture (the tests run as root). In this JVM surefire sets {@code
 * javax.net.debug} to the empty string and {@code JsseTestSetup} re-enables the report suite before
 * any JSSE use, which is what the demo's own {@code JsseSetup.prepare(report, true)} call needs to
 * have happened before JSSE initialised.
 */
@Tag("jdk") // JSSE trace parsing, key logging and the report suite depend on the JDK
class DemoTest {
  private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path captures;

  @Test
  void modernDemoRebuildsTheReportsTableAndTsharkDecryptsItsCapture() throws Exception {
    String out = runDemo("--captures", captures.toString(), "--html");

    assertThat(out).contains("profile modern");
    assertThat(lines(out))
        .anySatisfy(l -> assertThat(l).contains("TLSv1.2").endsWith("Client Hello"));
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith("Server Hello, Certificate, Server Key Exchange, Server Hello Done"));
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith(
                        "Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message"));
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith(
                        "New Session Ticket, Change Cipher Spec, Encrypted Handshake Message"));
    assertThat(lines(out))
        .anySatisfy(l -> assertThat(l).contains("TLSv1.2").endsWith("Application Data"));
    assertThat(lines(out))
        .anySatisfy(l -> assertThat(l).contains("TLSv1.2").endsWith("Encrypted Alert"));
    // Bob's client shares alice's context and resumes her session: no Certificate in his flight.
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .endsWith(
                        "Server Hello, New Session Ticket, Change Cipher Spec, Encrypted Handshake Message"));
    assertTraceSection(out, "ServerKeyExchange|Server Key Exchange");
    assertDecryptedChat(out);
    assertThat(out.replaceAll("\\s+", " "))
        .contains("carries a Server Key Exchange, so this is ECDHE");
    assertTsharkDecrypts(out);
    assertTraceFramesAgreeWithTshark(out);
    assertDemoPage(out, "modern", "Server Key Exchange", "not in this suite");
  }

  @Test
  void tls13DemoShowsTheHiddenHandshakeAndTsharkDecryptsItsCapture() throws Exception {
    String out = runDemo("--profile", "tls13", "--captures", captures.toString(), "--html");

    assertThat(out).contains("profile tls13");
    assertThat(lines(out)).anySatisfy(l -> assertThat(l).endsWith("Client Hello"));
    // Without keys, TLS 1.3 hides everything after the Server Hello (RFC 8446 §2).
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.3")
                    .contains("Server Hello, Change Cipher Spec, Application Data"));
    assertThat(lines(out))
        .noneSatisfy(l -> assertThat(l).contains("Server Key Exchange, Server Hello Done"));
    assertTraceSection(out, "EncryptedExtensions|Encrypted Extensions");
    assertDecryptedChat(out);
    assertTsharkDecrypts(out);
    assertDemoPage(out, "tls13", "Server Hello", "separate, encrypted message");
  }

  /**
   * {@code --html}'s page, in headless Chromium: JSSE's trace sits beside the wire (each step in
   * the ladder row of the frame tshark, decrypting with the demo's key log, shows it in), the
   * report's claims link to frames that are on the page, and connection 1's summary lists the
   * report's corrections, each beside the message it is about.
   */
  private void assertDemoPage(String out, String profile, String corrected, String correction)
      throws Exception {
    Path page = captures.resolve("demo.html");
    assertThat(out).contains("The demo as a page").contains(page.toString());
    java.util.Map<Long, String[]> tshark = decryptedInfo(out);
    int port = port(out);
    int at = out.indexOf("2. The same handshake inside JSSE");
    long textRows =
        lines(out.substring(at, out.indexOf("3. The chat", at))).stream()
            .filter(l -> l.matches("\\s*(\\d+|-)  [→←] .*"))
            .count();
    int at4 = out.indexOf("4. The report, checked against this capture");
    long textVerdicts =
        lines(out.substring(at4)).stream().filter(l -> l.matches("  [✔✘] .*")).count();
    tlslab.annotate.html.SharedBrowser.load(
        page,
        "",
        Path.of("target", "html-pages", "demo-" + profile + ".png"),
        p -> {
          com.google.gson.JsonArray steps =
              tlslab.annotate.html.SharedBrowser.json(
                      p,
                      "[...document.querySelectorAll('#trace tr.step')].map(tr =>"
                          + " [+tr.dataset.frame, tr.querySelector('.jmsg').textContent,"
                          + " tr.querySelector('.wire').textContent])")
                  .getAsJsonArray();
          assertThat(steps.size()).as("trace rows on the page and in the text").isEqualTo(textRows);
          List<String> wrong = new ArrayList<>();
          List<String> besideWire = new ArrayList<>();
          for (var e : steps) {
            long frame = e.getAsJsonArray().get(0).getAsLong();
            String name = e.getAsJsonArray().get(1).getAsString();
            String wire = e.getAsJsonArray().get(2).getAsString();
            String label = name.substring(2);
            String[] t = tshark.get(frame);
            boolean sentByServer = name.startsWith("→");
            if (t == null
                || !t[1].contains(label.equals("Alert") ? "Alert" : label)
                || !t[1].contains(wire)
                || (Integer.parseInt(t[0]) == port) != sentByServer)
              wrong.add(frame + " " + name + " <- tshark: " + (t == null ? "-" : t[1]));
            besideWire.add(frame + " " + name);
          }
          assertThat(wrong).as("trace rows whose frame tshark disagrees with").isEmpty();
          List<String> inLadder = new ArrayList<>();
          for (var e :
              tlslab.annotate.html.SharedBrowser.json(
                      p,
                      "[...document.querySelectorAll('#conn-1 .frame.traced')].flatMap(d =>"
                          + " [...d.querySelectorAll('.jsse .step')].map(s => d.dataset.frame"
                          + " + ' ' + s.textContent))")
                  .getAsJsonArray()) inLadder.add(e.getAsString());
          assertThat(inLadder)
              .as("each JSSE step beside its frame in connection 1's ladder")
              .containsExactlyInAnyOrderElementsOf(besideWire);
          var verdicts =
              tlslab.annotate.html.SharedBrowser.json(
                      p,
                      "[...document.querySelectorAll('#verdicts li')].map(li =>"
                          + " [...li.querySelectorAll('.goto')].map(b =>"
                          + " !!document.querySelector('.arrow[data-id=\"' + b.dataset.frame"
                          + " + '.0\"]')))")
                  .getAsJsonArray();
          assertThat(verdicts.size())
              .as("verdicts on the page and in the text")
              .isEqualTo(textVerdicts);
          assertThat(verdicts.toString())
              .as("every cited frame is on the page")
              .doesNotContain("false");
          assertThat(verdicts.toString()).contains("true");
          var corrections =
              tlslab.annotate.html.SharedBrowser.json(
                      p,
                      "[...document.querySelectorAll('#conn-1 .corrections li')].map(li =>"
                          + " [li.querySelector('.goto').textContent,"
                          + " document.querySelector('.arrow[data-id=\"' + li.dataset.id"
                          + " + '\"] .label').textContent, li.textContent])")
                  .getAsJsonArray();
          assertThat(corrections.size()).isPositive();
          for (var c : corrections) {
            var a = c.getAsJsonArray();
            assertThat(a.get(0).getAsString()).endsWith(": " + a.get(1).getAsString());
          }
          assertThat(corrections.toString()).contains(corrected).contains(correction);
          String clicked =
              p.eval()
                  .eval(
                      "(() => { const b = document.querySelector('#conn-1 .corrections .goto');"
                          + " b.click(); return document.getElementById('view').dataset.id"
                          + " === b.dataset.id"
                          + " && document.querySelector('.arrow.sel').dataset.id === b.dataset.id"
                          + " ? 'selected' : 'not selected'; })()")
                  .getAsString();
          assertThat(clicked).isEqualTo("selected");
        });
  }

  @Test
  void reportDemoUsesTheReportsSuiteWhoseCaptureTheServerKeyAloneDecrypts() throws Exception {
    CliRun.Result run = demo("--profile", "report", "--captures", captures.toString());
    String out = run.out();

    assertThat(run.err()).contains("TLS_RSA_WITH_AES_128_CBC_SHA").contains("NO forward secrecy");
    assertThat(out).contains("TLSv1.2, TLS_RSA_WITH_AES_128_CBC_SHA");
    // RSA key transport: no Server Key Exchange, exactly the report's Wireshark table.
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith("Server Hello, Certificate, Server Hello Done"));
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith(
                        "Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message"));
    assertThat(lines(out))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("TLSv1.2")
                    .endsWith(
                        "New Session Ticket, Change Cipher Spec, Encrypted Handshake Message"));
    assertTraceSection(out, "Client Key Exchange\\s+RSA");
    assertDecryptedChat(out);
    assertTsharkDecrypts(out);
    assertTraceFramesAgreeWithTshark(out);

    // The copy of the server key the demo leaves beside the capture decrypts it in tshark alone.
    Path key = captures.resolve("demo-server.key");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String decrypted =
        tshark(
            "-r",
            captures.resolve("demo.pcapng").toString(),
            "-o",
            "uat:rsa_keys:\"" + key + "\",\"\"",
            "-d",
            "tcp.port==" + port(out) + ",tls",
            "-q",
            "-z",
            "follow,tls,ascii,0");
    assertThat(decrypted).contains(Demo.ALICE_LINE);
  }

  /**
   * TLS 1.3 hides Encrypted Extensions, Certificate, Certificate Verify and Finished in one
   * encrypted record: the demo must pair each JSSE message with the right frame anyway (it aligns
   * on the frames decrypted with the key log, per direction), and must not claim a resumption that
   * only the missing (encrypted) Certificate suggests.
   */
  @Test
  void tls13DemoPairsEachJsseMessageWithTheFrameThatCarriedIt() throws Exception {
    String out = runDemo("--profile", "tls13", "--captures", captures.toString());
    assertTraceFramesAgreeWithTshark(out);
    assertThat(out.replaceAll("\\s+", " ")).doesNotContain("Finished message (frame ?");
    if (out.contains("resumed: frame")) {
      Matcher m = Pattern.compile("resumed: frame (\\d+)").matcher(out.replaceAll("\\s+", " "));
      assertThat(m.find()).isTrue();
      assertThat(decryptedInfo(out).get(Long.parseLong(m.group(1)))[1])
          .doesNotContain("Certificate");
    }
  }

  /**
   * Every row of the JSSE trace section names a frame, and tshark, decrypting the capture with the
   * demo's key log, shows that message in that frame, sent in the right direction.
   */
  private void assertTraceFramesAgreeWithTshark(String out) throws Exception {
    java.util.Map<Long, String[]> tshark = decryptedInfo(out);
    int port = port(out);
    int at = out.indexOf("2. The same handshake inside JSSE");
    List<String> rows =
        lines(out.substring(at, out.indexOf("3. The chat", at))).stream()
            .filter(l -> l.matches("\\s*(\\d+|-)  [→←] .*"))
            .toList();
    assertThat(rows).hasSizeGreaterThan(5);
    List<String> wrong = new ArrayList<>();
    for (String row : rows) {
      String frame = row.substring(0, 5).strip();
      String name = row.substring(7, Math.min(row.length(), 31)).strip();
      boolean sentByServer = name.startsWith("→");
      String label = name.substring(2);
      String[] t = frame.equals("-") ? null : tshark.get(Long.parseLong(frame));
      String want = label.equals("Alert") ? "Alert" : label;
      if (t == null || !t[1].contains(want) || (Integer.parseInt(t[0]) == port) != sentByServer) {
        wrong.add(row.strip() + "  <- tshark: " + (t == null ? "no frame" : String.join(" | ", t)));
      }
    }
    assertThat(wrong).as("trace rows whose frame tshark disagrees with").isEmpty();
  }

  /** tshark's decrypted view: frame number -> {source port, Info}. */
  private java.util.Map<Long, String[]> decryptedInfo(String out) throws Exception {
    String text =
        tshark(
            "-r",
            captures.resolve("demo.pcapng").toString(),
            "-o",
            "tls.keylog_file:" + captures.resolve("demo.keylog"),
            "-d",
            "tcp.port==" + port(out) + ",tls",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "tcp.srcport",
            "-e",
            "_ws.col.Info");
    java.util.Map<Long, String[]> byFrame = new java.util.HashMap<>();
    for (String line : lines(text)) {
      String[] f = line.split("\t", -1);
      if (f.length >= 3) byFrame.put(Long.parseLong(f[0]), new String[] {f[1], f[2]});
    }
    return byFrame;
  }

  private static int port(String out) {
    Matcher m = PORT.matcher(out);
    assertThat(m.find()).as("the server's port in the demo's steps").isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static void assertTraceSection(String out, String tls13OrEcdheMessage) {
    int at = out.indexOf("2. The same handshake inside JSSE");
    assertThat(at).as("the JSSE trace section").isNotNegative();
    String section = out.substring(at, out.indexOf("3. The chat", at));
    assertThat(section).contains("frame").contains("JSSE");
    assertThat(lines(section))
        .anySatisfy(l -> assertThat(l).matches("\\s*\\d+\\s+← Client Hello.*"));
    assertThat(lines(section))
        .anySatisfy(l -> assertThat(l).matches("\\s*\\d+\\s+→ Server Hello.*"));
    assertThat(lines(section)).anySatisfy(l -> assertThat(l).containsPattern(tls13OrEcdheMessage));
  }

  private static void assertDecryptedChat(String out) {
    int at = out.indexOf("3. The chat, decrypted with the key log");
    assertThat(at).as("the decrypted chat section").isNotNegative();
    String section = out.substring(at);
    assertThat(lines(section))
        .anySatisfy(
            l -> assertThat(l).startsWith("frame ").contains("alice").endsWith(Demo.ALICE_LINE));
    assertThat(lines(section))
        .anySatisfy(l -> assertThat(l).startsWith("frame ").endsWith(Demo.BOB_LINE));
  }

  /** tshark, with the demo's own files, follows alice's connection and reads her line. */
  private void assertTsharkDecrypts(String out) throws Exception {
    Path pcap = captures.resolve("demo.pcapng");
    Path keyLog = captures.resolve("demo.keylog");
    assertThat(pcap).isRegularFile();
    assertThat(keyLog).isRegularFile();
    assertThat(Files.size(pcap)).isGreaterThan(24); // more than a header
    int port = port(out);
    String decrypted =
        tshark(
            "-r",
            pcap.toString(),
            "-o",
            "tls.keylog_file:" + keyLog,
            "-d",
            "tcp.port==" + port + ",tls",
            "-q",
            "-z",
            "follow,tls,ascii,0");
    assertThat(decrypted).contains(Demo.ALICE_LINE);
    // The pcapng carries the key log (Decryption Secrets Block): tshark needs no option at all,
    // as the demo says. Not even -d: the demo takes no server port that tshark gives another
    // dissector (WiresharkPorts); on one (44818: "ENIP Unknown Command") stream 0 held no TLS.
    assertThat(tshark("-r", pcap.toString(), "-q", "-z", "follow,tls,ascii,0"))
        .contains(Demo.ALICE_LINE);
    // And without the key log the line is nowhere in the capture: it really crossed encrypted.
    String raw =
        tshark(
            "-r",
            pcap.toString(),
            "-d",
            "tcp.port==" + port + ",tls",
            "-q",
            "-z",
            "follow,tcp,ascii,0");
    assertThat(raw).contains("Node 0").doesNotContain(Demo.ALICE_LINE);
  }

  private static String runDemo(String... options) {
    return demo(options).out();
  }

  /** {@code lab demo OPTIONS}, which must exit 0 with its capture. */
  private static CliRun.Result demo(String... options) {
    CliRun.Result r = CliRun.command("demo", options);
    assertThat(r.exit())
        .as("exit code; stderr: " + r.err() + "\nstdout: " + r.out())
        .isEqualTo(ExitCode.OK);
    assertThat(r.out()).doesNotContain("no capture").doesNotContain("capture: not possible");
    return r;
  }

  private static List<String> lines(String text) {
    return text.lines().toList();
  }

  private static String tshark(String... args) throws IOException, InterruptedException {
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
