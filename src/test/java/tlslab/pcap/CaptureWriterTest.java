package tlslab.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written pcap and pcapng writer: files that the lab's reader and Wireshark's own tools
 * (capinfos, tshark) read back frame for frame, with the secrets and statistics blocks where the
 * pcapng draft puts them.
 */
class CaptureWriterTest {
  @TempDir Path dir;

  /** Three raw-IPv4 (link type 101) frames of odd lengths, to exercise pcapng's 32-bit padding. */
  private static List<byte[]> frames() {
    List<byte[]> f = new ArrayList<>();
    for (int len : new int[] {41, 60, 1501}) {
      byte[] p = new byte[len];
      p[0] = 0x45;
      p[2] = (byte) (len >> 8);
      p[3] = (byte) len;
      p[8] = 64;
      p[9] = (byte) 253; // experimental protocol: no dissector complains about the payload
      p[12] = 10;
      p[15] = 1;
      p[16] = 10;
      p[19] = 2;
      for (int i = 20; i < len; i++) p[i] = (byte) i;
      f.add(p);
    }
    return f;
  }

  private Path write(CaptureWriter.Format format, String name, boolean blocks) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file);
        CaptureWriter w = CaptureWriter.open(out, format, 101, 262144, "lo")) {
      if (blocks) w.secrets("CLIENT_RANDOM " + "ab".repeat(32) + " " + "cd".repeat(48) + "\n");
      long t = 1_700_000_000_123_456L;
      for (byte[] f : frames())
        w.frame(t += 1000, f, f.length, f.length + (f.length == 60 ? 4 : 0));
      if (blocks) {
        w.statistics(
            new CaptureWriter.Statistics(1_700_000_000_000_000L, t, 5, 2, 3),
            "3 captured, 2 dropped by the kernel, 0 by the lab");
      }
      assertThat(w.frames()).isEqualTo(3);
    }
    return file;
  }

  @Test
  void pcapAndPcapngReadBackFrameForFrame() throws Exception {
    for (CaptureWriter.Format format : CaptureWriter.Format.values()) {
      Path file =
          write(format, "f." + format.name().toLowerCase(), format == CaptureWriter.Format.PCAPNG);
      List<byte[]> want = frames();
      try (CaptureReader r = CaptureReader.open(file)) {
        assertThat(r.format()).isEqualTo(format.name().toLowerCase());
        Frame f = new Frame();
        long t = 1_700_000_000_123_456L;
        for (byte[] w : want) {
          assertThat(r.next(f)).isTrue();
          assertThat(java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength))
              .isEqualTo(w);
          assertThat(f.linkType).isEqualTo(101);
          assertThat(f.timeNanos).isEqualTo((t += 1000) * 1000);
          assertThat(f.wireLength).isEqualTo(w.length + (w.length == 60 ? 4 : 0));
        }
        assertThat(r.next(f)).isFalse();
        assertThat(r.problem()).isNull();
      }
    }
  }

  @Test
  void wiresharkToolsReadTheFilesAndSeeTheSecretsAndStatistics() throws Exception {
    Path ng = write(CaptureWriter.Format.PCAPNG, "w.pcapng", true);
    String info = run("capinfos", ng.toString());
    assertThat(info)
        .contains("pcapng")
        .containsPattern("Number of packets:\\s+3")
        .contains("Number of decryption secrets in file: 1")
        .contains("Number of stat entries = 1")
        .contains("Capture application: TLS Lab");
    String frames = run("tshark", "-r", ng.toString(), "-T", "fields", "-e", "frame.len");
    assertThat(frames.lines().toList()).containsExactly("41", "64", "1501");
    Path pcap = write(CaptureWriter.Format.PCAP, "w.pcap", false);
    assertThat(run("capinfos", pcap.toString()))
        .containsPattern("File type:\\s+Wireshark/tcpdump/... - pcap")
        .containsPattern("Number of packets:\\s+3");
  }

  @Test
  void statisticsBlockCarriesTheCountsWhereThePcapngDraftPutsThem() throws Exception {
    Path ng = write(CaptureWriter.Format.PCAPNG, "s.pcapng", true);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(ng)).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> types = new ArrayList<>();
    int isb = -1;
    while (b.remaining() >= 12) {
      int at = b.position();
      int type = b.getInt(at);
      int len = b.getInt(at + 4);
      assertThat(b.getInt(at + len - 4)).as("trailing length of block " + type).isEqualTo(len);
      types.add(type);
      if (type == 5) isb = at;
      b.position(at + len);
    }
    // Section header, interface, secrets before the packets, three packets, statistics last.
    assertThat(types).containsExactly(0x0a0d0d0a, 1, 0x0a, 6, 6, 6, 5);
    long[] options = new long[9];
    int o = isb + 20;
    while (true) {
      int code = b.getShort(o) & 0xffff;
      int len = b.getShort(o + 2) & 0xffff;
      if (code == 0) break;
      if (len == 8) options[code] = b.getLong(o + 4);
      o += 4 + ((len + 3) & ~3);
    }
    assertThat(options[4]).as("isb_ifrecv").isEqualTo(5);
    assertThat(options[5]).as("isb_ifdrop").isEqualTo(2);
    assertThat(options[8]).as("isb_usrdeliv").isEqualTo(3);
    String text = new String(Files.readAllBytes(ng), StandardCharsets.US_ASCII);
    assertThat(text).contains("CLIENT_RANDOM " + "ab".repeat(32));
  }

  @Test
  void secretsAndStatisticsNeedPcapng() throws Exception {
    try (CaptureWriter w =
        CaptureWriter.open(
            new ByteArrayOutputStream(), CaptureWriter.Format.PCAP, 1, 65535, null)) {
      assertThatThrownBy(() -> w.secrets("x")).isInstanceOf(IllegalStateException.class);
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + err).isZero();
    return out;
  }
}
