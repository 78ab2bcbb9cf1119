package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FirstChatCheck;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pcap.InterfaceStatistics;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * A pcapng carries its own record of how complete it is: the Interface Statistics Block lab capture
 * (like dumpcap) writes at the end, with the packets received, dropped and written. The checks read
 * it, so that a capture whose own statistics say packets were lost says so even without its {@code
 * .stats} file, and a file with packets added or removed after the capture is caught. The captures
 * are real: lab capture (libpcap) on lo, of alice's and bob's chats.
 */
class CaptureStatisticsTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  /** alice's work folder, exercise 2 captured as a pcapng (statistics block inside). */
  private static Path work;

  /** bob's chat, captured as a pcapng too: packets to splice in. */
  private static Path friendPcapng;

  @BeforeAll
  static void pcapngChats() throws IOException {
    StudentWork sw = StudentWork.get();
    work = StudentWork.copy(sw.mine, shared.resolve("alice"));
    Files.delete(work.resolve("captures/02.pcap"));
    Files.delete(work.resolve("captures/02.pcap.stats"));
    StudentWork.chat(
        work,
        "02.pcapng",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        StudentWork.NAME,
        List.of(StudentWork.CHAT_LINE, StudentWork.challengeLine(work)));
    Path bob = StudentWork.copy(sw.friend, shared.resolve("bob"));
    StudentWork.chat(
        bob,
        "02.pcapng",
        "02b.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        StudentWork.FRIEND,
        List.of("hello from bob"));
    friendPcapng = bob.resolve("captures/02.pcapng");
  }

  private Path mine() {
    return StudentWork.copy(work, dir.resolve("w"));
  }

  @Test
  void theReaderReturnsLabCapturesOwnStatistics() {
    Path pcapng = work.resolve("captures/02.pcapng");
    long count = 0;
    List<InterfaceStatistics> stats;
    try (CaptureReader r = CaptureReader.open(pcapng)) {
      Frame f = new Frame();
      while (r.next(f)) {
        count++;
      }
      stats = r.statistics();
    }
    long frames = count;
    assertThat(stats)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.interfaceId()).isZero();
              assertThat(s.delivered()).isEqualTo(frames);
              assertThat(s.interfaceDropped()).isZero();
              assertThat(s.received()).isGreaterThanOrEqualTo(frames);
            });
  }

  @Test
  void anHonestPcapngPassesAndItsCompletenessIsKnownFromTheFileItself() throws IOException {
    Path w = mine();
    // Even without its .stats file: the statistics block inside says nothing was lost.
    Files.delete(w.resolve("captures/02.pcapng.stats"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.notes()).noneMatch(n -> n.contains("completeness not known"));
    assertThat(r.notes()).noneMatch(n -> n.startsWith("WARNING"));
  }

  /**
   * The capture's own statistics say packets were dropped; the .stats file that would say so too is
   * not handed in (or says 0). The check still says so.
   */
  @Test
  void dropsRecordedInTheFileAreNotLostSilently() throws IOException {
    Path w = mine();
    Files.delete(w.resolve("captures/02.pcapng.stats"));
    Path pcapng = w.resolve("captures/02.pcapng");
    Files.write(pcapng, withIfdrop(Files.readAllBytes(pcapng), 7));
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.notes())
        .anyMatch(
            n ->
                n.startsWith("WARNING")
                    && n.contains("Interface Statistics Block")
                    && n.contains("7 packets were dropped"));
  }

  /** bob's packets spliced into alice's file: more packets than lab capture wrote. */
  @Test
  void packetsSplicedInAfterTheCaptureFail() throws IOException {
    Path w = mine();
    Path pcapng = w.resolve("captures/02.pcapng");
    byte[] spliced =
        splice(Files.readAllBytes(pcapng), packetBlocks(Files.readAllBytes(friendPcapng)));
    Files.write(pcapng, spliced);
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.passed()).isFalse();
    assertThat(failed(r, "02.pcap is the file as it was captured").hint())
        .contains("packets were added after the capture", "lab capture wrote");
    // The .stats file edited to count the spliced packets: the block inside still says.
    Path stats = w.resolve("captures/02.pcapng.stats");
    long frames = packetBlocks(spliced).size();
    Evidence.write(
        stats,
        Evidence.read(stats)
            .replaceAll("(?m)^written=\\d+$", "written=" + frames)
            .replaceAll("(?m)^received=\\d+$", "received=" + frames));
    Report edited = check(new FirstChatCheck(), w);
    assertThat(failed(edited, "02.pcap is the file as it was captured").hint())
        .contains("its own Interface Statistics Block says", "packets were added");
    // Without the .stats file the statistics block inside the file says the same.
    Files.delete(w.resolve("captures/02.pcapng.stats"));
    Report inside = check(new FirstChatCheck(), w);
    assertThat(failed(inside, "02.pcap is the file as it was captured").hint())
        .contains("its own Interface Statistics Block says", "packets were added");
  }

  /** Packets cut out of the file after the capture are packets lost, and the check says so. */
  @Test
  void packetsRemovedAfterTheCaptureAreLostPackets() throws IOException {
    Path w = mine();
    Files.delete(w.resolve("captures/02.pcapng.stats"));
    Path pcapng = w.resolve("captures/02.pcapng");
    List<byte[]> blocks = blocks(Files.readAllBytes(pcapng));
    // Drop the last packet block (the end of the TCP connection).
    int last = -1;
    for (int i = 0; i < blocks.size(); i++) {
      if (type(blocks.get(i)) == 6) {
        last = i;
      }
    }
    blocks.remove(last);
    Files.write(pcapng, join(blocks));
    Report r = check(new FirstChatCheck(), w);
    assertThat(r.notes())
        .anyMatch(n -> n.startsWith("WARNING") && n.contains("1 were removed from the file"));
  }

  // pcapng as lab capture writes it: little-endian blocks, type, total length, body, length.

  private static List<byte[]> blocks(byte[] file) {
    List<byte[]> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    for (int p = 0; p + 12 <= file.length; ) {
      int len = b.getInt(p + 4);
      out.add(java.util.Arrays.copyOfRange(file, p, p + len));
      p += len;
    }
    return out;
  }

  private static int type(byte[] block) {
    return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
  }

  private static byte[] join(List<byte[]> blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    blocks.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static List<byte[]> packetBlocks(byte[] file) {
    return blocks(file).stream().filter(isType(6)).toList();
  }

  private static Predicate<byte[]> isType(int t) {
    return b -> type(b) == t;
  }

  /** {@code extra} packet blocks inserted before the statistics block. */
  private static byte[] splice(byte[] file, List<byte[]> extra) {
    List<byte[]> blocks = new ArrayList<>(blocks(file));
    int isb = blocks.indexOf(blocks.stream().filter(isType(5)).findFirst().orElseThrow());
    blocks.addAll(isb, extra);
    return join(blocks);
  }

  /** The file with isb_ifdrop (option 5) of its statistics block set to {@code dropped}. */
  private static byte[] withIfdrop(byte[] file, long dropped) {
    List<byte[]> blocks = blocks(file);
    byte[] isb = blocks.stream().filter(isType(5)).findFirst().orElseThrow();
    ByteBuffer b = ByteBuffer.wrap(isb).order(ByteOrder.LITTLE_ENDIAN);
    boolean set = false;
    for (int o = 20; o + 4 <= isb.length - 4; ) {
      int code = b.getShort(o) & 0xffff;
      int len = b.getShort(o + 2) & 0xffff;
      if (code == 0) {
        break;
      }
      if (code == 5) {
        b.putLong(o + 4, dropped);
        set = true;
      }
      o += 4 + ((len + 3) & ~3);
    }
    assertThat(set).as("lab capture writes isb_ifdrop").isTrue();
    return join(blocks);
  }
}
