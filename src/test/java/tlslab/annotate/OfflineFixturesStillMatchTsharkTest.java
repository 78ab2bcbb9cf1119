package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * tshark stays the oracle: the labels committed beside each offline capture must be exactly what
 * tshark prints for that capture today (so none was written or edited by hand).
 */
@Tag("slow")
class OfflineFixturesStillMatchTsharkTest {
  static Stream<String> fixtures() {
    return OfflineFixtures.makers().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void recordedLabelsAreTsharksOwn(String name) throws Exception {
    OfflineFixtures.Fixture fx = OfflineFixtures.load(name);
    List<String[]> now =
        LoopbackCaptures.tshark(LoopbackCaptures.file(name, fx.pcap(), fx.port(), null));
    assertThat(now.stream().map(t -> t[0] + "\t" + t[1] + "\t" + t[2]).toList())
        .as("tshark on " + fx.pcap())
        .containsExactlyElementsOf(
            fx.labels().stream().map(t -> t[0] + "\t" + t[1] + "\t" + t[2]).toList());
  }
}
