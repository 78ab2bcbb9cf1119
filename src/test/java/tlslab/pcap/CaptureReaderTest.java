package tlslab.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.common.LabException;

class CaptureReaderTest {
  static final byte[] PACKET = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

  static byte[] pcap(ByteOrder order, boolean nanos, int frames, int linkType) {
    ByteBuffer b = ByteBuffer.allocate(24 + frames * (16 + PACKET.length)).order(order);
    b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4)
        .putShort((short) 2)
        .putShort((short) 4)
        .putInt(0)
        .putInt(0)
        .putInt(65535)
        .putInt(linkType);
    for (int i = 0; i < frames; i++) {
      b.putInt(1000 + i)
          .putInt(nanos ? 123456789 : 123456)
          .putInt(PACKET.length)
          .putInt(PACKET.length + 5);
      b.put(PACKET);
    }
    return b.array();
  }

  static List<Frame> readAll(byte[] file, String[] problem) {
    List<Frame> out = new ArrayList<>();
    try (CaptureReader r = CaptureReader.of(new ByteArrayInputStream(file), "test")) {
      Frame f = new Frame();
      while (r.next(f)) out.add(f.copy());
      problem[0] = r.problem();
    }
    return out;
  }

  @Test
  void readsBothByteOrdersAndTimestampResolutions() {
    for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      for (boolean ns : List.of(false, true)) {
        String[] p = new String[1];
        List<Frame> frames = readAll(pcap(o, ns, 3, 113), p);
        assertThat(frames).hasSize(3);
        assertThat(p[0]).isNull();
        Frame f = frames.get(1);
        assertThat(f.number).isEqualTo(2);
        assertThat(f.linkType).isEqualTo(113);
        assertThat(f.timeNanos).isEqualTo(1001L * 1_000_000_000L + (ns ? 123456789L : 123456000L));
        assertThat(f.capturedLength).isEqualTo(10);
        assertThat(f.wireLength).isEqualTo(15);
        assertThat(f.truncated()).isTrue();
        assertThat(f.data[f.offset + 9]).isEqualTo((byte) 10);
      }
    }
  }

  @Test
  void truncatedFileDeliversCompleteFramesAndNamesTheDamage() {
    byte[] full = pcap(ByteOrder.LITTLE_ENDIAN, false, 3, 1);
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 4);
    String[] p = new String[1];
    assertThat(readAll(cut, p)).hasSize(2);
    assertThat(p[0]).contains("frame 3").contains("file ends");
  }

  @Test
  void impossibleLengthStopsWithAProblemInsteadOfAllocating() {
    byte[] f = pcap(ByteOrder.LITTLE_ENDIAN, false, 2, 1);
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7fffffff);
    String[] p = new String[1];
    assertThat(readAll(f, p)).isEmpty();
    assertThat(p[0]).contains("impossible captured length");
  }

  @Test
  void notACaptureIsBadInput() {
    LabException e =
        assertThrows(
            LabException.class,
            () ->
                CaptureReader.of(
                    new ByteArrayInputStream("hello world, not pcap".getBytes()), "x.txt"));
    assertThat(e.kind()).isEqualTo(LabException.Kind.BAD_INPUT);
    assertThat(e.getMessage()).startsWith("x.txt: not a pcap or pcapng capture");
    assertThrows(
        LabException.class, () -> CaptureReader.of(new ByteArrayInputStream(new byte[2]), "tiny"));
  }

  @Test
  void pcapngWithNanosecondInterfaceEnhancedAndSimplePacketBlocks() {
    for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      block(
          out,
          o,
          0x0a0d0d0a,
          ByteBuffer.allocate(16)
              .order(o)
              .putInt(0x1a2b3c4d)
              .putShort((short) 1)
              .putShort((short) 0)
              .putLong(-1)
              .array());
      // IDB: link 101 (raw IP), if_tsresol = 9 (nanoseconds), end of options.
      block(
          out,
          o,
          1,
          ByteBuffer.allocate(16)
              .order(o)
              .putShort((short) 101)
              .putShort((short) 0)
              .putInt(0)
              .putShort((short) 9)
              .putShort((short) 1)
              .put((byte) 9)
              .put(new byte[3])
              .array());
      block(out, o, 0x99, new byte[8]); // unknown block: skipped
      long ts = 1_700_000_000_123_456_789L;
      block(
          out,
          o,
          6,
          ByteBuffer.allocate(20 + 12)
              .order(o)
              .putInt(0)
              .putInt((int) (ts >>> 32))
              .putInt((int) ts)
              .putInt(10)
              .putInt(10)
              .put(PACKET)
              .put(new byte[2])
              .array());
      block(
          out,
          o,
          3,
          ByteBuffer.allocate(4 + 12).order(o).putInt(10).put(PACKET).put(new byte[2]).array());
      String[] p = new String[1];
      List<Frame> frames = readAll(out.toByteArray(), p);
      assertThat(p[0]).isNull();
      assertThat(frames).hasSize(2);
      assertThat(frames.get(0).linkType).isEqualTo(101);
      assertThat(frames.get(0).timeNanos).isEqualTo(ts);
      assertThat(frames.get(1).capturedLength).isEqualTo(10);
    }
  }

  /**
   * Interface Statistics Blocks (pcapng 4.6), in both byte orders: the 64-bit counters read as
   * written, a later block for the same interface kept after an earlier one, and an option whose
   * length runs past the block ending the options without losing what came before.
   */
  @Test
  void interfaceStatisticsBlocksAreReadInBothByteOrders() {
    for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      byte[] one = pcapngWithSecrets(o, new byte[0], 0);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(one);
      long big = (3L << 32) + 7; // a counter past 32 bits: both halves must be read
      block(
          out,
          o,
          5,
          ByteBuffer.allocate(12 + 4 * 12 + 4)
              .order(o)
              .putInt(0)
              .putInt(0)
              .putInt(0)
              .putShort((short) 4) // isb_ifrecv
              .putShort((short) 8)
              .putLong(big)
              .putShort((short) 5) // isb_ifdrop
              .putShort((short) 8)
              .putLong(2)
              .putShort((short) 7) // isb_osdrop
              .putShort((short) 8)
              .putLong(1)
              .putShort((short) 8) // isb_usrdeliv
              .putShort((short) 8)
              .putLong(1)
              .putInt(0) // opt_endofopt
              .array());
      block(
          out,
          o,
          5,
          ByteBuffer.allocate(12 + 12 + 4)
              .order(o)
              .putInt(1)
              .putInt(0)
              .putInt(0)
              .putShort((short) 5)
              .putShort((short) 8)
              .putLong(9)
              .putShort((short) 8)
              .putShort((short) 200) // runs past the block: options end here
              .array());
      List<InterfaceStatistics> stats;
      try (CaptureReader r = CaptureReader.of(new ByteArrayInputStream(out.toByteArray()), "t")) {
        Frame f = new Frame();
        while (r.next(f)) {
          // read to the end: statistics come last
        }
        assertThat(r.problem()).isNull();
        stats = r.statistics();
      }
      assertThat(stats).hasSize(2);
      assertThat(stats.get(0)).isEqualTo(new InterfaceStatistics(0, big, 2, -1, 1, 1));
      assertThat(stats.get(0).dropped()).isEqualTo(3);
      assertThat(stats.get(1)).isEqualTo(new InterfaceStatistics(1, -1, 9, -1, -1, -1));
    }
  }

  /** A section header, a Decryption Secrets Block (pcapng 4.7) of {@code keys}, then a packet. */
  static byte[] pcapngWithSecrets(ByteOrder o, byte[] keys, int claimedLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    block(
        out,
        o,
        0x0a0d0d0a,
        ByteBuffer.allocate(16)
            .order(o)
            .putInt(0x1a2b3c4d)
            .putShort((short) 1)
            .putShort((short) 0)
            .putLong(-1)
            .array());
    int padded = (keys.length + 3) & ~3;
    block(
        out,
        o,
        10,
        ByteBuffer.allocate(8 + padded)
            .order(o)
            .putInt(DecryptionSecrets.TLS_KEY_LOG)
            .putInt(claimedLength)
            .put(keys)
            .array());
    block(
        out,
        o,
        1,
        ByteBuffer.allocate(8)
            .order(o)
            .putShort((short) 101)
            .putShort((short) 0)
            .putInt(0)
            .array());
    block(
        out,
        o,
        6,
        ByteBuffer.allocate(20 + 12)
            .order(o)
            .putInt(0)
            .putInt(0)
            .putInt(1)
            .putInt(10)
            .putInt(10)
            .put(PACKET)
            .put(new byte[2])
            .array());
    return out.toByteArray();
  }

  @Test
  void decryptionSecretsBlocksAreHandedOnBeforeTheFramesThatFollow() {
    byte[] keys =
        ("CLIENT_RANDOM " + "ab".repeat(32) + " " + "cd".repeat(48) + "\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      byte[] file = pcapngWithSecrets(o, keys, keys.length);
      List<String> events = new ArrayList<>();
      try (CaptureReader r = CaptureReader.of(new ByteArrayInputStream(file), "dsb")) {
        r.onSecrets(
            s -> {
              assertThat(s.tlsKeyLog()).isTrue();
              assertThat(s.data()).isEqualTo(keys);
              events.add("secrets");
            });
        Frame f = new Frame();
        while (r.next(f)) events.add("frame " + f.number);
        assertThat(r.problem()).isNull();
        assertThat(r.secrets()).hasSize(1);
      }
      assertThat(events).containsExactly("secrets", "frame 1");
    }
  }

  @Test
  void aSecretsBlockClaimingMoreThanItHoldsIsDamageNotAKeyLog() {
    byte[] keys = "CLIENT_RANDOM x y\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String[] p = new String[1];
    List<Frame> frames =
        readAll(pcapngWithSecrets(ByteOrder.LITTLE_ENDIAN, keys, keys.length + 100), p);
    assertThat(frames).isEmpty();
    assertThat(p[0]).contains("decryption secrets block").contains("stopped");
  }

  private static void block(ByteArrayOutputStream out, ByteOrder o, int type, byte[] body) {
    int len = 12 + body.length;
    out.writeBytes(ByteBuffer.allocate(8).order(o).putInt(type).putInt(len).array());
    out.writeBytes(body);
    out.writeBytes(ByteBuffer.allocate(4).order(o).putInt(len).array());
  }
}
