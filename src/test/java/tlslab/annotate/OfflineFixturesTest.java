package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * The core labels without tcpdump or tshark: every committed capture ({@link OfflineFixtures}) is
 * annotated and each frame's Protocol and Info must equal what tshark printed for it when the
 * fixture was made - TLS rows and TCP rows alike.
 */
class OfflineFixturesTest {
  static Stream<String> fixtures() {
    return OfflineFixtures.makers().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFrameHasTheLabelsTsharkGaveIt(String name) {
    OfflineFixtures.Fixture fx = OfflineFixtures.load(name);
    Map<Long, Row> ours = new HashMap<>();
    Annotator an = new Annotator(KeyMaterial.none(), true);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(fx.pcap())) {
      an.follow(r);
      while (r.next(f)) ours.put(f.number, an.annotate(f).copy());
      assertThat(r.problem()).as("damage in " + fx.pcap()).isNull();
    }
    assertThat(an.problems()).as("internal problems").isEmpty();
    assertThat(ours).hasSameSizeAs(fx.labels());
    List<String> diffs = new ArrayList<>();
    long tls = 0;
    for (String[] t : fx.labels()) {
      Row r = ours.get(Long.parseLong(t[0]));
      String want = t[1] + " | " + t[2];
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(want))
        diffs.add("frame " + t[0] + ": tshark [" + want + "] ours [" + got + "]");
      if (TsharkParityTest.isTls(t)) {
        tls++;
        assertThat(r.tls).as("frame " + t[0] + " is TLS").isTrue();
      }
    }
    assertThat(tls).as("frames tshark labelled TLS in " + name).isGreaterThan(0);
    assertThat(diffs).as("differences from the recorded tshark labels in " + name).isEmpty();
  }
}
