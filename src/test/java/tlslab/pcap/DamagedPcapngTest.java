package tlslab.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Damage the fuzzer ({@code lab bench fuzz}) found in pcapng files, each rebuilt here from one of
 * the lab's own captures: the reader stops at the damage with a one-line problem and delivers every
 * frame before it, never an exception, an allocation of gigabytes, or frames that silently vanish.
 */
class DamagedPcapngTest {
  /** tls12-ecdhe-gcm.pcap (21 frames) as pcapng, with a key log line in a secrets block. */
  static byte[] pcapng() throws IOException {
    byte[] pcap = Files.readAllBytes(Path.of("src/test/resources/captures/tls12-ecdhe-gcm.pcap"));
    ByteBuffer in = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CaptureWriter w =
        CaptureWriter.open(out, CaptureWriter.Format.PCAPNG, in.getInt(20), 262144, "lo")) {
      w.secrets("CLIENT_RANDOM " + "ab".repeat(32) + " " + "cd".repeat(48) + "\n");
      for (int o = 24; o + 16 <= pcap.length; ) {
        long micros = in.getInt(o) * 1_000_000L + in.getInt(o + 4);
        int cap = in.getInt(o + 8);
        byte[] data = java.util.Arrays.copyOfRange(pcap, o + 16, o + 16 + cap);
        w.frame(micros, data, cap, in.getInt(o + 12));
        o += 16 + cap;
      }
    }
    return out.toByteArray();
  }

  /** Offsets of the pcapng blocks, in order (section header first). */
  static List<Integer> blocks(byte[] ng) {
    ByteBuffer b = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> at = new ArrayList<>();
    for (int o = 0; o + 12 <= ng.length; o += b.getInt(o + 4)) at.add(o);
    return at;
  }

  /** The offset of the {@code n}-th Enhanced Packet Block (1-based). */
  static int packetBlock(byte[] ng, int n) {
    ByteBuffer b = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN);
    int seen = 0;
    for (int o : blocks(ng)) if (b.getInt(o) == 6 && ++seen == n) return o;
    throw new AssertionError("no packet block " + n);
  }

  static String[] read(byte[] file, List<Frame> frames) {
    String[] problem = new String[1];
    try (CaptureReader r = CaptureReader.of(new ByteArrayInputStream(file), "damaged")) {
      Frame f = new Frame();
      while (r.next(f)) {
        assertThat((long) f.offset + f.capturedLength).isLessThanOrEqualTo(f.data.length);
        frames.add(f.copy());
      }
      problem[0] = r.problem();
    }
    return problem;
  }

  @Test
  void theSeedReadsCleanly() throws IOException {
    List<Frame> frames = new ArrayList<>();
    assertThat(read(pcapng(), frames)[0]).isNull();
    assertThat(frames).hasSize(21);
  }

  /** A captured length of 2^31 - 1 overflowed "offset + length" and passed the bounds check. */
  @Test
  void aCapturedLengthNearTwoGigabytesIsDamageNotAFrame() throws IOException {
    byte[] ng = pcapng();
    ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN).putInt(packetBlock(ng, 3) + 20, 0x7fffffff);
    List<Frame> frames = new ArrayList<>();
    String problem = read(ng, frames)[0];
    assertThat(frames).hasSize(2);
    assertThat(problem)
        .isEqualTo("packet block 3 claims 2147483647 bytes in a 100-byte block; stopped");
  }

  @Test
  void aSecretsBlockClaimingNearlyTwoGigabytesIsDamage() throws IOException {
    byte[] ng = pcapng();
    ByteBuffer b = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN);
    int dsb = blocks(ng).stream().filter(o -> b.getInt(o) == 10).findFirst().orElseThrow();
    b.putInt(dsb + 12, 0x7fffffff);
    List<Frame> frames = new ArrayList<>();
    assertThat(read(ng, frames)[0])
        .startsWith("decryption secrets block after frame 0 claims 2147483647 bytes");
    assertThat(frames).isEmpty();
  }

  /** Frames of an interface the file never describes were read as Ethernet, without a word. */
  @Test
  void aPacketOfAnInterfaceTheSectionLacksStops() throws IOException {
    byte[] ng = pcapng();
    ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN).putInt(packetBlock(ng, 5) + 8, 4194304);
    List<Frame> frames = new ArrayList<>();
    assertThat(read(ng, frames)[0])
        .isEqualTo(
            "packet block 5 names interface 4194304, but the section describes only interface 0;"
                + " stopped");
    assertThat(frames).hasSize(4);
  }

  /**
   * A leading length that lies by exactly the next block's size swallowed that packet silently; the
   * length repeated at the block's end shows the lie (Wireshark checks it too).
   */
  @Test
  void aBlockLengthThatSwallowsTheNextPacketIsCaught() throws IOException {
    byte[] ng = pcapng();
    ByteBuffer b = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN);
    int seventh = packetBlock(ng, 7);
    int eighth = packetBlock(ng, 8);
    int seventhLength = b.getInt(seventh + 4);
    int eighthLength = b.getInt(eighth + 4);
    b.putInt(seventh + 4, seventhLength + eighthLength);
    List<Frame> frames = new ArrayList<>();
    String problem = read(ng, frames)[0];
    assertThat(frames).hasSize(6);
    assertThat(problem)
        .isEqualTo(
            "pcapng block after frame 6 says "
                + (seventhLength + eighthLength)
                + " bytes at its start and "
                + eighthLength
                + " at its end; stopped");
  }

  /** An option longer than its block: Wireshark calls the file damaged and so does the lab. */
  @Test
  void anOptionLongerThanItsBlockStops() throws IOException {
    byte[] ng = pcapng();
    ByteBuffer b = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN);
    int idb = blocks(ng).stream().filter(o -> b.getInt(o) == 1).findFirst().orElseThrow();
    // The interface's first option (if_name "lo", CaptureWriter writes it) claims 44528 bytes.
    assertThat(b.getShort(idb + 16)).isEqualTo((short) 2);
    b.putShort(idb + 18, (short) 44528);
    List<Frame> frames = new ArrayList<>();
    assertThat(read(ng, frames)[0])
        .isEqualTo("pcapng block after frame 0 has an option longer than the block; stopped");
    assertThat(frames).isEmpty();
  }
}
