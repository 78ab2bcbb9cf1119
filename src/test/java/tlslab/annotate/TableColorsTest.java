package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tlslab.pcap.TcpDirection;
import tlslab.pcap.TcpPacket;

/**
 * The coloured table: colour lands on the sender, alerts, TCP losses, unreadable records and
 * problems, and never changes the text (ANSI stripped, it is the plain table, byte for byte, also
 * when the classroom view fits lines to a width).
 */
class TableColorsTest {
  private static final String ESC = "\u001b[";
  private static final String CLIENT = ESC + "36m";
  private static final String SERVER = ESC + "35m";
  private static final String FATAL = ESC + "1;31m";
  private static final String LOSS = ESC + "31m";
  private static final String ALERT = ESC + "33m";
  private static final String DIM = ESC + "2m";
  private static final String RESET = ESC + "0m";

  @TempDir Path dir;

  static Stream<String> fixtures() {
    return OfflineFixtures.makers().keySet().stream();
  }

  private static String table(Path pcap, AnnotateReport.View view, TableColors colors) {
    return render(pcap, OutputFormat.TABLE, view, colors);
  }

  private static String render(
      Path pcap, OutputFormat format, AnnotateReport.View view, TableColors colors) {
    StringWriter w = new StringWriter();
    AnnotateReport.run(pcap, KeyMaterial.none(), format, view, colors, new PrintWriter(w));
    return w.toString();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void strippedColourIsThePlainTableInEveryView(String name) {
    Path pcap = OfflineFixtures.load(name).pcap();
    for (AnnotateReport.View v :
        List.of(
            AnnotateReport.View.plain(true),
            AnnotateReport.View.classroom(80),
            AnnotateReport.View.classroom(0),
            new AnnotateReport.View(true, false, false, false, false, 60))) {
      String plain = table(pcap, v, TableColors.NONE);
      String coloured = table(pcap, v, TableColors.ANSI);
      assertThat(plain).as(name + " plain").doesNotContain("\u001b");
      assertThat(coloured).as(name + " coloured").contains(ESC).isNotEqualTo(plain);
      assertThat(TableColors.strip(coloured)).as(name + " " + v).isEqualTo(plain);
      // Every colour is closed on its own line: a line cut out of the table leaks no colour.
      for (String line : coloured.split("\n", -1)) {
        int opened = count(line, ESC) - count(line, RESET);
        assertThat(opened).as("opened = closed on: " + line).isEqualTo(count(line, RESET));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void clientAndServerHaveTheirOwnColour(String name) {
    String t =
        table(
            OfflineFixtures.load(name).pcap(), AnnotateReport.View.classroom(0), TableColors.ANSI);
    List<String> rows = rows(t);
    assertThat(rows).as(name).isNotEmpty();
    int clients = 0;
    int servers = 0;
    for (String row : rows) {
      String plain = TableColors.strip(row);
      if (plain.contains(" client:") && plain.indexOf(" client:") < plain.indexOf(" server:")) {
        assertThat(row).as(name).contains(CLIENT + "#").doesNotContain(SERVER + "#");
        clients++;
      } else {
        assertThat(row).as(name).contains(SERVER + "#").doesNotContain(CLIENT + "#");
        servers++;
      }
    }
    assertThat(clients).as(name + " client rows").isPositive();
    assertThat(servers).as(name + " server rows").isPositive();
  }

  @Test
  void aLostSegmentIsRed() {
    String t =
        table(
            OfflineFixtures.load("tls12-server-flight-lost").pcap(),
            AnnotateReport.View.plain(true),
            TableColors.ANSI);
    assertThat(t).contains(LOSS + "[TCP Previous segment not captured]");
    for (String row : rows(t))
      if (!TableColors.strip(row).contains("[TCP ")) assertThat(row).doesNotContain(LOSS);
  }

  @Test
  void aRetransmissionIsRed() {
    String t =
        table(
            OfflineFixtures.load("tls12-retransmitted-server-flight").pcap(),
            AnnotateReport.View.plain(true),
            TableColors.ANSI);
    List<String> flagged = new ArrayList<>();
    for (String row : rows(t)) {
      String plain = TableColors.strip(row);
      if (plain.contains("Retransmission]") || plain.contains("[TCP Out-Of-Order]")) {
        assertThat(row).contains(LOSS + "[TCP ");
        flagged.add(plain);
      }
    }
    assertThat(flagged).isNotEmpty();
  }

  @Test
  void tls13WithoutKeysDimsTheFramesThatShowNothingButTheirSize() {
    String t =
        table(
            OfflineFixtures.load("tls13").pcap(),
            AnnotateReport.View.plain(true),
            TableColors.ANSI);
    int dimmed = 0;
    for (String row : rows(t)) {
      String plain = TableColors.strip(row);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("TLSv1\\.3 +[0-9]+  (.*)$").matcher(plain);
      if (!m.find()) continue;
      String info = m.group(1);
      if (info.matches("(Application Data, )*Application Data")) {
        assertThat(row).contains(DIM + info + RESET);
        dimmed++;
      } else assertThat(row).as("readable: " + info).doesNotContain(DIM);
    }
    assertThat(dimmed).isPositive();
  }

  @Test
  void fatalAlertsAreBoldRedOtherAlertsYellow() throws IOException {
    byte[] hello = SyntheticCapture.record(22, 0x0301, SyntheticCapture.clientHelloMessage());
    byte[] fatal = SyntheticCapture.record(21, 0x0303, new byte[] {2, 40});
    byte[] warning = SyntheticCapture.record(21, 0x0303, new byte[] {1, 0});
    int psh = TcpPacket.ACK | TcpPacket.PSH;
    SyntheticCapture c =
        new SyntheticCapture()
            .add(SyntheticCapture.packet(true, 1, 1, psh, hello, 0, hello.length))
            .add(SyntheticCapture.packet(false, 1, 1 + hello.length, psh, fatal, 0, fatal.length))
            .add(
                SyntheticCapture.packet(
                    true, 1 + hello.length, 1 + fatal.length, psh, warning, 0, warning.length));
    Path p = dir.resolve("alerts.pcap");
    Files.write(p, c.bytes());
    String t = table(p, AnnotateReport.View.classroom(0), TableColors.ANSI);
    assertThat(t)
        .contains(FATAL + "Alert (Level: Fatal, Description: Handshake Failure)" + RESET)
        .contains(ALERT + "Alert (Level: Warning, Description: Close Notify)" + RESET)
        .contains(CLIENT + "#1 client:")
        .contains(SERVER + "#1 server:")
        // The connection headings are the legend: each role in the colour of its frames.
        .contains(
            ESC
                + "1m-- connection 1:"
                + RESET
                + " "
                + CLIENT
                + "client 10.0.0.1:40000"
                + RESET
                + ", "
                + SERVER
                + "server 10.0.0.2:5555"
                + RESET
                + "\n")
        .contains(
            ESC
                + "1m== Connection 1:"
                + RESET
                + " "
                + CLIENT
                + "client 10.0.0.1:40000"
                + RESET
                + ", "
                + SERVER
                + "server 10.0.0.2:5555"
                + RESET
                + "\n");
    assertThat(TableColors.strip(t))
        .isEqualTo(table(p, AnnotateReport.View.classroom(0), TableColors.NONE));
  }

  @Test
  void problemsAndMalformedFramesAreBoldRed() {
    Path real = Path.of("../shared/captures/real");
    assertThat(real).as("../shared/captures/real (real captures folder) is absent").isDirectory();
    Path pcap = real.resolve("bug-1450-04__tls_DER-incomplete-header.pcap");
    assertThat(pcap).as(pcap + " is absent").isRegularFile();
    String t = table(pcap, AnnotateReport.View.plain(true), TableColors.ANSI);
    List<String> problems = new ArrayList<>();
    for (String line : t.split("\n"))
      if (TableColors.strip(line).strip().startsWith("PROBLEM: ")) {
        assertThat(line).startsWith("        " + FATAL + "PROBLEM: ").endsWith(RESET);
        problems.add(line);
      }
    assertThat(problems).as("PROBLEM lines in " + pcap).isNotEmpty();
    assertThat(t).contains(FATAL + "Server Hello, Certificate[Malformed Packet]" + RESET);
    assertThat(TableColors.strip(t))
        .isEqualTo(table(pcap, AnnotateReport.View.plain(true), TableColors.NONE));
  }

  @Test
  void theInfoColourPutsTheWorstFirst() {
    Row r = new Row();
    assertThat(TableColors.info(r, null)).isNull();
    r.tcpAnalysis = TcpDirection.DUP_ACK | TcpDirection.WINDOW_UPDATE;
    assertThat(TableColors.info(r, null)).as("no data lost").isNull();
    r.tcpAnalysis = TcpDirection.RETRANSMISSION;
    assertThat(TableColors.info(r, null)).isEqualTo(TableColors.Style.LOSS);
    r.problems.add("a certificate's DER length runs past its end");
    assertThat(TableColors.info(r, null)).isEqualTo(TableColors.Style.FATAL);
    assertThat(TableColors.sender(Sender.CLIENT)).isEqualTo(TableColors.Style.CLIENT);
    assertThat(TableColors.sender(Sender.SERVER)).isEqualTo(TableColors.Style.SERVER);
    assertThat(TableColors.sender(null)).isNull();
  }

  @Test
  void paintLeavesPaddingAndIndentOutsideTheColour() {
    StringBuilder sb = new StringBuilder("head   abc def   \n      ghi\n");
    TableColors.ANSI.paint(sb, 4, TableColors.Style.CLIENT);
    assertThat(sb.toString())
        .isEqualTo(
            "head   " + CLIENT + "abc def" + RESET + "   \n      " + CLIENT + "ghi" + RESET + "\n");
    StringBuilder none = new StringBuilder("head   abc\n");
    TableColors.NONE.paint(none, 0, TableColors.Style.FATAL);
    assertThat(none.toString()).isEqualTo("head   abc\n");
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void otherFormatsNeverGetColour(String name) {
    Path pcap = OfflineFixtures.load(name).pcap();
    for (OutputFormat f : List.of(OutputFormat.TSV, OutputFormat.JSON, OutputFormat.MARKDOWN)) {
      String coloured = render(pcap, f, AnnotateReport.View.plain(true), TableColors.ANSI);
      assertThat(coloured).as(name + " " + f).doesNotContain("\u001b");
      assertThat(coloured)
          .isEqualTo(render(pcap, f, AnnotateReport.View.plain(true), TableColors.NONE));
    }
  }

  /** The frame rows of a table (not notes, headings or summaries). */
  private static List<String> rows(String table) {
    List<String> rows = new ArrayList<>();
    for (String line : table.split("\n"))
      if (TableColors.strip(line).matches(" *[0-9]+ +[0-9.]+  .*")) rows.add(line);
    return rows;
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) n++;
    return n;
  }
}
