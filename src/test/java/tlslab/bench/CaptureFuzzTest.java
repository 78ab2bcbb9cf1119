package tlslab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;

/**
 * The fuzz harness in the test suite, bounded and deterministic: a sweep of every length field
 * (every lie: 0, the largest value, 2^31 - 1, the sign bit, one more) and a cut inside every header
 * of two of the lab's own captures (TLS 1.2, and TLS 1.3 with a Hello Retry Request), as pcap and
 * as pcapng with a key log stored inside, then a few hundred random mutants from a fixed seed.
 * Every case must end as ok, warned or bad input: no exception, no internal error, no hang, no
 * memory blow-up, no silent loss. The longer run is {@code lab bench fuzz}.
 */
class CaptureFuzzTest {
  private static final Path CAPTURES = Path.of("src/test/resources/captures");

  /** A key log line for the pcapng seeds' Decryption Secrets Block (no session uses it). */
  private static final String KEYS = "CLIENT_RANDOM " + "ab".repeat(32) + " " + "cd".repeat(48);

  static List<FuzzBench.Seed> seeds() throws IOException {
    List<FuzzBench.Seed> seeds = new ArrayList<>();
    for (String name : List.of("tls12-ecdhe-gcm.pcap", "tls13-hello-retry-request.pcap")) {
      byte[] pcap = Files.readAllBytes(CAPTURES.resolve(name));
      seeds.add(new FuzzBench.Seed(name, pcap, null));
      seeds.add(new FuzzBench.Seed(name + "ng", FuzzBench.toPcapng(pcap, KEYS + "\n"), null));
    }
    return seeds;
  }

  @Test
  void everyLyingLengthAndEveryCutHeaderEndsCleanly() throws IOException {
    List<String> defects = new ArrayList<>();
    Map<CaptureFuzzer.Outcome, Integer> outcomes = new EnumMap<>(CaptureFuzzer.Outcome.class);
    Map<String, String> baseline = new HashMap<>();
    int cases = 0;
    try (CaptureFuzzer fuzzer = new CaptureFuzzer(20_000)) {
      for (FuzzBench.Seed seed : seeds()) {
        // The first 2 KB: the handshakes (TLS record, handshake and hello fields included).
        for (CaptureMutator.Mutant m : CaptureMutator.sweep(seed.name(), seed.bytes(), 2000)) {
          CaptureFuzzer.Verdict v =
              FuzzBench.judge(fuzzer, seed, m, KeyMaterial::none, OutputFormat.TABLE, baseline);
          cases++;
          outcomes.merge(v.outcome(), 1, Integer::sum);
          if (v.outcome().defect())
            defects.add(seed.name() + ": " + m.detail() + ": " + v.outcome() + " " + v.detail());
        }
      }
    }
    System.out.println("FUZZ sweep: " + cases + " mutants, outcomes " + outcomes);
    assertThat(cases).as("mutants in the sweep").isGreaterThan(1000);
    assertThat(defects).as("defects").isEmpty();
    // The sweep reaches the reader's damage paths and also leaves files that still annotate.
    assertThat(outcomes.getOrDefault(CaptureFuzzer.Outcome.WARNED, 0)).isGreaterThan(200);
    assertThat(outcomes.getOrDefault(CaptureFuzzer.Outcome.OK, 0)).isGreaterThan(200);
  }

  @Test
  void randomMutantsFromAFixedSeedEndCleanly() throws IOException {
    StringWriter sw = new StringWriter();
    FuzzBench.Result r =
        FuzzBench.fuzz(seeds(), 600, 400, 20261202L, 20_000, 0, null, new PrintWriter(sw));
    System.out.println(sw);
    assertThat(r.cases()).isEqualTo(400);
    assertThat(r.defects()).as("defects").isEmpty();
    assertThat(r.defectCount()).isZero();
    assertThat(sw.toString()).contains("cases/s").contains("lying_length").contains("truncate");
  }

  /** The harness itself: an exception, an endless loop and a lying "complete" are each caught. */
  @Test
  void theHarnessSeesEachKindOfDefect() throws IOException {
    byte[] pcap = seeds().get(0).bytes();
    try (CaptureFuzzer fuzzer = new CaptureFuzzer(1_000)) {
      CaptureFuzzer.Verdict crash =
          fuzzer.run(
              pcap,
              () -> {
                throw new IllegalStateException("a bug in a reader");
              },
              OutputFormat.TABLE);
      assertThat(crash.outcome()).isEqualTo(CaptureFuzzer.Outcome.CRASH);
      assertThat(crash.detail()).contains("a bug in a reader");
      CaptureFuzzer.Verdict hang =
          fuzzer.run(
              pcap,
              () -> {
                while (!Thread.currentThread().isInterrupted()) Thread.onSpinWait();
                return KeyMaterial.none();
              },
              OutputFormat.TABLE);
      assertThat(hang.outcome()).isEqualTo(CaptureFuzzer.Outcome.HANG);
      CaptureFuzzer.Verdict ok = fuzzer.run(pcap, KeyMaterial::none, OutputFormat.TABLE);
      assertThat(ok.outcome()).isEqualTo(CaptureFuzzer.Outcome.OK);
      assertThat(ok.frames()).isGreaterThan(10);
    }
    // Table rows that change with nothing said are silent loss; a flagged change is not.
    String seed = "    4    0.000277  10.0.0.1 -> 10.0.0.2   TLSv1.2  202  Client Hello\n";
    String quiet =
        "    4    0.000277  10.0.0.1 -> 10.0.0.2   TCP      202  [TCP segment of a"
            + " reassembled PDU]\n";
    assertThat(CaptureFuzzer.changedRow(seed, quiet)).contains("Client Hello");
    assertThat(CaptureFuzzer.flagged(quiet)).isFalse();
    assertThat(CaptureFuzzer.flagged(quiet + "   problem: frame 4: the capture ends inside"))
        .isTrue();
  }
}
