package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.annotate.html.HtmlReport;
import tlslab.annotate.html.SharedBrowser;

/**
 * A capture whose every string a peer chooses is an attack on the {@code --format html} page: the
 * SNI, the ALPN protocol, the certificate's subject, the HTTP request line, a header and the
 * response body (decrypted with the client's key log), and the capture's file name. Each payload
 * would set the global {@code pwned} if it ran. In headless Chromium, with every connection drawn
 * and every message selected in turn, {@code pwned} stays undefined, no element or event-handler
 * attribute was injected, and each payload is on the page as text. Then the page's
 * Content-Security-Policy is itself attacked: a script element and an event handler added to the
 * page are refused by the browser.
 */
class HtmlHostileInputTest {
  private static final String SNI = "<svg/onload=pwned=1>";
  private static final String ALPN = "<svg/onload=pwned=2>";
  private static final String CN = "<svg onload=pwned=3>";
  private static final String REQUEST_LINE = "GET /</script><script>pwned=4</script> HTTP/1.1";
  private static final String HOST = "<svg/onload=pwned=5>";
  private static final String BODY = "<script>pwned=6</script><img src=x onerror=pwned=7>";
  private static final String FILE = "<img src=x onerror=pwned=8>.pcap";

  @TempDir Path tmp;

  /** A TLS 1.2 session between Python's ssl peers on loopback, every chosen string an attack. */
  private static LoopbackCaptures.Capture hostile() throws Exception {
    return LoopbackCaptures.around(
        "html-hostile-peers",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path cert = d.resolve("hostile-cert.pem");
          Path key = d.resolve("hostile-key.pem");
          Process req =
              new ProcessBuilder(
                      "openssl",
                      "req",
                      "-x509",
                      "-newkey",
                      "rsa:2048",
                      "-nodes",
                      "-days",
                      "1",
                      "-keyout",
                      key.toString(),
                      "-out",
                      cert.toString(),
                      "-subj",
                      "/CN=" + CN)
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          assertThat(req.waitFor(60, TimeUnit.SECONDS) && req.exitValue() == 0)
              .as("openssl req for a certificate whose subject is %s", CN)
              .isTrue();
          Path keylog = d.resolve("html-hostile-peers.keylog");
          String server =
              "import ssl,socket,sys\n"
                  + "cert,key,port,alpn,body=sys.argv[1:6]\n"
                  + "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                  + "ctx.maximum_version=ssl.TLSVersion.TLSv1_2\n"
                  + "ctx.load_cert_chain(cert,key); ctx.set_alpn_protocols([alpn])\n"
                  + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                  + "s.bind(('127.0.0.1',int(port))); s.listen(1); print('ready',flush=True)\n"
                  + "c,_=s.accept(); t=ctx.wrap_socket(c,server_side=True); r=b''\n"
                  + "while b'\\r\\n\\r\\n' not in r:\n"
                  + "  x=t.recv(4096)\n"
                  + "  if not x: break\n"
                  + "  r+=x\n"
                  + "b=body.encode()\n"
                  + "t.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: text/html\\r\\n'"
                  + "+b'Content-Length: %d\\r\\n\\r\\n' % len(b)+b)\n"
                  + "t.unwrap(); c.close()\n";
          String client =
              "import ssl,socket,sys\n"
                  + "port,keylog,sni,alpn,line,host=sys.argv[1:7]\n"
                  + "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
                  + "ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE\n"
                  + "ctx.keylog_filename=keylog; ctx.set_alpn_protocols([alpn])\n"
                  + "t=ctx.wrap_socket(socket.create_connection(('127.0.0.1',int(port))),"
                  + "server_hostname=sni)\n"
                  + "t.sendall((line+'\\r\\nHost: '+host+'\\r\\n\\r\\n').encode())\n"
                  + "r=b''\n"
                  + "while True:\n"
                  + "  x=t.recv(4096)\n"
                  + "  if not x: break\n"
                  + "  r+=x\n"
                  + "t.close()\n";
          Process srv =
              new ProcessBuilder(
                      "python3",
                      "-c",
                      server,
                      cert.toString(),
                      key.toString(),
                      Integer.toString(port),
                      ALPN,
                      BODY)
                  .redirectErrorStream(true)
                  .start();
          try {
            BufferedReader r =
                new BufferedReader(
                    new InputStreamReader(srv.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            assertThat(first).as("the Python server's first line").isEqualTo("ready");
            Process cli =
                new ProcessBuilder(
                        "python3",
                        "-c",
                        client,
                        Integer.toString(port),
                        keylog.toString(),
                        SNI,
                        ALPN,
                        REQUEST_LINE,
                        HOST)
                    .redirectErrorStream(true)
                    .start();
            String said = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.waitFor(30, TimeUnit.SECONDS) && cli.exitValue() == 0)
                .as("the Python client: %s", said)
                .isTrue();
            assertThat(srv.waitFor(30, TimeUnit.SECONDS)).as("the Python server ends").isTrue();
          } finally {
            srv.destroy();
          }
          return keylog;
        });
  }

  /** Draws everything, selects every message, and says what the page became. */
  private static final String ATTACKED =
      "(() => { window.dispatchEvent(new Event('beforeprint'));"
          + " let text = document.body.innerText;"
          + " for (const b of document.querySelectorAll('.arrow')) { b.click();"
          + "   text += '\\n' + document.getElementById('view').innerText; }"
          + " const all = [...document.querySelectorAll('*')];"
          + " return { pwned: typeof pwned, title: document.title, text,"
          + "   arrows: document.querySelectorAll('.arrow').length,"
          + "   scripts: document.scripts.length,"
          + "   injected: all.filter(e => ['IMG', 'SVG', 'IFRAME', 'svg', 'OBJECT', 'EMBED']"
          + "     .includes(e.tagName)).length,"
          + "   handlers: all.flatMap(e => [...e.attributes].filter(a => /^on/i.test(a.name))"
          + "     .map(a => e.tagName + ' ' + a.name)) }; })()";

  @Test
  void peersStringsStayText() throws Exception {
    LoopbackCaptures.Capture c = hostile();
    Path capture = tmp.resolve(FILE);
    Files.copy(c.file(), capture);
    Path page = tmp.resolve("hostile.html");
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(capture, keys, AnnotateReport.View.plain(true), w);
    }
    JsonObject[] got = new JsonObject[1];
    SharedBrowser.load(
        page,
        "",
        Path.of("target", "html-pages", "hostile-peers.png"),
        p -> got[0] = SharedBrowser.json(p, ATTACKED).getAsJsonObject());
    JsonObject g = got[0];
    assertThat(g.get("pwned").getAsString()).as("typeof pwned").isEqualTo("undefined");
    assertThat(g.get("injected").getAsInt()).as("img/svg/iframe elements").isZero();
    assertThat(g.get("handlers").getAsJsonArray()).as("event-handler attributes").isEmpty();
    assertThat(g.get("scripts").getAsInt())
        .as("script elements: the model's two, the renderer")
        .isEqualTo(3);
    assertThat(g.get("arrows").getAsInt()).isGreaterThan(5);
    assertThat(g.get("title").getAsString()).contains(FILE);
    // The attacks reached the page, as text: else this test would prove nothing.
    String text = g.get("text").getAsString();
    // The subject as X500Principal.getName() writes it (RFC 2253 escapes < > and =).
    String subject = "CN=\\<svg onload\\=pwned\\=3\\>";
    for (String payload : List.of(FILE, "SNI " + SNI, ALPN, subject, REQUEST_LINE, HOST, BODY))
      assertThat(text).as("the page's text holds %s", payload).contains(payload);
  }

  /**
   * {@code --format markdown} of the same capture, rendered to HTML by a real Markdown renderer
   * (CommonMark with GitHub's tables, which passes raw HTML through, as most previewers do) into a
   * page with no Content-Security-Policy: no payload runs or becomes an element, and each is in the
   * rendered table as text.
   */
  @Test
  void markdownRendersPeersStringsAsText() throws Exception {
    LoopbackCaptures.Capture c = hostile();
    Path capture = tmp.resolve(FILE);
    Files.copy(c.file(), capture);
    java.io.StringWriter md = new java.io.StringWriter();
    AnnotateReport.run(
        capture,
        KeyMaterial.none().withKeyLog(c.keylog()),
        OutputFormat.MARKDOWN,
        AnnotateReport.View.plain(true),
        new PrintWriter(md));
    var ext = List.of(org.commonmark.ext.gfm.tables.TablesExtension.create());
    String body =
        org.commonmark.renderer.html.HtmlRenderer.builder()
            .extensions(ext)
            .build()
            .render(
                org.commonmark.parser.Parser.builder()
                    .extensions(ext)
                    .build()
                    .parse(md.toString()));
    Path page = tmp.resolve("markdown.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>markdown</title></head><body>"
            + body
            + "<script>document.body.dataset.ready = '1'</script></body></html>",
        StandardCharsets.UTF_8);
    JsonObject[] got = new JsonObject[1];
    SharedBrowser.attack(
        page,
        t ->
            got[0] =
                SharedBrowser.json(
                        t,
                        "(() => { const all = [...document.querySelectorAll('*')];"
                            + " return { pwned: typeof pwned, text: document.body.innerText,"
                            + " cells: document.querySelectorAll('td').length,"
                            + " scripts: document.scripts.length,"
                            + " links: document.links.length,"
                            + " injected: all.filter(e => ['IMG', 'svg', 'SVG', 'IFRAME']"
                            + " .includes(e.tagName)).length,"
                            + " handlers: all.flatMap(e => [...e.attributes].filter(a =>"
                            + " /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name)) }; })()")
                    .getAsJsonObject());
    JsonObject g = got[0];
    assertThat(g.get("pwned").getAsString()).as("typeof pwned").isEqualTo("undefined");
    assertThat(g.get("injected").getAsInt()).as("img/svg/iframe elements").isZero();
    assertThat(g.get("handlers").getAsJsonArray()).as("event-handler attributes").isEmpty();
    assertThat(g.get("scripts").getAsInt()).as("script elements: the test's own").isEqualTo(1);
    assertThat(g.get("links").getAsInt()).as("links").isZero();
    assertThat(g.get("cells").getAsInt()).as("table cells rendered").isGreaterThan(20);
    String text = g.get("text").getAsString();
    String subject = "CN=\\<svg onload\\=pwned\\=3\\>";
    for (String payload : List.of(SNI, ALPN, subject, REQUEST_LINE, HOST))
      assertThat(text).as("the rendered markdown holds %s", payload).contains(payload);
  }

  /**
   * The page's policy refuses what an injection would add: an inline script element and an
   * event-handler attribute, added to the loaded page, do not run, and the browser reports both as
   * Content-Security-Policy violations.
   */
  @Test
  void policyRefusesInjectedScript() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13();
    Path page = tmp.resolve("csp.html");
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(c.file(), KeyMaterial.none(), AnnotateReport.View.plain(true), w);
    }
    String[] after = new String[1];
    SharedBrowser.Page p =
        SharedBrowser.attack(
            page,
            t -> {
              t.eval()
                  .eval(
                      "(() => { const s = document.createElement('script');"
                          + " s.textContent = 'window.pwned = \"script\"';"
                          + " document.body.appendChild(s);"
                          + " const b = document.createElement('button');"
                          + " b.setAttribute('onclick', 'window.pwned = \"handler\"');"
                          + " document.body.appendChild(b); b.click(); return 1; })()");
              // Violations are reported as events: wait for both before reading the console.
              waitForErrors(t, 2);
              after[0] = t.eval().eval("typeof window.pwned").getAsString();
            });
    assertThat(after[0]).as("typeof pwned after the injection").isEqualTo("undefined");
    assertThat(p.console())
        .as("the browser's console")
        .filteredOn(l -> l.contains("Content Security Policy"))
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(p.requests()).isEmpty();
  }

  private static void waitForErrors(SharedBrowser.Page t, int n) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      var v = t.eval().eval("+(document.body.dataset.errors || 0)");
      if (v != null && v.getAsInt() >= n) return;
      Thread.onSpinWait();
    }
    throw new AssertionError("the page saw fewer than " + n + " policy violations in 30 s");
  }
}
