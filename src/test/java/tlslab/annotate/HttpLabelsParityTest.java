package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tlslab.bench.HeadlessChromium;

/**
 * HTTP inside decrypted TLS, labelled as tshark 4.0 labels it: for every frame of real sessions on
 * loopback (curl and headless Chromium against nghttpd over HTTP/2, curl against Python's
 * http.server over HTTP/1.1, curl against openssl s_server -www over HTTP/1.0; TLS 1.3 and 1.2),
 * decrypted with the key log the client wrote, our Protocol and Info columns are tshark's - the
 * HTTP, HTTP2 and TLS rows and the TCP rows between them. Each case also names labels tshark must
 * show in it, so that a session that went wrong (nothing decrypted, no reassembly) cannot pass.
 */
@Tag("slow")
class HttpLabelsParityTest {

  /** Makes a session's capture under the given name (a new name for each attempt). */
  interface Session {
    LoopbackCaptures.Capture make(String name) throws Exception;
  }

  /** Makes every case's capture (and runs tshark on it) ahead, a few at a time. */
  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        sessions()
            .map(a -> (LoopbackCaptures.Make<?>) ((TsharkParityTest.Maker) a.get()[1])::make)
            .toList());
  }

  static Stream<Arguments> sessions() {
    return Stream.of(
        session(
            "curl HTTP/2, nghttpd, TLS 1.3: five streams, a 60 KB body over five records",
            "h2-curl-tls13",
            HttpLabelsParityTest::h2CurlTls13,
            "HTTP2 | Magic, SETTINGS[0], WINDOW_UPDATE[0]",
            "HTTP2 | HEADERS[1]: GET /index.html",
            "HTTP2 | HEADERS[3]: GET /big.txt",
            "DATA[1] (text/html)",
            "[TLS segment of a reassembled PDU]",
            "DATA[3] (text/plain)",
            "HTTP2/JSON | HEADERS[5]: 200 OK, DATA[5], JavaScript Object Notation",
            "DATA[7] (PNG)",
            "HTTP2/XML | HEADERS[9]: 200 OK, DATA[9]"),
        session(
            "curl HTTP/2, nghttpd, TLS 1.2",
            "h2-curl-tls12",
            HttpLabelsParityTest::h2CurlTls12,
            "TLSv1.2 | ",
            "HTTP2 | HEADERS[1]: GET /index.html",
            "[TLS segment of a reassembled PDU]",
            "DATA[3] (text/plain)"),
        session(
            "headless Chromium, nghttpd: a page and its subresources on one connection (HPACK"
                + " dynamic table)",
            "h2-chromium",
            name -> nghttpd(name, port -> chromium(port, name)),
            "HTTP2 | HEADERS[1]: GET /page.html",
            "HEADERS[3]: GET /style.css",
            "DATA[1] (text/html)",
            "(PNG)",
            "GET /big.txt",
            "[TLS segment of a reassembled PDU]",
            "(text/plain)"),
        session(
            "hand-made HTTP/2 client: two records in one segment, a frame split across records",
            "h2-records",
            name -> nghttpd(name, port -> rawHttp2(name, port, "records")),
            "HTTP2 | HEADERS[1]: GET /index.html",
            "HTTP2 | HEADERS[3]: GET /a.txt, HEADERS[5]: GET /index.html"),
        session(
            "curl HTTP/1.1 keep-alive, Python http.server, TLS 1.3: Content-Length, chunked,"
                + " 50 KB, 220 KB (counted past 64 KiB, not kept), empty, gzip, POST",
            "h1-tls13",
            name -> http1(name, false),
            "HTTP | GET /index.html HTTP/1.1 ",
            "HTTP | HTTP/1.1 200 OK  (text/html)",
            "TLSv1.3 | [TLS segment of a reassembled PDU]",
            "HTTP | HTTP/1.1 200 OK  (text/plain)",
            "HTTP/JSON | HTTP/1.1 200 OK , JavaScript Object Notation (application/json)",
            "HTTP | HTTP/1.1 200 OK ",
            "HTTP | GET /gz/p.png HTTP/1.1 ",
            "HTTP | HTTP/1.1 200 OK  (PNG)",
            "HTTP | GET /large HTTP/1.1 ",
            "HTTP | POST /form HTTP/1.1  (application/x-www-form-urlencoded)",
            "HTTP | HTTP/1.1 201 Created "),
        session(
            "hand-made HTTP/1.1 client: two requests in one record, a request over three records,"
                + " a POST body in a record of its own",
            "h1-records",
            name -> http1(name, false),
            "HTTP | GET /index.html HTTP/1.1 GET /a.txt HTTP/1.1 ",
            "HTTP | HTTP/1.1 200 OK  (text/html)HTTP/1.1 200 OK  (text/plain)",
            "TLSv1.3 | [TLS segment of a reassembled PDU]",
            "HTTP/JSON | POST /form HTTP/1.1 , JavaScript Object Notation (application/json)"),
        session(
            "curl HTTP/1.1 keep-alive, Python http.server, TLS 1.2",
            "h1-tls12",
            name -> http1(name, true),
            "TLSv1.2 | [TLS segment of a reassembled PDU]",
            "HTTP | GET /big HTTP/1.1 ",
            "HTTP | POST /form HTTP/1.1  (application/x-www-form-urlencoded)"),
        session(
            "curl HTTP/1.1 reading a 1.3 MB body slowly (--limit-rate): TCP's window fills",
            "h1-slow-reader",
            name -> http1(name, false),
            "HTTP | GET /slow HTTP/1.1 ",
            "[TCP Window Full] [TLS segment of a reassembled PDU]",
            // Often "TLSv1.3 | [TLS segment of a reassembled PDU]HTTP/1.1 200 OK  (text/plain)":
            // a segment whose first record continues the body and whose second one ends it.
            "HTTP/1.1 200 OK  (text/plain)"),
        session(
            "curl HTTP/1.0, openssl s_server -www (no ALPN; the response ends with the connection)",
            "h1-openssl-www",
            HttpLabelsParityTest::opensslWww,
            "HTTP | GET / HTTP/1.0 ",
            "TLSv1.3 | [TLS segment of a reassembled PDU]"));
  }

  /** A case: its title, the capture (made again if the first one came out damaged), its labels. */
  private static Arguments session(String title, String name, Session s, String... shows) {
    List<String> labels = List.of(shows);
    return Arguments.of(title, (TsharkParityTest.Maker) () -> whole(name, s, labels), labels);
  }

  /**
   * Whether a "Protocol | Info" row shows {@code label}: "HTTP | GET / HTTP/1.1 " is that protocol
   * with that text in Info (after any TCP analysis prefix such as "[TCP Window Full] "); a label
   * without " | " is looked for anywhere in the row.
   */
  static boolean shows(String row, String label) {
    int bar = label.indexOf(" | ");
    if (bar < 0) return row.contains(label);
    String protocol = label.substring(0, bar + 3);
    return row.startsWith(protocol)
        && row.substring(protocol.length()).contains(label.substring(bar + 3));
  }

  /** Attempts at a capture that shows what its case is about. */
  static final int ATTEMPTS = 3;

  /**
   * The session's capture, made again (under a new name, at most {@link #ATTEMPTS} times) when
   * tcpdump did not record all of it on a loaded machine: tshark then shows "[TCP Previous segment
   * not captured]" or lacks the labels the case is about (tcpdump stopped before the last packets
   * were written). Those labels are tshark's, so this never hides a difference of ours; the capture
   * compared is the one returned.
   */
  static LoopbackCaptures.Capture whole(String name, Session s, List<String> shows)
      throws Exception {
    List<String> missing = List.of();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      LoopbackCaptures.Capture c = s.make(attempt == 1 ? name : name + "-" + attempt);
      List<String> rows = tshark(c).stream().map(t -> t[1] + " | " + t[2]).toList();
      boolean lost =
          rows.stream()
              .anyMatch(
                  r ->
                      r.contains("[TCP Previous segment not captured]")
                          || r.contains("[TCP ACKed unseen segment]"));
      missing = shows.stream().filter(l -> rows.stream().noneMatch(r -> shows(r, l))).toList();
      if (!lost && missing.isEmpty()) return c;
      System.out.println(
          "HTTP-PARITY "
              + c.name()
              + ": capture incomplete ("
              + (lost ? "lost segments" : "missing " + missing)
              + "), attempt "
              + attempt
              + " of "
              + ATTEMPTS);
    }
    throw new AssertionError(
        "no complete capture of "
            + name
            + " in "
            + ATTEMPTS
            + " attempts; tshark lacks "
            + missing);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sessions")
  void everyFrameHasTsharksProtocolAndInfo(
      String name, TsharkParityTest.Maker maker, List<String> tsharkShows) throws Exception {
    LoopbackCaptures.Capture c = maker.make();
    List<String[]> expected = tshark(c);
    List<String> tsharkRows = expected.stream().map(t -> t[1] + " | " + t[2]).toList();
    for (String label : tsharkShows)
      assertThat(tsharkRows)
          .as("tshark's rows of " + name + " show " + label)
          .anyMatch(r -> shows(r, label));
    Map<Long, Row> ours = TsharkParityTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> diffs = new ArrayList<>();
    int http = 0;
    for (String[] t : expected) {
      Row r = ours.get(Long.parseLong(t[0]));
      String want = t[1] + " | " + t[2];
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(want))
        diffs.add("frame " + t[0] + ": tshark [" + want + "] ours [" + got + "]");
      if (t[1].startsWith("HTTP")) http++;
    }
    System.out.println(
        "HTTP-PARITY "
            + name
            + ": "
            + (expected.size() - diffs.size())
            + "/"
            + expected.size()
            + " frames identical, "
            + http
            + " of them HTTP or HTTP2");
    if (!diffs.isEmpty()) TsharkParityTest.keepForDiagnosis(name, c);
    assertThat(diffs).as("differences from tshark in " + name).isEmpty();
  }

  /**
   * Broken HTTP/2 (a header block HPACK cannot decode, a frame of an unknown type, a frame that
   * claims 16 MB and never completes) and a server that breaks HTTP/1.1 (a Content-Length it does
   * not send, a chunk size that is not hex): every frame gets a row, nothing is an internal
   * problem, and the labels are still tshark's.
   */
  @Test
  void brokenHttpGivesRowsAndNoInternalProblem() throws Exception {
    for (LoopbackCaptures.Capture c :
        List.of(
            nghttpd("h2-malformed", port -> rawHttp2("h2-malformed", port, "malformed")),
            brokenHttp1())) {
      List<String[]> expected = tshark(c);
      String shows =
          c.name().equals("h2-malformed") ? "HTTP2 | HEADERS[1]" : "HTTP | GET / HTTP/1.1 ";
      assertThat(expected.stream().map(t -> t[1] + " | " + t[2]))
          .as("tshark's rows of " + c.name())
          .contains(shows);
      Map<Long, Row> ours = TsharkParityTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
      assertThat(ours).as("a row per frame of " + c.name()).hasSize(expected.size());
      for (String[] t : expected) {
        Row r = ours.get(Long.parseLong(t[0]));
        assertThat(r.info).as("frame " + t[0] + " of " + c.name()).isNotEmpty();
        assertThat(r.protocol + " | " + r.info)
            .as("frame " + t[0] + " of " + c.name())
            .isEqualTo(t[1] + " | " + t[2]);
      }
    }
  }

  /**
   * The note on "[TLS segment of a reassembled PDU]" names the side that sent the record, and says
   * "never labelled" only for a response that ends with the connection (s_server -www).
   */
  @Test
  void theSegmentNoteNamesTheSenderAndTheKindOfMessage() throws Exception {
    for (LoopbackCaptures.Capture c :
        List.of(
            (LoopbackCaptures.Capture) sessionCapture(4), sessionCapture(7), sessionCapture(1))) {
      Map<Long, Row> rows = TsharkParityTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
      Row first =
          rows.values().stream()
              .filter(r -> r.info.endsWith("[TLS segment of a reassembled PDU]"))
              .min(java.util.Comparator.comparingLong(r -> r.number))
              .orElseThrow();
      String who = first.sender == Sender.SERVER ? "the server" : "the client";
      String note =
          first.notes.stream()
              .filter(n -> n.startsWith("[TLS segment of a reassembled PDU]"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no note on frame " + first.number));
      assertThat(note).contains("the last record in this frame, from " + who + ",");
      if (c.name().startsWith("h1-openssl-www")) {
        assertThat(note).contains("ends where the connection ends").contains("never does");
      } else {
        assertThat(note)
            .contains(c.name().startsWith("h2") ? "an HTTP/2 frame" : "an HTTP message")
            .doesNotContain("never");
      }
    }
  }

  /** The capture of case {@code i} of {@link #sessions()} (made once, shared with that case). */
  private static LoopbackCaptures.Capture sessionCapture(int i) throws Exception {
    return ((TsharkParityTest.Maker) sessions().toList().get(i).get()[1]).make();
  }

  // --- the sessions --------------------------------------------------------------------------

  private static List<String[]> tshark(LoopbackCaptures.Capture c) throws Exception {
    return LoopbackCaptures.tshark(c, "-o", "tls.keylog_file:" + c.keylog());
  }

  static LoopbackCaptures.Capture h2CurlTls12(String name) throws Exception {
    return nghttpd(
        name,
        port ->
            curl(name, port, List.of("--http2", "--tls-max", "1.2"), "/index.html", "/big.txt"));
  }

  static LoopbackCaptures.Capture h2CurlTls13(String name) throws Exception {
    return nghttpd(
        name,
        port ->
            curl(
                name,
                port,
                List.of("--http2"),
                "/index.html",
                "/big.txt",
                "/d.json",
                "/p.png",
                "/i.svg"));
  }

  /** Files both servers serve (written once). */
  static synchronized Path docroot() throws IOException, InterruptedException {
    Path d = LoopbackCaptures.dir().resolve("http-docroot");
    if (Files.isDirectory(d)) return d;
    Path tmp = Files.createDirectories(LoopbackCaptures.dir().resolve("http-docroot.tmp"));
    Files.writeString(tmp.resolve("index.html"), "<html><body>hello</body></html>\n");
    Files.writeString(tmp.resolve("a.txt"), "small\n");
    byte[] random = new byte[45_000];
    new java.util.Random(7).nextBytes(random);
    Files.writeString(tmp.resolve("big.txt"), Base64.getMimeEncoder().encodeToString(random));
    Files.writeString(tmp.resolve("d.json"), "{\"a\": [1, 2]}");
    Files.writeString(tmp.resolve("i.svg"), "<svg xmlns='http://www.w3.org/2000/svg'></svg>");
    Files.write(tmp.resolve("p.png"), png());
    Files.writeString(tmp.resolve("style.css"), "body{color:red}\n");
    Files.writeString(tmp.resolve("app.js"), "console.log(1)\n");
    Files.writeString(
        tmp.resolve("page.html"),
        "<!doctype html><html><head><link rel=stylesheet href=style.css>"
            + "<script src=app.js></script></head><body><p>hello</p>"
            + "<img src=p.png><img src=a.txt><iframe src=big.txt></iframe>"
            + "<script>fetch('d.json')</script></body></html>\n");
    Files.move(tmp, d);
    return d;
  }

  /** A valid 1x1 PNG (RFC 2083): signature, IHDR, IDAT, IEND. */
  private static byte[] png() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", new byte[] {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0});
    java.util.zip.Deflater z = new java.util.zip.Deflater();
    z.setInput(new byte[] {0, (byte) 0xff, 0, 0});
    z.finish();
    byte[] idat = new byte[64];
    int n = z.deflate(idat);
    chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
    java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(4).putInt(data.length);
    out.writeBytes(len.array());
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** nghttpd (nghttp2's HTTP/2 server, ALPN h2) on the capture's port while {@code client} runs. */
  static LoopbackCaptures.Capture nghttpd(String name, LoopbackCaptures.PortAction client)
      throws Exception {
    return LoopbackCaptures.around(
        name,
        port -> {
          Path d = LoopbackCaptures.dir();
          Process server =
              new ProcessBuilder(
                      "nghttpd",
                      "-d",
                      docroot().toString(),
                      Integer.toString(port),
                      d.resolve("server.key").toString(),
                      d.resolve("server.pem").toString())
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          try {
            awaitPort(server, port);
            return client.run(port);
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
        });
  }

  /**
   * Waits until something listens on {@code port} (or the server died), reading the kernel's socket
   * table rather than connecting: a probe connection would be one more session in the capture.
   */
  private static void awaitPort(Process server, int port) throws Exception {
    String hex = String.format(":%04X ", port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) throw new AssertionError("server exited: " + server.exitValue());
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && (f[1] + " ").endsWith(hex) && f[3].equals("0A")) return; // LISTEN
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("nothing listens on " + port + " after 10 s");
  }

  /** curl fetching {@code paths} on one connection, its key log in SSLKEYLOGFILE. */
  static Path curl(String name, int port, List<String> options, String... paths) throws Exception {
    Path keylog = LoopbackCaptures.dir().resolve(name + ".keylog");
    List<String> cmd = new ArrayList<>(List.of("curl", "-sk"));
    cmd.addAll(options);
    for (String p : paths) cmd.addAll(List.of("https://127.0.0.1:" + port + p, "-o", "/dev/null"));
    LoopbackCaptures.runWithKeyLog(cmd, keylog, 40);
    return keylog;
  }

  private static Path chromium(int port, String name) throws Exception {
    Path d = LoopbackCaptures.dir().resolve(name);
    Files.createDirectories(d);
    Path keylog = d.resolve("keylog");
    List<String> cmd = new ArrayList<>(HeadlessChromium.baseFlags(d.resolve("profile")));
    cmd.addAll(
        List.of(
            "--ignore-certificate-errors",
            "--virtual-time-budget=3000",
            "--dump-dom",
            "https://127.0.0.1:" + port + "/page.html"));
    LoopbackCaptures.runWithKeyLog(cmd, keylog, 40);
    return keylog;
  }

  private static Path rawHttp2(String name, int port, String mode) throws Exception {
    Path keylog = LoopbackCaptures.dir().resolve(name + ".keylog");
    python(resource("h2_raw_client.py"), Integer.toString(port), keylog.toString(), mode);
    return keylog;
  }

  private static void python(Path script, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(script.getFileName() + " finishes").isTrue();
    assertThat(p.exitValue()).as(script.getFileName() + ": " + out).isZero();
  }

  static Path resource(String file) throws IOException, InterruptedException {
    Path out = LoopbackCaptures.dir().resolve(file);
    synchronized (HttpLabelsParityTest.class) {
      if (!Files.exists(out)) {
        try (InputStream in = HttpLabelsParityTest.class.getResourceAsStream("http/" + file)) {
          Files.copy(in, out);
        }
      }
    }
    return out;
  }

  /** Python's http.server behind Python's ssl, curl asking for five things on one connection. */
  static LoopbackCaptures.Capture http1(String name, boolean tls12) throws Exception {
    return LoopbackCaptures.around(
        name,
        port -> {
          Path d = LoopbackCaptures.dir();
          Path serverKeylog = d.resolve(name + ".server.keylog");
          List<String> cmd =
              new ArrayList<>(
                  List.of(
                      "python3",
                      resource("http1_server.py").toString(),
                      Integer.toString(port),
                      d.resolve("server.pem").toString(),
                      d.resolve("server.key").toString(),
                      serverKeylog.toString(),
                      docroot().toString()));
          if (tls12) cmd.add("tls12");
          Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
          try {
            awaitReady(server);
            String base = "https://127.0.0.1:" + port;
            Path keylog = d.resolve(name + ".keylog");
            if (name.startsWith("h1-slow-reader")) {
              LoopbackCaptures.runWithKeyLog(
                  List.of(
                      "curl",
                      "-sk",
                      "--http1.1",
                      "--limit-rate",
                      "1M",
                      base + "/slow",
                      "-o",
                      "/dev/null"),
                  keylog,
                  40);
              return keylog;
            }
            if (name.startsWith("h1-records")) {
              python(resource("h1_raw_client.py"), Integer.toString(port), keylog.toString());
              return keylog;
            }
            List<String> curl = new ArrayList<>(List.of("curl", "-sk", "--http1.1"));
            for (String p :
                List.of(
                    "/index.html", "/big", "/chunked", "/d.json", "/empty", "/gz/p.png", "/large"))
              curl.addAll(List.of(base + p, "-o", "/dev/null"));
            // curl's --next starts a new request group: a POST, on the same connection.
            curl.addAll(List.of("--next", "-sk", "--http1.1", "-d", "name=value&x=1"));
            curl.addAll(List.of(base + "/form", "-o", "/dev/null"));
            LoopbackCaptures.runWithKeyLog(curl, keylog, 40);
            return keylog;
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
        });
  }

  private static void awaitReady(Process server) throws IOException {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || !line.contains("ready"))
      throw new AssertionError("server did not start: " + line);
  }

  /** openssl s_server -www: an HTTP/1.0 page with no Content-Length, ended by the connection. */
  static LoopbackCaptures.Capture opensslWww(String name) throws Exception {
    return LoopbackCaptures.around(
        name,
        port -> {
          Path d = LoopbackCaptures.dir();
          Process server =
              new ProcessBuilder(LoopbackCaptures.sServer(port, "-www"))
                  .redirectErrorStream(true)
                  .start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            return curl(name, port, List.of("--http1.0"), "/");
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
        });
  }

  /**
   * A TLS server (Python's ssl) that breaks HTTP/1.1: a response that promises 100 000 bytes and
   * sends 5, on a connection curl asks twice; then a chunk size that is not hex.
   */
  static LoopbackCaptures.Capture brokenHttp1() throws Exception {
    return LoopbackCaptures.around(
        "h1-broken",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path serverKeylog = d.resolve("h1-broken.server.keylog");
          String py =
              "import ssl,socket\n"
                  + "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                  + "ctx.load_cert_chain('"
                  + d.resolve("server.pem")
                  + "','"
                  + d.resolve("server.key")
                  + "')\n"
                  + "ctx.keylog_filename='"
                  + serverKeylog
                  + "'\n"
                  + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                  + "s.bind(('127.0.0.1',"
                  + port
                  + ")); s.listen(4); print('ready',flush=True)\n"
                  + "for answer in [b'HTTP/1.1 200 OK\\r\\nContent-Length: 100000\\r\\n"
                  + "Content-Type: text/plain\\r\\n\\r\\nshort',"
                  + " b'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nabc\\r\\n']:\n"
                  + "  c,_=s.accept(); t=ctx.wrap_socket(c,server_side=True)\n"
                  + "  t.recv(65536); t.sendall(answer); t.close()\n";
          Process server =
              new ProcessBuilder("python3", "-c", py).redirectErrorStream(true).start();
          try {
            awaitReady(server);
            Path keylog = d.resolve("h1-broken.keylog");
            for (int i = 0; i < 2; i++) {
              ProcessBuilder pb =
                  new ProcessBuilder(
                          "curl", "-sk", "--http1.1", "-m", "5", "https://127.0.0.1:" + port + "/")
                      .redirectErrorStream(true)
                      .redirectOutput(ProcessBuilder.Redirect.DISCARD);
              pb.environment().put("SSLKEYLOGFILE", keylog.toString());
              Process p = pb.start();
              assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("curl ends").isTrue();
            }
            return keylog;
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
        });
  }
}
