package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole feature as a student uses it: {@code lab server --trace --keylog} and {@code lab client
 * --trace --trace-json --keylog} as separate processes, a chat session captured with tcpdump, and
 * tshark decrypting it with the client's key log to find the chat line that was sent. Both
 * timelines are checked: 80 columns, no raw dumps, the handshake's messages.
 */
@Tag("jdk")
class ChatSessionCaptureTest {
  private static final Pattern HEX_DUMP =
      Pattern.compile("(?m)^\\s*[0-9A-Fa-f]{4}: [0-9A-Fa-f]{2} ");
  private static final Pattern TIMELINE =
      Pattern.compile("^(\\s*[0-9]+\\.[0-9] (client|server) [→←] |── connection | {38}\\S)");
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  @ParameterizedTest
  @ValueSource(strings = {"modern", "tls13"})
  void tsharkFindsTheChatLineWithTheClientsKeyLog(String profile, @TempDir Path tmp)
      throws Exception {
    String line = "hello class, this is " + profile + " " + System.nanoTime();
    Path serverKeys = tmp.resolve("server.keys");
    Path clientKeys = tmp.resolve("client.keys");
    Path json = tmp.resolve("client.jsonl");
    Path pcap = tmp.resolve("chat.pcap");

    List<String> serverOut = new CopyOnWriteArrayList<>();
    Process server =
        start(
            List.of(
                "server",
                "--port",
                "0",
                // The warm-up runs (its handshakes must stay out of the trace and the key log), for
                // 1 s instead of the default 10; its full length has a test of its own
                // (WarmUpTest).
                "--warm-up",
                "1",
                "--certs",
                certs.toString(),
                "--profile",
                profile,
                "--trace",
                "--keylog",
                serverKeys.toString()),
            serverOut);
    KeyLogCaptureTest.Capture capture = null;
    TraceFixtures.Cli client;
    try {
      int port = awaitPort(serverOut, server);
      capture = KeyLogCaptureTest.Capture.start(port, pcap, tmp);
      client =
          runClient(
              tmp,
              List.of(
                  "client",
                  "--port",
                  Integer.toString(port),
                  "--ca",
                  certs.resolve("ca.pem").toString(),
                  "--profile",
                  profile,
                  "--trace",
                  "--trace-json",
                  json.toString(),
                  "--keylog",
                  clientKeys.toString()),
              "/nick alice\n" + line + "\n");
      capture.stop(1);
    } finally {
      server.destroy(); // SIGTERM: the server's shutdown hook closes every connection
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    String serverText = String.join("\n", serverOut);

    assertThat(client.exit()).as(client.err()).isZero();
    assertThat(client.out().lines().filter(l -> TIMELINE.matcher(l).find())).hasSizeGreaterThan(8);
    assertThat(serverText.lines().filter(l -> TIMELINE.matcher(l).find())).hasSizeGreaterThan(8);
    assertThat(client.out())
        .contains(
            "client → Client Hello", "client ← Server Hello", "client → Finished", "SNI localhost");
    assertThat(serverText)
        .contains("server ← Client Hello", "server → Server Hello", "server ← Finished");
    for (String text : List.of(client.out(), client.err(), serverText)) {
      // The timeline's lines (the chat's own lines are not the trace's business).
      assertThat(text.lines().filter(l -> TIMELINE.matcher(l).find()))
          .allMatch(l -> l.length() <= 80, "80 columns");
      assertThat(HEX_DUMP.matcher(text).find()).as("raw dump on the terminal").isFalse();
    }
    assertThat(Files.readAllLines(json))
        .isNotEmpty()
        .allMatch(l -> l.startsWith("{\"time\":\"") && l.endsWith("}"))
        .anyMatch(l -> l.contains("\"message\":\"Client Hello\""));

    // Each side derived the secrets on its own; they must agree.
    assertThat(new HashSet<>(Files.readAllLines(clientKeys)))
        .isNotEmpty()
        .isEqualTo(new HashSet<>(Files.readAllLines(serverKeys)));

    int port = KeyLogCaptureTest.Capture.lastPort;
    assertThat(follow(pcap, clientKeys, port)).contains(line);
    assertThat(follow(pcap, null, port)).doesNotContain(line);
  }

  private static String follow(Path pcap, Path keys, int port) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString()));
    if (keys != null) {
      cmd.addAll(List.of("-o", "tls.keylog_file:" + keys));
    }
    cmd.addAll(List.of("-d", "tcp.port==" + port + ",tls", "-q", "-z", "follow,tls,ascii,0"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            // C1 only and a small heap, as ExerciseScriptsTest's ./lab: the processes are short,
            // and the JIT's tiers change how fast the code runs, not what it does.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "--add-opens",
            "java.base/sun.security.ssl=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            "tlslab.cli.Main"));
    cmd.addAll(args);
    return cmd;
  }

  private static Process start(List<String> args, List<String> out) throws IOException {
    Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
    CompletableFuture.runAsync(
        () -> {
          try (BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
              out.add(l);
            }
          } catch (IOException e) {
            // the process ended
          }
        });
    return p;
  }

  private static int awaitPort(List<String> out, Process server) throws InterruptedException {
    Pattern listening = Pattern.compile("listening on [0-9.]+:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String l : out) {
        Matcher m = listening.matcher(l);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!server.isAlive()) {
        throw new AssertionError("server exited: " + out);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server did not start: " + out);
  }

  private static TraceFixtures.Cli runClient(Path tmp, List<String> args, String stdin)
      throws Exception {
    Path out = tmp.resolve("client.out");
    Path err = tmp.resolve("client.err");
    Process p =
        new ProcessBuilder(command(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("client did not finish: " + Files.readString(err));
    }
    return new TraceFixtures.Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
