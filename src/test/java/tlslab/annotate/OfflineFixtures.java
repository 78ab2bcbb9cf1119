package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small captures committed under {@code src/test/resources/captures}, each with the labels tshark
 * gave it when it was made ({@code NAME.pcap} and {@code NAME.tshark.tsv}), so that the core
 * annotate tests run without tcpdump or tshark. They are real sessions (openssl s_server and
 * s_client, or the lab's own chat, on loopback, captured by tcpdump); no key is committed, so they
 * hold no secrets. {@link OfflineFixturesTest} compares the annotator with the recorded labels;
 * {@code OfflineFixturesStillMatchTsharkTest} (slow, needs tshark) checks the recorded labels are
 * still what tshark prints; {@code OfflineFixturesWriter} makes them again.
 *
 * <p>Label file: a comment line {@code # tshark ... -d tcp.port==P,tls} giving the command, then
 * one {@code frame<TAB>protocol<TAB>info} line per frame.
 */
final class OfflineFixtures {
  private OfflineFixtures() {}

  /** Name, and how each fixture is made (also the list the offline test runs over). */
  static Map<String, TsharkParityTest.Maker> makers() {
    Map<String, TsharkParityTest.Maker> m = new LinkedHashMap<>();
    m.put("tls12-ecdhe-gcm", Scenarios::tls12Gcm);
    m.put("tls12-rsa-report-suite", Scenarios::tls12Rsa);
    m.put("tls12-resumed", Scenarios::resumed);
    m.put("tls12-client-auth", Scenarios::clientAuth);
    m.put("tls13", Scenarios::tls13);
    m.put("tls13-hello-retry-request", Scenarios::tls13Hrr);
    m.put("tls13-resumed-psk", Scenarios::tls13Resumed);
    m.put(
        "tls12-split-7-byte-segments", () -> Scenarios.split("fx-split7", Scenarios.tls12Gcm(), 7));
    m.put("tls12-server-flight-lost", () -> Scenarios.drop("fx-drop2", Scenarios.tls12Gcm(), 2));
    m.put(
        "tls12-retransmitted-server-flight",
        () -> LoopbackCaptures.reordered("fx-dup2", Scenarios.tls12Gcm(), 2, true));
    m.put("tls13-snaplen-200", () -> Scenarios.snaplen("fx-snap200", "-tls1_3", 200));
    m.put("lab-chat-tls13", () -> LabScenarios.chat(tlslab.tls.TlsProfile.TLS13));
    return m;
  }

  /** The committed folder (from the test class path). */
  static Path dir() {
    try {
      return Path.of(OfflineFixtures.class.getResource("/captures/").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("src/test/resources/captures is not on the class path", e);
    }
  }

  /** One fixture: its capture, tshark's command line and labels. */
  record Fixture(String name, Path pcap, String command, int port, List<String[]> labels) {}

  static Fixture load(String name) {
    Path pcap = dir().resolve(name + ".pcap");
    Path tsv = dir().resolve(name + ".tshark.tsv");
    try {
      List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
      String command = lines.get(0);
      assertThat(command).as(tsv + " header").startsWith("# tshark ");
      int p = command.indexOf("tcp.port==");
      int port = Integer.parseInt(command.substring(p + 10, command.indexOf(',', p)));
      List<String[]> labels = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) labels.add(l.split("\t", -1));
      return new Fixture(name, pcap, command, port, labels);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the label file for a capture: tshark's columns, with the command as a header. */
  static void writeLabels(Path tsv, int port, List<String[]> tshark) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# tshark 4.0 -r NAME.pcap -d tcp.port==")
        .append(port)
        .append(",tls -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info\n");
    for (String[] t : tshark)
      sb.append(t[0]).append('\t').append(t[1]).append('\t').append(t[2]).append('\n');
    Files.writeString(tsv, sb, StandardCharsets.UTF_8);
  }
}
