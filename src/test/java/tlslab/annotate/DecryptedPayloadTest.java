package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * Decrypted payloads shown for what they are, on real peers: curl fetching a page over HTTP/2 from
 * nghttpd (Debian's nghttp2-server) shows HEADERS frames with :method, :path and :status decoded by
 * HPACK; curl over HTTP/1.1 against openssl s_server -WWW shows the request line and headers; both
 * with curl's own key log (SSLKEYLOGFILE).
 */
@Tag("slow")
class DecryptedPayloadTest {

  @Test
  void http2HeadersAreDecodedWithHpack() throws Exception {
    LoopbackCaptures.Capture c = http2();
    List<Row> rows = rows(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<Payload.Http2Frame> frames = new ArrayList<>();
    for (Row r : rows)
      for (Payload p : r.payloads) {
        assertThat(p.kind()).isEqualTo(Payload.Kind.HTTP2);
        frames.addAll(p.http2());
      }
    List<Payload.Http2Frame> headers =
        frames.stream().filter(f -> f.type().equals("HEADERS")).toList();
    assertThat(headers).as("HEADERS frames").hasSizeGreaterThanOrEqualTo(2);
    assertThat(headers.get(0).headers())
        .contains(new Payload.Header(":method", "GET"))
        .contains(new Payload.Header(":path", "/hello.txt"))
        .contains(new Payload.Header(":scheme", "https"));
    assertThat(headers.get(0).stream()).isEqualTo(1);
    assertThat(headers)
        .anySatisfy(h -> assertThat(h.headers()).contains(new Payload.Header(":status", "200")));
    assertThat(frames).anySatisfy(f -> assertThat(f.type()).isEqualTo("SETTINGS"));
    assertThat(frames)
        .anySatisfy(f -> assertThat(f.type()).isEqualTo("DATA"))
        .filteredOn(f -> f.type().equals("DATA") && f.length() > 0)
        .isNotEmpty();
    // The rendering a student reads: frame lines and decoded fields, bounded, not escaped bytes.
    String table = table(c, KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(table)
        .contains("decrypted (client, HTTP/2):")
        .contains("| HTTP/2 connection preface (RFC 9113 3.4)")
        .contains("HEADERS stream 1 [END_STREAM, END_HEADERS]")
        .contains("|     :method: GET")
        .contains("|     :path: /hello.txt")
        .contains("|     :status: 200")
        .contains("hello over h2")
        .doesNotContain("\\x00\\x00");
    for (String line : table.split("\n"))
      if (line.strip().startsWith("|"))
        assertThat(line.length()).as("payload line length: " + line).isLessThan(200);
    // ALPN: offered in the clear, chosen inside TLS 1.3's Encrypted Extensions.
    // (The readiness probe's connection is in the capture too: nghttpd answers its close with a
    // decode_error alert. The curl connection is the one that negotiated.)
    ConnectionFacts f =
        facts(c, KeyMaterial.none().withKeyLog(c.keylog())).stream()
            .filter(ConnectionFacts::negotiated)
            .findFirst()
            .orElseThrow();
    assertThat(f.alpnOffered()).contains("h2");
    assertThat(f.alpnChosen()).isEqualTo("h2");
  }

  @Test
  void http11RequestAndStatusLinesWithHeaders() throws Exception {
    LoopbackCaptures.Capture c = http11();
    String table = table(c, KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(table)
        .contains("decrypted (client, HTTP/1.1):")
        .contains("| GET /hello.txt HTTP/1.1")
        .contains("| Host: 127.0.0.1:" + c.port())
        .contains("| User-Agent: curl/")
        .contains("decrypted (server, HTTP/1.1):")
        .containsPattern("\\| HTTP/1\\.[01] 200 ok")
        .contains("hello over http/1.1")
        .doesNotContain("\\r\\n");
  }

  @Test
  void unknownBytesAreABoundedHexExcerptUnlessAllAreAsked() throws Exception {
    byte[] d = new byte[300];
    for (int i = 0; i < d.length; i++) d[i] = (byte) (i * 7 + 1);
    List<String> bounded = new ArrayList<>();
    Payloads.hex(d, bounded, false);
    assertThat(bounded).hasSize(5); // 64 bytes = 4 lines, then what was left out
    assertThat(bounded.get(0)).startsWith("0000  01 08 0f 16 1d 24 2b 32  39 40 47 4e 55 5c 63 6a");
    assertThat(bounded.get(4)).isEqualTo("... 236 more bytes (300 in all; --all-bytes shows them)");
    List<String> all = new ArrayList<>();
    Payloads.hex(d, all, true);
    assertThat(all).hasSize(19).last().asString().startsWith("0120  ");
  }

  // --- captures made in the test ----------------------------------------------------------

  static LoopbackCaptures.Capture http2() throws Exception {
    return LoopbackCaptures.around(
        "curl-nghttpd-h2",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path root = Files.createDirectories(d.resolve("h2-docroot"));
          Files.writeString(root.resolve("hello.txt"), "hello over h2\n");
          Path keylog = d.resolve("curl-h2.keylog");
          Process server =
              new ProcessBuilder(
                      "nghttpd",
                      "-d",
                      root.toString(),
                      "--address=127.0.0.1",
                      Integer.toString(port),
                      d.resolve("server.key").toString(),
                      d.resolve("server.pem").toString())
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          try {
            awaitListening(port, server);
            curl(keylog, "--http2", "https://127.0.0.1:" + port + "/hello.txt", "hello over h2");
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  static LoopbackCaptures.Capture http11() throws Exception {
    return LoopbackCaptures.around(
        "curl-openssl-http11",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path root = Files.createDirectories(d.resolve("h1-docroot"));
          Files.writeString(root.resolve("hello.txt"), "hello over http/1.1\n");
          Path keylog = d.resolve("curl-h1.keylog");
          Process server =
              new ProcessBuilder(LoopbackCaptures.sServer(port, "-WWW"))
                  .directory(root.toFile())
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          try {
            awaitListening(port, server);
            curl(
                keylog,
                "--http1.1",
                "https://127.0.0.1:" + port + "/hello.txt",
                "hello over http/1.1");
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  private static void curl(Path keylog, String version, String url, String expect)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("curl", "-sS", "-k", version, "--max-time", "20", url)
            .redirectErrorStream(true);
    pb.environment().put("SSLKEYLOGFILE", keylog.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("curl " + version + " " + url).contains(expect);
  }

  /** Waits until the server accepts TCP connections (a condition, not a sleep). */
  private static void awaitListening(int port, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (!server.isAlive())
          throw new IllegalStateException("server exited: " + server.exitValue());
        if (System.nanoTime() > deadline) throw new IllegalStateException("server not listening");
        Thread.sleep(25); // poll interval while waiting for the condition
      }
    }
  }

  private static List<Row> rows(LoopbackCaptures.Capture c, KeyMaterial keys) {
    Annotator an = new Annotator(keys, true);
    List<Row> rows = new ArrayList<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      while (r.next(f)) rows.add(an.annotate(f).copy());
    }
    return rows;
  }

  private static List<ConnectionFacts> facts(LoopbackCaptures.Capture c, KeyMaterial keys) {
    Annotator an = new Annotator(keys, false);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      while (r.next(f)) an.annotate(f);
    }
    return an.facts();
  }

  static String table(LoopbackCaptures.Capture c, KeyMaterial keys) {
    StringWriter sw = new StringWriter();
    AnnotateReport.run(c.file(), keys, OutputFormat.TABLE, false, new PrintWriter(sw));
    return sw.toString();
  }
}
