package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Makes the offline fixtures again (real sessions on loopback, labels from tshark at that moment)
 * into {@code src/test/resources/captures}: {@code mvn -o test -Dtest=OfflineFixturesWriter
 * -Dfixtures.write=true} (root: tcpdump). Keys are never copied. Off unless asked for.
 */
@EnabledIfSystemProperty(named = "fixtures.write", matches = "true")
class OfflineFixturesWriter {
  @Test
  void writeFixtures() throws Exception {
    Path out = Path.of(System.getProperty("lab.home", ".")).resolve("src/test/resources/captures");
    Files.createDirectories(out);
    for (Map.Entry<String, TsharkParityTest.Maker> e : OfflineFixtures.makers().entrySet()) {
      LoopbackCaptures.Capture c = e.getValue().make();
      Path pcap = out.resolve(e.getKey() + ".pcap");
      Files.copy(c.file(), pcap, StandardCopyOption.REPLACE_EXISTING);
      OfflineFixtures.writeLabels(
          out.resolve(e.getKey() + ".tshark.tsv"), c.port(), LoopbackCaptures.tshark(c));
      assertThat(Files.size(pcap)).as(pcap + " stays small").isLessThan(64 * 1024);
      System.out.println("FIXTURE " + pcap + " " + Files.size(pcap) + " bytes");
    }
  }
}
