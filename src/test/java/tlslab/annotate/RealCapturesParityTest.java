package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Other people's traffic: every capture in {@code ../shared/captures/real} (relative to the
 * repository root; browsers, malware C2, STARTTLS, HTTP CONNECT, SSLv2-compatible hellos, TLS 1.3
 * drafts, Tor...) is annotated and compared with tshark 4.0, run here on the same file with its
 * default settings ({@code tshark -r F -T fields -e frame.number -e _ws.col.Protocol -e
 * _ws.col.Info}, plus the address fields {@link OtherRowsParityTest} reads from the same run; no
 * "decode as", so tshark's port associations and heuristics decide what is TLS).
 *
 * <p>Two claims, per capture: on every frame tshark labels TLS or SSL our Protocol and Info columns
 * are identical; and no frame tshark labels TCP (a retransmission of bytes already seen, a segment
 * of a PDU) is labelled TLS by us. The folder is not part of the project; when it is absent the
 * tests are skipped with a message saying so.
 */
@Tag("slow")
class RealCapturesParityTest {
  /** Captures tshark says are damaged (it stops at the damage, exit code 2). */
  private static final java.util.Set<Path> damaged =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static Path folder() {
    return Path.of(System.getProperty("lab.home", "."))
        .toAbsolutePath()
        .normalize()
        .resolve("../shared/captures/real")
        .normalize();
  }

  static Stream<Path> captures() throws IOException {
    Path dir = folder();
    if (!Files.isDirectory(dir)) {
      // A parameterized test with no arguments would pass silently: give one that is skipped
      // with the reason instead.
      return Stream.of(dir.resolve("(absent)"));
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s
          .filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng)"))
          .sorted()
          .toList()
          .stream();
    }
  }

  private static void assumeFolder() {
    Path dir = folder();
    if (!Files.isDirectory(dir)) {
      System.err.println("RealCapturesParityTest: " + dir + " is absent; real captures skipped");
    }
    Assumptions.assumeTrue(
        Files.isDirectory(dir),
        "the real-capture corpus "
            + dir
            + " is absent (it sits beside the repository as ../shared/captures/real); skipped");
  }

  @Test
  void theCorpusIsThere() throws IOException {
    assumeFolder();
    assertThat(captures().count()).as("captures in " + folder()).isGreaterThanOrEqualTo(52);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void labelsAreIdenticalToTsharkOnEveryTlsFrame(Path pcap) throws Exception {
    assumeFolder();
    List<String[]> expected = tshark(pcap);
    Map<Long, Row> ours = annotate(pcap);
    List<String> diffs = differences(expected, ours);
    long tls = expected.stream().filter(TsharkParityTest::isTls).count();
    System.out.println(
        "REAL-PARITY "
            + pcap.getFileName()
            + " tls="
            + tls
            + " differ="
            + diffs.size()
            + " "
            + diffs);
    assertThat(expected).as("tshark rows for " + pcap).isNotEmpty();
    assertThat(ours.size()).as("our rows for " + pcap).isEqualTo(expected.size());
    assertThat(diffs).as("differences from tshark in " + pcap.getFileName()).isEmpty();
  }

  /**
   * Frames tshark labels TLS/SSL whose columns differ from ours, and frames tshark labels TCP that
   * we label TLS (one line each).
   */
  static List<String> differences(List<String[]> expected, Map<Long, Row> ours) {
    List<String> diffs = new ArrayList<>(TsharkParityTest.tlsDifferences(expected, ours));
    for (String[] t : expected) {
      if (!t[1].equals("TCP")) continue;
      Row r = ours.get(Long.parseLong(t[0]));
      if (r != null && (r.tls || r.protocol.startsWith("TLS") || r.protocol.startsWith("SSL"))) {
        diffs.add(
            "frame "
                + t[0]
                + ": tshark labels TCP ["
                + t[2]
                + "] ours TLS ["
                + r.protocol
                + " | "
                + r.info
                + "]");
      }
    }
    return diffs;
  }

  static Map<Long, Row> annotate(Path pcap) {
    Map<Long, Row> rows = new HashMap<>();
    Annotator an = new Annotator(KeyMaterial.none(), true);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(pcap)) {
      an.follow(r);
      while (r.next(f)) {
        Row row = an.annotate(f);
        rows.put(row.number, row.copy());
      }
      if (damaged.contains(pcap)) {
        assertThat(r.problem()).as("the damage tshark reports in " + pcap).isNotNull();
      }
    }
    assertThat(an.problems()).as("internal problems annotating " + pcap).isEmpty();
    return rows;
  }

  /** One tshark run over a real capture: its rows (every column), exit code and standard error. */
  record TsharkRun(List<String[]> rows, int exit, String stderr) {}

  private static final Map<Path, CompletableFuture<TsharkRun>> RUNS = new ConcurrentHashMap<>();

  /**
   * tshark with its default settings on {@code pcap}, once per JVM: {@code -T fields -e
   * frame.number -e _ws.col.Protocol -e _ws.col.Info -e ip.src -e ipv6.src}. This class compares
   * the first three columns, {@link OtherRowsParityTest} all five; asking for the two address
   * fields leaves the columns as they are (tshark prints the same first three columns with and
   * without them on all 52 captures), so one run serves both classes.
   */
  static TsharkRun tsharkRun(Path capture) throws IOException, InterruptedException {
    Path pcap = capture.toAbsolutePath().normalize(); // one key whichever way it was named
    return LoopbackCaptures.once(
        RUNS,
        pcap,
        () -> {
          List<String> cmd =
              List.of(
                  "tshark",
                  "-r",
                  pcap.toString(),
                  "-T",
                  "fields",
                  "-e",
                  "frame.number",
                  "-e",
                  "_ws.col.Protocol",
                  "-e",
                  "_ws.col.Info",
                  "-e",
                  "ip.src",
                  "-e",
                  "ipv6.src");
          Path err = Files.createTempFile("tshark", ".err");
          Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
          List<String[]> rows = new ArrayList<>();
          try (BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) rows.add(line.split("\t", -1));
          }
          assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("tshark finished").isTrue();
          String stderr = Files.readString(err);
          Files.delete(err);
          return new TsharkRun(Collections.unmodifiableList(rows), p.exitValue(), stderr);
        });
  }

  /** Runs tshark on every real capture ahead, a few at a time (see {@link #tsharkRun}). */
  static void prepareTshark() throws IOException {
    if (!Files.isDirectory(folder())) return;
    LoopbackCaptures.prepare(
        captures().map(f -> (LoopbackCaptures.Make<?>) () -> tsharkRun(f)).toList());
  }

  @BeforeAll
  static void prepare() throws IOException {
    prepareTshark();
  }

  /** tshark's columns with its default settings: frame number, Protocol, Info. */
  static List<String[]> tshark(Path pcap) throws IOException, InterruptedException {
    TsharkRun run = tsharkRun(pcap);
    List<String[]> rows =
        run.rows().stream().filter(f -> f.length >= 3).map(f -> Arrays.copyOf(f, 3)).toList();
    if (run.exit() == 2 && run.stderr().contains("appears to be damaged or corrupt")) {
      // tshark prints the frames before the damage, then exits 2: so must we (see annotate()).
      damaged.add(pcap);
    } else {
      assertThat(run.exit()).as("tshark exit code on " + pcap + ": " + run.stderr()).isZero();
    }
    return rows;
  }
}
