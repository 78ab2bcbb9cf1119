package tlslab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tlslab.common.LabException;
import tlslab.tls.TlsContexts;

/**
 * {@code lab bench chat} end to end, with small loads: the report-style seed server beside the same
 * seed run under a shell script that does not {@code exec} it, as a user's {@code --server
 * NAME=COMMAND} may well be. The figures of a server are those of its whole process tree, the bench
 * stops the whole tree, and a server whose CPU cannot be seen gets an error, not an infinite figure
 * and a goal "met".
 */
class ChatBenchTest {
  private Path dir;

  @BeforeEach
  void scratch() throws Exception {
    dir = Files.createTempDirectory("chat-bench-test");
    ChatBench.copyResource("seed_chat_server.py", dir.resolve("seed.py"));
  }

  @AfterEach
  void cleanUp() {
    // Whatever a failed test left running from this folder.
    ProcessHandle.allProcesses().filter(this::runsFromScratch).forEach(ProcessHandle::destroy);
    ChatBench.deleteTree(dir);
  }

  @Test
  void aServerUnderAWrapperScriptIsMeasuredWholeAndStoppedWhole() throws Exception {
    // The wrapper forks the seed and waits for it: its own process does next to nothing.
    Path wrapper =
        script("wrap.sh", "python3 " + dir.resolve("seed.py") + " \"$1\" \"$2\"\nexit $?\n");
    ChatBench.Result r =
        ChatBench.measure(
            new ChatBench.Options(
                List.of("seed", "wrapped=sh " + wrapper + " {port} {cert}"),
                0,
                2,
                1,
                20,
                20,
                4,
                64),
            port -> {});

    assertThat(r.intact()).as(r.text()).isTrue();
    assertThat(r.text()).contains("every run: 0 lost, 0 duplicated, 0 reordered");
    long[] delivered =
        Arrays.stream(row(r.text(), "deliveries")).mapToLong(ChatBenchTest::count).toArray();
    assertThat(delivered).as(r.text()).containsOnly(20L * 20 * 19);
    double[] cpu =
        Arrays.stream(row(r.text(), "server CPU s")).mapToDouble(Double::parseDouble).toArray();
    assertThat(cpu).as("seed cold, seed warm, wrapped cold, wrapped warm: %s", r.text()).hasSize(4);
    for (double c : cpu) {
      assertThat(c).as(r.text()).isGreaterThan(0.0);
    }
    double[] perCpu =
        Arrays.stream(row(r.text(), "deliveries/CPU-s")).mapToDouble(s -> count(s)).toArray();
    // The same program, so about the same figure: had the bench read only the wrapper's process,
    // the wrapped server's CPU would be nil and its figure unbounded.
    for (int phase = 0; phase < 2; phase++) {
      assertThat(perCpu[2 + phase] / perCpu[phase])
          .as("wrapped / seed, phase %d: %s", phase, r.text())
          .isBetween(1 / 3.0, 3.0);
    }
    assertThat(r.text())
        .containsPattern("goal wrapped: >= 1\\.5x seed: cold [0-9.]+x, warm [0-9.]+x");
    assertThat(stillRunning(5)).as("the wrapped seed outlived the bench").isEmpty();
  }

  @Test
  void slowDeliveriesAreCountedByTheSecondTheyWereSent() {
    ChatBench.Run r = new ChatBench.Run(7, 3, 10);
    long now = System.nanoTime();
    r.start = now - 4_000_000_000L;
    assertThat(r.slowBySecond()).isEqualTo("none");
    // Sent 2.5 s into the run and received now: 1.5 s late, so slow, in second 2.
    r.received(0, "<b1> 7 0 " + (r.start + 2_500_000_000L) + " payload");
    // Sent just now: fast, not counted.
    r.received(0, "<b2> 7 0 " + System.nanoTime() + " payload");
    // Sent 0.2 s into the run, received by another member: slow, in second 0.
    r.received(1, "<b0> 7 0 " + (r.start + 200_000_000L) + " payload");
    // A line of another run is not this run's delivery.
    r.received(2, "<b0> 6 0 " + r.start + " payload");
    assertThat(r.slowBySecond()).isEqualTo("0: 1, 2: 1 (2 of 3, 66.67%)");
  }

  @Test
  void aServerWhoseCpuCannotBeSeenIsAnErrorNotAFigure() throws Exception {
    // The subshell forks the seed and exits, so the seed is no longer a descendant of the process
    // the bench started (it was handed to init, as a daemon is).
    Path escaper =
        script(
            "escape.sh",
            "(python3 " + dir.resolve("seed.py") + " \"$1\" \"$2\" &)\nexec sleep 600\n");
    Path certs = ChatBench.tempCerts(); // RSA: the seed offers ECDHE-RSA suites only
    SSLContext ctx = TlsContexts.client(certs.resolve("ca.pem"), null, false);
    try (ServerProcess escaped =
        ServerProcess.start(
            new ServerProcess.Spec(
                "escaped", List.of("sh", escaper.toString(), "{port}", "{cert}")),
            certs,
            ctx)) {
      double before = escaped.processCpuSeconds();
      for (int i = 0; i < 30; i++) {
        handshake(escaped.port, ctx); // work for the seed, outside the measured tree
      }
      assertThatThrownBy(() -> escaped.cpuSince(before, 30))
          .isInstanceOfSatisfying(
              LabException.class,
              e -> assertThat(e.kind()).isEqualTo(LabException.Kind.ENVIRONMENT))
          .hasMessageStartingWith("escaped delivered 30 lines on no measurable CPU");
    } finally {
      ChatBench.deleteTree(certs);
    }
  }

  private static void handshake(int port, SSLContext ctx) throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
    }
  }

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, body);
    return p;
  }

  private boolean runsFromScratch(ProcessHandle h) {
    return h.info()
        .arguments()
        .map(a -> String.join(" ", a).contains(dir.toString()))
        .orElse(false);
  }

  /** The processes still running from the scratch folder once they have had {@code s} seconds. */
  private List<ProcessHandle> stillRunning(int s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s);
    List<ProcessHandle> left = new ArrayList<>();
    do {
      left.clear();
      ProcessHandle.allProcesses().filter(this::runsFromScratch).forEach(left::add);
      if (left.isEmpty()) {
        return left;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return left;
  }

  /** The cells of the first table row whose label is {@code label}. */
  private static String[] row(String report, String label) {
    for (String line : report.split("\n")) {
      String t = line.trim();
      if (t.startsWith(label + "  ")) {
        return t.substring(label.length()).trim().split("\\s+");
      }
    }
    throw new AssertionError("no row " + label + " in:\n" + report);
  }

  private static long count(String cell) {
    return Long.parseLong(cell.replace(",", ""));
  }
}
