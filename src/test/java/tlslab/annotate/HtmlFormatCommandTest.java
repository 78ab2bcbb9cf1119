package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.cli.CliRun;
import tlslab.pcap.TcpPacket;

/** {@code lab annotate --format html --out FILE}: one self-contained page, no silent overwrite. */
class HtmlFormatCommandTest {
  @TempDir Path dir;

  private int run(String... args) {
    return CliRun.run(args).exit();
  }

  private Path capture() throws Exception {
    byte[] rec = SyntheticCapture.record(22, 0x0301, SyntheticCapture.clientHelloMessage());
    SyntheticCapture c =
        new SyntheticCapture()
            .add(SyntheticCapture.packet(true, 1, 0, TcpPacket.SYN, new byte[0], 0, 0))
            .add(
                SyntheticCapture.packet(
                    true, 2, 1, TcpPacket.ACK | TcpPacket.PSH, rec, 0, rec.length));
    Path p = dir.resolve("hello.pcap");
    Files.write(p, c.bytes());
    return p;
  }

  @Test
  void writesOneSelfContainedPageAndRefusesToOverwrite() throws Exception {
    Path page = dir.resolve("hello.html");
    assertThat(run("annotate", capture().toString(), "--format", "html", "--out", page.toString()))
        .isZero();
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("\"strings\":[")
        .contains("\"Client Hello\"");
    assertThat(html).contains("Content-Security-Policy\" content=\"default-src 'none';");
    // Nothing is loaded from elsewhere: no src= or link element, and every http(s) address is an
    // RFC link the reader may follow.
    assertThat(html).doesNotContain(" src=").doesNotContain("<link").doesNotContain("@import");
    Matcher m = Pattern.compile("https?://[^\"' )]*").matcher(html);
    while (m.find()) assertThat(m.group()).startsWith("https://www.rfc-editor.org/rfc/rfc");
    // Only the page's own three script elements: the first connection's model (JSON), the
    // renderer, and the rest of the model (JSON, after the renderer so the first ladder is drawn
    // while the parser reads it).
    assertThat(html.split("<script", -1)).hasSize(4);
    assertThat(html.split("</script>", -1)).hasSize(4);
    assertThat(html).contains("<script type=\"application/json\" id=\"model-rest\">");

    Files.writeString(page, "mine");
    // Refused to overwrite without --force: exit 6 (README "Exit codes").
    assertThat(run("annotate", capture().toString(), "--format", "html", "--out", page.toString()))
        .isEqualTo(6);
    assertThat(Files.readString(page)).isEqualTo("mine");
    assertThat(
            run(
                "annotate",
                capture().toString(),
                "--format",
                "html",
                "--out",
                page.toString(),
                "--force"))
        .isZero();
    assertThat(Files.readString(page)).startsWith("<!DOCTYPE html>");
  }

  @Test
  void demoPageIsNeverOverwrittenSilently() throws Exception {
    Path page = dir.resolve("demo.html");
    Files.writeString(page, "mine");
    // Refused before the demo starts: nothing is run, the file is kept.
    assertThat(run("demo", "--html", "--out", page.toString(), "--captures", dir.toString()))
        .isEqualTo(tlslab.cli.ExitCode.REFUSED);
    assertThat(Files.readString(page)).isEqualTo("mine");
    assertThat(dir.resolve("demo.pcapng")).doesNotExist();
    assertThat(run("demo", "--out", page.toString())).isEqualTo(tlslab.cli.ExitCode.USAGE);
  }

  @Test
  void captureTextCannotCloseTheScriptElement() {
    String hostile = "</script><script>alert(1)</script><!--";
    String q = tlslab.annotate.html.HtmlReport.jsonString(hostile);
    assertThat(q).doesNotContain("<").doesNotContain(">");
    assertThat(q)
        .isEqualTo(
            "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!--\"");
  }
}
