package tlslab.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;

/** The completeness record an exercise checker reads next to a capture. */
class CaptureStatsTest {
  @TempDir Path dir;

  @Test
  void sidecarRoundTripsAndSaysWhetherPacketsWereLost() {
    Path cap = dir.resolve("02.pcap");
    CaptureStats lossy = new CaptureStats(100, 107, 6, 0, 1, 3, 0);
    lossy.writeSidecar(cap);
    assertThat(CaptureStats.sidecar(cap)).hasFileName("02.pcap.stats");
    CaptureStats back = CaptureStats.readFor(cap).orElseThrow();
    assertThat(back).isEqualTo(lossy);
    assertThat(back.complete()).isFalse();
    assertThat(back.dropped()).isEqualTo(7);
    assertThat(back.summary())
        .startsWith("100 captured, 6 dropped by the kernel, 1 by the lab")
        .contains("3 lines skipped");
    new CaptureStats(5, 5, 0, 0, 0, 0, 0).writeSidecar(cap);
    assertThat(CaptureStats.readFor(cap).orElseThrow().complete()).isTrue();
    assertThat(CaptureStats.readFor(cap).orElseThrow().summary())
        .isEqualTo("5 captured, 0 dropped by the kernel, 0 by the lab");
  }

  @Test
  void noSidecarIsEmptyAndAnEditedOneIsRejected() throws Exception {
    Path cap = dir.resolve("other.pcap");
    assertThat(CaptureStats.readFor(cap)).isEmpty();
    new CaptureStats(100, 110, 10, 0, 0, 0, 0).writeSidecar(cap);
    Path side = CaptureStats.sidecar(cap);
    // A hand edit that claims completeness while the counts say otherwise.
    Files.writeString(side, Files.readString(side).replace("complete=false", "complete=true"));
    assertThatThrownBy(() -> CaptureStats.readFor(cap))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("contradicts");
    Files.writeString(side, "complete=true\n");
    assertThatThrownBy(() -> CaptureStats.readFor(cap))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("not a lab capture statistics file");
  }

  @Test
  void onlyKeyLogLinesGoIntoTheSecretsBlock() {
    String cr = "CLIENT_RANDOM " + "a1".repeat(32) + " " + "b2".repeat(48);
    String hs = "SERVER_HANDSHAKE_TRAFFIC_SECRET " + "c3".repeat(32) + " " + "d4".repeat(32);
    KeyLogLines k = KeyLogLines.of("# a comment\n" + cr + "\r\n\nnot a key line\n" + hs + "\n");
    assertThat(k.lines()).isEqualTo(2);
    assertThat(k.ignored()).isEqualTo(1);
    assertThat(k.text()).isEqualTo(cr + "\n" + hs + "\n");
  }
}
