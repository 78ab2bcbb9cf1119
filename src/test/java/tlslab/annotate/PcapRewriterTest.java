package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The rewrites that make loss and segmenting cases out of real sessions do what they say. */
@Tag("slow")
class PcapRewriterTest {
  /**
   * The lost-segment cases of {@link TsharkParityTest} need a fixed layout: where a segment starts
   * inside a record decides what tshark prints after the hole. {@link PcapRewriter#recordAligned}
   * gives the same segments whatever segments it is given: the 40 KB session as the kernel sent it
   * and the same session cut into 7-byte segments come out identical.
   */
  @Test
  void recordAlignedSegmentsDependOnTheRecordsOnly() throws Exception {
    LoopbackCaptures.Capture aligned = Scenarios.bigRecordsAligned();
    LoopbackCaptures.Capture fromTiny =
        LoopbackCaptures.transformed(
            "tls12-big-split7-aligned",
            Scenarios.split("tls12-big-split7", Scenarios.bigRecords(), 7),
            (in, out) -> PcapRewriter.recordAligned(in, out, 1400));
    List<PcapRewriter.Data> want = PcapRewriter.data(aligned.file());
    List<PcapRewriter.Data> got = PcapRewriter.data(fromTiny.file());
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).srcPort())
          .as("sender of segment %d", i + 1)
          .isEqualTo(want.get(i).srcPort());
      assertThat(got.get(i).payload())
          .as("bytes of segment %d", i + 1)
          .isEqualTo(want.get(i).payload());
    }
    // Each segment holds one record or 1400 bytes of one, starting at its first byte.
    List<PcapRewriter.Data> client =
        want.stream().filter(d -> d.dstPort() == aligned.port()).toList();
    int offset = 0; // into the current record
    int record = 0;
    for (PcapRewriter.Data d : client) {
      if (offset == record) {
        byte[] p = d.payload();
        record = 5 + ((p[3] & 0xff) << 8 | (p[4] & 0xff));
        offset = 0;
      }
      assertThat(d.payload().length).isEqualTo(Math.min(1400, record - offset));
      offset += d.payload().length;
    }
    assertThat(offset).as("the last segment ends its record").isEqualTo(record);
    int[] lost = Scenarios.lostRecordStart(aligned);
    assertThat(want.get(lost[0] - 1).payload()[0])
        .as("the lost segment starts a record")
        .isEqualTo((byte) 23);
  }
}
