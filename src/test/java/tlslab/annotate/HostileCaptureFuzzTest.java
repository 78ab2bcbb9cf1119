package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.common.LabException;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Mutation fuzzing: truncated files, flipped bytes, bogus pcap and TLS length fields. Whatever the
 * damage, annotation must finish quickly, never throw anything but the one documented "not a
 * capture" error, and never hit an internal error (which the annotator would flag).
 */
@Tag("slow")
class HostileCaptureFuzzTest {

  @Test
  void mutatedCapturesNeverCrashOrHang() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    for (LoopbackCaptures.Capture c :
        List.of(
            Scenarios.tls12Gcm(),
            Scenarios.tls13(),
            Scenarios.tls12Rsa(),
            Scenarios.split("tls12-split7", Scenarios.tls12Gcm(), 7),
            Scenarios.tls13Hrr(),
            LoopbackCaptures.editcap("tls12-pcapng", Scenarios.resumed(), "pcapng"),
            LoopbackCaptures.injectSecrets("tls13-secrets", Scenarios.tls13()))) {
      seeds.add(Files.readAllBytes(c.file()));
    }
    KeyMaterial keys =
        KeyMaterial.none()
            .withKeyLog(Scenarios.tls13().keylog())
            .withRsaKey(Scenarios.tls12Rsa().serverKey());
    // Half the mutants get no keys but may carry some in a (mutated) Decryption Secrets Block.
    Random rnd = new Random(20261125L);
    List<String> failures = new ArrayList<>();
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          for (int i = 0; i < 3000; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] m = mutate(seed, rnd, i);
            String err = annotate(m, i % 2 == 0 ? keys : KeyMaterial.none());
            if (err != null) failures.add("mutant " + i + ": " + err);
          }
        });
    System.out.println(
        "FUZZ 3000 mutants: "
            + framesSeen
            + " frames annotated, "
            + problemsSeen
            + " internal problems (decoder or dissector exceptions), "
            + failures.size()
            + " mutants failed");
    assertThat(framesSeen).as("frames the mutants still held").isGreaterThan(10_000);
    assertThat(problemsSeen).as("internal problems: " + failures).isZero();
    assertThat(failures).isEmpty();
  }

  private long framesSeen;
  private long problemsSeen;

  @Test
  void garbageIsNotACaptureAndSaysSo() {
    byte[] junk = "this is not a capture file at all".getBytes();
    LabException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            LabException.class, () -> CaptureReader.of(new ByteArrayInputStream(junk), "junk"));
    assertThat(e.kind()).isEqualTo(LabException.Kind.BAD_INPUT);
    assertThat(e.getMessage()).contains("not a pcap or pcapng capture");
  }

  /** Returns null if fine, else what went wrong. */
  private String annotate(byte[] file, KeyMaterial keys) {
    Annotator an = new Annotator(keys, true);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.of(new ByteArrayInputStream(file), "mutant")) {
      an.follow(r); // mutated Decryption Secrets Blocks too
      long n = 0;
      while (r.next(f)) {
        an.annotate(f);
        if (++n > 1_000_000) return "too many frames: reader loops";
      }
      StringWriter sw = new StringWriter();
      an.summaries().forEach(s -> sw.append(s.toString()));
      new PrintWriter(sw).flush();
    } catch (LabException e) {
      if (e.kind() != LabException.Kind.BAD_INPUT) return "unexpected " + e;
    } catch (RuntimeException e) {
      return e.toString();
    }
    framesSeen += an.frameCount();
    problemsSeen += an.problems().size();
    return an.problems().isEmpty() ? null : an.problems().toString();
  }

  private static byte[] mutate(byte[] seed, Random rnd, int i) {
    byte[] m = seed.clone();
    switch (i % 6) {
      case 0 -> {
        return java.util.Arrays.copyOf(m, 24 + rnd.nextInt(m.length - 24)); // truncation
      }
      case 1 -> {
        for (int k = 0; k < 1 + rnd.nextInt(20); k++)
          m[24 + rnd.nextInt(m.length - 24)] ^= (byte) (1 + rnd.nextInt(255));
      }
      case 2 -> {
        // Bogus TLS lengths: overwrite bytes after a likely record header (0x16/0x17 0x03 0x0X).
        for (int k = 24; k + 5 < m.length; k++) {
          if ((m[k] == 0x16 || m[k] == 0x17 || m[k] == 0x15)
              && m[k + 1] == 3
              && rnd.nextInt(3) == 0) {
            m[k + 3] = (byte) rnd.nextInt(256);
            m[k + 4] = (byte) rnd.nextInt(256);
            if (k + 8 < m.length && rnd.nextBoolean())
              m[k + 6] = (byte) rnd.nextInt(256); // handshake length
          }
        }
      }
      case 3 -> {
        // Bogus pcap record lengths.
        int pos = 24;
        while (pos + 16 < m.length) {
          int incl =
              (m[pos + 8] & 0xff)
                  | (m[pos + 9] & 0xff) << 8
                  | (m[pos + 10] & 0xff) << 16
                  | (m[pos + 11] & 0xff) << 24;
          if (rnd.nextInt(8) == 0) {
            int bogus = rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(70000);
            m[pos + 8] = (byte) bogus;
            m[pos + 9] = (byte) (bogus >> 8);
            m[pos + 10] = (byte) (bogus >> 16);
            m[pos + 11] = (byte) (bogus >> 24);
            break;
          }
          if (rnd.nextInt(8) == 0) { // orig_len smaller/larger: fake snaplen cut
            m[pos + 12] = (byte) rnd.nextInt(256);
          }
          pos += 16 + incl;
        }
      }
      case 4 -> {
        // Random link type / header damage.
        m[20] = (byte) new int[] {1, 113, 276, 101, 228, 229, 0, 12, 99}[rnd.nextInt(9)];
      }
      default -> {
        // Shuffle bytes of a random region (IP/TCP headers included).
        int a = 24 + rnd.nextInt(m.length - 24);
        int len = Math.min(m.length - a, 1 + rnd.nextInt(64));
        for (int k = 0; k < len; k++) m[a + k] = (byte) rnd.nextInt(256);
      }
    }
    return m;
  }
}
