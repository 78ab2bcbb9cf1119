package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pcap.TcpPacket;

/** {@code lab annotate} as a user runs it: formats, explanations, exit codes. */
class AnnotateCommandTest {
  @TempDir Path dir;

  private String out;
  private String err;

  private int run(String... args) {
    tlslab.cli.CliRun.Result r = tlslab.cli.CliRun.run(args);
    out = r.out();
    err = r.err();
    return r.exit();
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
  void tsvHasTheSevenColumnsAndWiresharkLabels() throws Exception {
    assertThat(run("annotate", capture().toString(), "--format", "tsv")).isZero();
    String[] lines = out.split("\n");
    assertThat(lines[0]).isEqualTo("no\ttime\tsource\tdestination\tprotocol\tlength\tinfo");
    assertThat(lines[2].split("\t"))
        .containsExactly(
            "2",
            "0.000001",
            "10.0.0.1",
            "10.0.0.2",
            "TLSv1",
            lines[2].split("\t")[5],
            "Client Hello");
    assertThat(lines[1].split("\t")[4]).isEqualTo("TCP");
  }

  @Test
  void explainAddsNotesInEveryFormat() throws Exception {
    Path p = capture();
    assertThat(run("annotate", p.toString(), "--format", "tsv", "--explain")).isZero();
    assertThat(out.split("\n")[0]).endsWith("\tnote");
    assertThat(out).contains("random is a nonce");
    assertThat(run("annotate", p.toString(), "--format", "json", "--explain")).isZero();
    assertThat(out)
        .startsWith("{\"frames\": [")
        .contains("\"notes\": [")
        .contains("\"connections\": [");
    assertThat(run("annotate", p.toString(), "--format", "markdown")).isZero();
    assertThat(out).contains("| no | time | source |").contains("### Connection 1");
    assertThat(run("annotate", p.toString())).isZero();
    assertThat(out).contains("note: Client Hello").contains("== Connection 1");
  }

  @Test
  void notACaptureExits3WithOneLine() throws Exception {
    Path p = dir.resolve("notes.txt");
    Files.writeString(p, "these are my notes, not packets\n");
    assertThat(run("annotate", p.toString())).isEqualTo(3);
    assertThat(err.trim().lines())
        .singleElement()
        .asString()
        .contains("not a pcap or pcapng capture");
    assertThat(run("annotate", dir.resolve("missing.pcap").toString())).isEqualTo(3);
    assertThat(err).contains("no such file").doesNotContain("Exception");
    assertThat(run("annotate", p.toString(), "--format", "xml")).isEqualTo(2);
  }

  @Test
  void damagedFileIsAnnotatedUpToTheDamageWithAWarning() throws Exception {
    byte[] b = Files.readAllBytes(capture());
    Path cut = dir.resolve("cut.pcap");
    Files.write(cut, java.util.Arrays.copyOf(b, b.length - 10));
    assertThat(run("annotate", cut.toString(), "--format", "tsv")).isZero();
    assertThat(out.split("\n")).hasSize(2);
    assertThat(err).contains("warning").contains("file ends inside");
  }
}
