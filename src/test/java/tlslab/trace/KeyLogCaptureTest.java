package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * End to end, with software nobody here wrote as the judge: tcpdump records a session on loopback,
 * and tshark decrypts it with the key log the lab wrote and finds the line that was sent — for a
 * full and a resumed handshake, TLS 1.2 and TLS 1.3, on the running JDK. Without the key log the
 * line must not be found (the capture really is encrypted).
 */
@Tag("jdk")
class KeyLogCaptureTest {
  private static final String LINE = "the quick brown fox jumps over the lazy dog 4711";
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  @ParameterizedTest
  @EnumSource(names = {"MODERN", "TLS13"})
  void tsharkDecryptsTheCaptureWithTheKeyLog(TlsProfile profile, @TempDir Path tmp)
      throws Exception {
    Path pcap = tmp.resolve("session.pcap");
    Path keyLog = tmp.resolve("keys.log");
    Capture[] capture = new Capture[1];
    TraceRun.Result r =
        TraceRun.run(
            new TraceRun.Options(
                profile,
                ClientAuth.NONE,
                true,
                certs,
                keyLog,
                LINE,
                port -> capture[0] = Capture.start(port, pcap, tmp)),
            null);
    capture[0].stop(2); // TraceRun connects twice

    List<String> keys = Files.readAllLines(keyLog);
    if (profile == TlsProfile.TLS13) {
      assertThat(keys).hasSize(8);
      assertThat(keys.subList(0, 4))
          .extracting(l -> l.split(" ")[0])
          .containsExactly(
              "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
              "SERVER_HANDSHAKE_TRAFFIC_SECRET",
              "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0");
    } else {
      assertThat(keys)
          .hasSize(2)
          .allMatch(l -> l.matches("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}"));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyLog)))
        .isEqualTo("rw-------");

    // The client randoms in the key log are those of the Client Hellos in the capture.
    List<String> wireRandoms =
        tshark(
            pcap,
            null,
            r,
            "-Y",
            "tls.handshake.type == 1",
            "-T",
            "fields",
            "-e",
            "tls.handshake.random");
    assertThat(wireRandoms.stream().map(String::strip).filter(s -> !s.isEmpty()))
        .containsExactlyElementsOf(keys.stream().map(l -> l.split(" ")[1]).distinct().toList());

    for (int stream = 0; stream < 2; stream++) {
      String follow =
          String.join("\n", tshark(pcap, keyLog, r, "-q", "-z", "follow,tls,ascii," + stream));
      assertThat(follow).as("decrypted stream %d", stream).contains(LINE).contains("echo: " + LINE);
      String withoutKeys =
          String.join("\n", tshark(pcap, null, r, "-q", "-z", "follow,tls,ascii," + stream));
      assertThat(withoutKeys).doesNotContain(LINE);
    }
  }

  /**
   * A Hello Retry Request forced on a real JSSE server ({@code --hello-retry}), with client
   * certificates and resumption: tshark (the oracle) sees on the wire as many Hello Retry Requests,
   * for the same group, and as many Client Hellos as the trace shows being sent and received, and
   * the key log still decrypts both connections.
   */
  @org.junit.jupiter.api.Test
  void helloRetryRequestsInTheTraceAreThoseOnTheWire(@TempDir Path tmp) throws Exception {
    Path pcap = tmp.resolve("hrr.pcap");
    Path keyLog = tmp.resolve("keys.log");
    Capture[] capture = new Capture[1];
    TraceRun.Result r =
        TraceRun.run(
            new TraceRun.Options(
                TlsProfile.TLS13,
                ClientAuth.NEED,
                true,
                certs,
                keyLog,
                LINE,
                port -> capture[0] = Capture.start(port, pcap, tmp),
                0,
                true),
            null);
    capture[0].stop(2); // two connections: the full handshake and the resumed one

    // tshark: Info and key_share selected group of every Server Hello / Hello Retry Request.
    List<String> serverHellos =
        tshark(
            pcap,
            keyLog,
            r,
            "-Y",
            "tls.handshake.type == 2",
            "-T",
            "fields",
            "-e",
            "_ws.col.Info",
            "-e",
            "tls.handshake.extensions_key_share_selected_group");
    List<String> wireRetries =
        serverHellos.stream().filter(l -> l.startsWith("Hello Retry Request")).toList();
    assertThat(wireRetries).hasSize(2).allMatch(l -> l.endsWith("\t24")); // 24: secp384r1
    long wireClientHellos =
        tshark(
                pcap,
                keyLog,
                r,
                "-Y",
                "tls.handshake.type == 1",
                "-T",
                "fields",
                "-e",
                "frame.number")
            .stream()
            .filter(l -> !l.isBlank())
            .count();
    assertThat(wireClientHellos).isEqualTo(4);

    assertThat(count(r, Side.SERVER, Direction.PRODUCED, MessageType.HELLO_RETRY_REQUEST))
        .isEqualTo(wireRetries.size());
    assertThat(count(r, Side.CLIENT, Direction.CONSUMED, MessageType.HELLO_RETRY_REQUEST))
        .isEqualTo(wireRetries.size());
    assertThat(count(r, Side.CLIENT, Direction.PRODUCED, MessageType.CLIENT_HELLO))
        .isEqualTo(wireClientHellos);
    assertThat(count(r, Side.SERVER, Direction.CONSUMED, MessageType.CLIENT_HELLO))
        .isEqualTo(wireClientHellos);
    // Only the real Server Hellos are Server Hellos, on both sides.
    assertThat(count(r, Side.CLIENT, Direction.CONSUMED, MessageType.SERVER_HELLO))
        .isEqualTo(serverHellos.size() - wireRetries.size());
    assertThat(r.connections())
        .allSatisfy(c -> assertThat(c.helloRetryGroup()).isEqualTo("secp384r1"))
        .extracting(TraceRun.Connection::resumption)
        .containsExactly(TraceRun.Resumption.NONE, TraceRun.Resumption.PSK);

    assertThat(Files.readAllLines(keyLog)).hasSize(8);
    for (int stream = 0; stream < 2; stream++) {
      String follow =
          String.join("\n", tshark(pcap, keyLog, r, "-q", "-z", "follow,tls,ascii," + stream));
      assertThat(follow).as("decrypted stream %d", stream).contains(LINE).contains("echo: " + LINE);
    }
  }

  private static long count(TraceRun.Result r, Side side, Direction d, MessageType type) {
    return r.events().stream()
        .filter(e -> e.side() == side && e.direction() == d && e.message() == type)
        .count();
  }

  /** Runs tshark on the capture, decoding the server port as TLS, with the key log if given. */
  private static List<String> tshark(Path pcap, Path keyLog, TraceRun.Result r, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString()));
    if (keyLog != null) {
      cmd.addAll(List.of("-o", "tls.keylog_file:" + keyLog));
    }
    cmd.addAll(List.of("-d", "tcp.port==" + Capture.lastPort + ",tls"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("tshark %s", cmd).isZero();
    return out.lines().toList();
  }

  /** tcpdump on lo for one port, started and stopped the way a person would. */
  static final class Capture {
    static volatile int lastPort;
    private final Process process;
    private final Path pcap;

    private Capture(Process process, Path pcap) {
      this.process = process;
      this.pcap = pcap;
    }

    static Capture start(int port, Path pcap, Path tmp) {
      lastPort = port;
      try {
        Path err = tmp.resolve("tcpdump.err");
        Process p =
            new ProcessBuilder(
                    "tcpdump", "-i", "lo", "-U", "-w", pcap.toString(), "tcp port " + port)
                .redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!Files.exists(err) || !Files.readString(err).contains("listening on")) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            p.destroyForcibly();
            throw new AssertionError(
                "tcpdump did not start: "
                    + (Files.exists(err) ? Files.readString(err) : "no output"));
          }
          Thread.sleep(50);
        }
        return new Capture(p, pcap);
      } catch (IOException e) {
        throw new AssertionError("cannot run tcpdump (is it installed? ./lab setup)", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /**
     * Waits until tcpdump has written the session's {@code connections} connections whole, from SYN
     * to the last ACK (on a busy machine it lags behind the kernel; a quiet spell of the file was a
     * guess), then SIGINT, as Ctrl-C would.
     */
    void stop(int connections) throws IOException, InterruptedException {
      tlslab.capture.CaptureFiles.awaitWhole(pcap, connections, 60);
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("tcpdump did not stop on SIGINT");
      }
      assertThat(Files.size(pcap)).as("capture size").isPositive();
    }
  }
}
