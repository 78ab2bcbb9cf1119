package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.annotate.html.HtmlReport;
import tlslab.annotate.html.SharedBrowser;
import tlslab.bench.HeadlessChromium;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;

/**
 * Sentences that were false on traffic students make with real peers (openssl s_server / s_client
 * on loopback, captured by tcpdump): a Hello Retry Request that wants only its cookie back, a
 * handshake the client aborts with a fatal alert, 0-RTT early data. What the traffic is comes from
 * tshark on the same file; each test names the old, wrong text. See also {@link
 * TruthOnRealPeersTest}.
 */
@Tag("slow")
class TruthOnStudentTrafficTest {

  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        List.of(
            TruthOnStudentTrafficTest::cookieRetry,
            TruthOnStudentTrafficTest::unknownCa13,
            TruthOnStudentTrafficTest::unknownCa12,
            TruthOnRealPeersTest::tls13EarlyData,
            Scenarios::tls13Hrr,
            Scenarios::tls13,
            Scenarios::tls12Gcm,
            TruthOnStudentTrafficTest::serverRenegotiation,
            TruthOnRealPeersTest::renegotiation,
            TruthOnStudentTrafficTest::chromiumVisits,
            TruthOnStudentTrafficTest::curlTwice));
  }

  private static final Sender C = Sender.CLIENT;
  private static final Sender S = Sender.SERVER;

  /**
   * One s_server and one s_client whose handshake fails: the client exits by itself (no data is
   * typed). CLIENT_CA in the arguments stands for the lab's client certificate, used as a CA that
   * did not issue the server's certificate.
   */
  static LoopbackCaptures.Capture failing(String name, String serverArgs, String clientArgs)
      throws Exception {
    return LoopbackCaptures.around(
        name,
        port -> {
          Path d = LoopbackCaptures.dir();
          Path keylog = d.resolve(name + ".keylog");
          List<String> srv = LoopbackCaptures.sServer(port, "-keylogfile", keylog.toString());
          srv.addAll(Arrays.asList(serverArgs.split(" ")));
          Process server = new ProcessBuilder(srv).redirectErrorStream(true).start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            List<String> cli =
                new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
            cli.addAll(
                Arrays.asList(clientArgs.replace("CLIENT_CA", d + "/client.pem").split(" ")));
            Process client =
                new ProcessBuilder(cli)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(client.waitFor(20, TimeUnit.SECONDS)).as("s_client exits").isTrue();
            assertThat(client.exitValue()).as("s_client's handshake fails").isNotZero();
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  /**
   * s_server -stateless: its Hello Retry Request carries a cookie and no key_share (the client's
   * x25519 share was fine); OpenSSL 3.0's client then ends the handshake with decode_error.
   */
  static LoopbackCaptures.Capture cookieRetry() throws Exception {
    return failing("tls13-cookie-retry", "-tls1_3 -stateless", "-tls1_3");
  }

  /** The client does not trust the server's certificate: a fatal unknown_ca, TLS 1.3. */
  static LoopbackCaptures.Capture unknownCa13() throws Exception {
    return failing("tls13-unknown-ca", "-tls1_3", "-tls1_3 -verify_return_error -CAfile CLIENT_CA");
  }

  /** The same on TLS 1.2. */
  static LoopbackCaptures.Capture unknownCa12() throws Exception {
    return failing("tls12-unknown-ca", "-tls1_2", "-tls1_2 -verify_return_error -CAfile CLIENT_CA");
  }

  /**
   * A Hello Retry Request with only a cookie was "the server accepts TLS 1.3 but none of the
   * client's key shares; it names the group to use", the second hello "the same as the first except
   * for a key share on the group the server named", and the summary said "Hello Retry Request: the
   * server asked for a key share on another group", "key exchange: TLS 1.3 (EC)DHE - forward
   * secret" and "certificates: encrypted in TLS 1.3" although no Server Hello ever came.
   */
  @Test
  void cookieOnlyRetryIsNotSaidToRefuseTheKeyShares() throws Exception {
    LoopbackCaptures.Capture c = cookieRetry();
    // tshark: the Hello Retry Request has a cookie (44) and no key_share (51); no Server Hello.
    List<String[]> retry =
        LoopbackCaptures.tshark(
            c,
            "-Y",
            "tls.handshake.extension.type == 44 && !(tls.handshake.extension.type == 51)"
                + " && tcp.srcport == "
                + c.port());
    assertThat(retry).hasSize(1);
    assertThat(retry.get(0)[2]).startsWith("Hello Retry Request");
    // A Hello Retry Request is a Server Hello on the wire (type 2): it is the only one.
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 2")).hasSize(1);

    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .startsWith("Hello Retry Request (RFC 8446 4.1.4)")
        .contains("asks only for its cookie back (RFC 8446 4.2.2)")
        .doesNotContain("none of the client's key shares")
        .doesNotContain("names the group");
    List<String> hellos =
        a.notes(1, C, m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code());
    assertThat(hellos).hasSize(2);
    assertThat(hellos.get(1))
        .startsWith("Second Client Hello")
        .contains("except for the server's cookie sent back")
        .doesNotContain("key share on the group");

    ConnectionFacts f = a.facts().get(0);
    assertThat(f.helloRetryRequest()).isTrue();
    assertThat(f.helloRetryGroup()).isEqualTo(-1);
    assertThat(f.helloRetryCookie()).isTrue();
    assertThat(f.keyExchange()).isEqualTo(KeyExchangeKind.UNKNOWN);
    assertThat(f.forwardSecret()).isFalse();
    assertThat(f.handshakeFinished()).isFalse();
    List<String> sum = TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1);
    assertThat(sum)
        .contains(
            "key exchange: none agreed (no Server Hello followed the Hello Retry Request)",
            "Hello Retry Request: the server asked the client to send back its cookie (RFC 8446"
                + " 4.2.2); it named no other group")
        .noneSatisfy(l -> assertThat(l).contains("forward secret"))
        .noneSatisfy(l -> assertThat(l).startsWith("certificates: encrypted"))
        .noneSatisfy(l -> assertThat(l).contains("another group"))
        .noneSatisfy(l -> assertThat(l).startsWith("renegotiation"));
  }

  /** A retry for a group is still said as one, with the group, in the note and the summary. */
  @Test
  void groupRetryNamesItsGroup() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13Hrr();
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .contains("none of the client's key shares; it names the group to use (secp256r1)");
    // Both sides' compatibility Change Cipher Spec come before the second Client Hello: that
    // hello was once taken for a renegotiation.
    for (KeyMaterial k : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(c.keylog())))
      assertThat(TruthOnRealPeersTest.summary(c, k, 1))
          .contains(
              "Hello Retry Request: the server asked for a key share on secp256r1",
              "handshake: full handshake")
          .noneSatisfy(l -> assertThat(l).startsWith("renegotiation"));
    assertThat(TruthOnRealPeersTest.annotate(c, KeyMaterial.none()).facts().get(0))
        .satisfies(f -> assertThat(f.renegotiationFrame()).isEqualTo(-1));
  }

  /**
   * The client refuses the server's certificate (unknown_ca, tshark shows it sent to the server's
   * port): the summary said "handshake: full handshake" as if it had completed.
   */
  @Test
  void handshakeEndedByAFatalAlertIsNotSaidComplete() throws Exception {
    for (LoopbackCaptures.Capture c : List.of(unknownCa13(), unknownCa12())) {
      List<String[]> alert =
          LoopbackCaptures.tshark(
              c, "-Y", "tls.alert_message.desc == 48 && tcp.dstport == " + c.port());
      assertThat(alert).as(c.name() + ": tshark sees the client's unknown_ca").hasSize(1);
      String frame = alert.get(0)[0];
      ConnectionFacts f = TruthOnRealPeersTest.annotate(c, KeyMaterial.none()).facts().get(0);
      assertThat(f.handshakeFinished()).as(c.name()).isFalse();
      assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
          .as(c.name())
          .contains(
              "handshake: full handshake, not completed: the client ended it with a fatal"
                  + " unknown_ca alert (frame "
                  + frame
                  + ")")
          .doesNotContain("handshake: full handshake");
    }
  }

  /**
   * After the TLS 1.3 Server Hello openssl's client sends its unknown_ca alert in the clear (tshark
   * reads it without keys): the Server Hello note said "Everything after this message is
   * encrypted".
   */
  @Test
  void tls13ServerHelloDoesNotClaimEverythingAfterIsEncrypted() throws Exception {
    LoopbackCaptures.Capture c = unknownCa13();
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.alert_message.desc == 48"))
        .singleElement()
        .satisfies(
            r -> assertThat(r[2]).isEqualTo("Alert (Level: Fatal, Description: Unknown CA)"));
    assertThat(
            TruthOnRealPeersTest.annotate(c, KeyMaterial.none())
                .hs(1, S, HandshakeType.SERVER_HELLO))
        .doesNotContain("Everything after this message is encrypted")
        .contains("Every handshake message after this one is encrypted (RFC 8446 2)")
        .contains(
            "an alert sent before its sender switched to the handshake keys, stay in the clear");
  }

  /** A handshake that did complete keeps its plain line, with and without keys. */
  @Test
  void completedHandshakesStaySaidAsBefore() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13();
    for (KeyMaterial k : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(c.keylog()))) {
      assertThat(TruthOnRealPeersTest.annotate(c, k).facts().get(0).handshakeFinished()).isTrue();
      assertThat(TruthOnRealPeersTest.summary(c, k, 1)).contains("handshake: full handshake");
    }
    LoopbackCaptures.Capture t12 = Scenarios.tls12Gcm();
    for (KeyMaterial k : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(t12.keylog()))) {
      assertThat(TruthOnRealPeersTest.annotate(t12, k).facts().get(0).handshakeFinished()).isTrue();
    }
  }

  /**
   * openssl's 0-RTT (s_client -early_data, accepted: tshark decrypts the early data and the End Of
   * Early Data): the summary said "psk_dhe_ke x25519 - forward secret" and nothing of the early
   * data, and with keys the Encrypted Extensions note did not say the server accepted it.
   */
  @Test
  void earlyDataIsInTheSummaryAndItsAcceptanceInEncryptedExtensions() throws Exception {
    LoopbackCaptures.Capture c = TruthOnRealPeersTest.tls13EarlyData();
    assertThat(TruthOnRealPeersTest.tsharkWithKeys(c))
        .anySatisfy(r -> assertThat(r[2]).contains("End of Early Data"));

    List<String> plain = TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 2);
    assertThat(plain)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("key exchange: TLS 1.3 PSK with (EC)DHE (psk_dhe_ke)")
                    .endsWith(
                        "- forward secret, except the client's 0-RTT early data (keys from the"
                            + " pre-shared key alone, RFC 8446 2.3)"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("early data (0-RTT): the client sent application data")
                    .contains("not forward secret")
                    .endsWith("(a key log shows them)"));
    assertThat(TruthOnRealPeersTest.annotate(c, KeyMaterial.none()).facts().get(1))
        .satisfies(f -> assertThat(f.earlyDataOffered()).isTrue())
        .satisfies(f -> assertThat(f.earlyDataAccepted()).isNull());
    // The first connection made the ticket, without early data.
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .noneSatisfy(l -> assertThat(l).startsWith("early data"))
        .anySatisfy(l -> assertThat(l).endsWith("x25519 - forward secret"));

    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated k = TruthOnRealPeersTest.annotate(c, keys);
    assertThat(k.facts().get(1).earlyDataAccepted()).isTrue();
    assertThat(k.hs(2, S, HandshakeType.ENCRYPTED_EXTENSIONS))
        .endsWith("Its early_data extension accepts the client's 0-RTT data (RFC 8446 4.2.10).");
    assertThat(k.hs(1, S, HandshakeType.ENCRYPTED_EXTENSIONS)).doesNotContain("early_data");
    assertThat(TruthOnRealPeersTest.summary(c, keys, 2))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("early data (0-RTT)")
                    .endsWith("the server accepted it (early_data in its Encrypted Extensions)"));
  }

  /**
   * The server's first encrypted TLS 1.3 flight "carry Encrypted Extensions, Certificate (and
   * Certificate Request), Certificate Verify and Finished": s_server without -verify sends no
   * Certificate Request (tshark with keys).
   */
  @Test
  void serverFlightDoesNotClaimACertificateRequest() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13();
    assertThat(TruthOnRealPeersTest.tsharkWithKeys(c))
        .noneSatisfy(r -> assertThat(r[2]).contains("Certificate Request"));
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.kind(1, S, TlsMessage.Kind.APPLICATION_DATA))
        .startsWith("Application Data in name only")
        .doesNotContain("(and Certificate Request)")
        .contains("a Certificate Request after Encrypted Extensions if the server asks for a");
  }

  /** The HTML page's summary rows (dt: dd) of connection {@code conn}, as Chromium shows them. */
  static Map<String, String> pageSummary(LoopbackCaptures.Capture c, int conn) throws Exception {
    Path out = Path.of("target", "html-pages");
    Files.createDirectories(out);
    Path page = out.resolve(c.name() + ".html").toAbsolutePath();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(page, StandardCharsets.UTF_8))) {
      HtmlReport.write(c.file(), KeyMaterial.none(), AnnotateReport.View.plain(true), w);
    }
    Map<String, String> rows = new LinkedHashMap<>();
    SharedBrowser.load(
        page,
        "",
        out.resolve(c.name() + ".png"),
        p ->
            SharedBrowser.json(
                    p,
                    "[...document.querySelectorAll('#conn-"
                        + conn
                        + " dl.summary dt')].map(d => [d.textContent,"
                        + " d.nextElementSibling.textContent])")
                .getAsJsonArray()
                .forEach(
                    e ->
                        rows.put(
                            e.getAsJsonArray().get(0).getAsString(),
                            e.getAsJsonArray().get(1).getAsString())));
    return rows;
  }

  /**
   * The HTML page's summary box said "Forward secrecy: yes" (then "NO") and "Resumption: full
   * handshake" for the cookie-only retry that agreed no key, "Handshake: FULL" for the handshake
   * the client aborted, and "Forward secrecy: yes" without a word of the 0-RTT data. The Handshake
   * and Key exchange rows showed the Java enum names (FULL, TLS13_PSK, TLS13_ECDHE); they now show
   * the same labels as the text summary.
   */
  @Test
  void htmlSummaryBoxSaysTheSame() throws Exception {
    Map<String, String> retry = pageSummary(cookieRetry(), 1);
    assertThat(retry)
        .containsEntry("Forward secrecy", "—")
        .containsEntry("Resumption", "—")
        .containsEntry("Key exchange", "unknown")
        .containsEntry(
            "Handshake",
            "unknown (no Server Hello seen), after a Hello Retry Request, not seen to complete");
    assertThat(pageSummary(unknownCa13(), 1))
        .containsEntry("Forward secrecy", "yes")
        .containsEntry("Handshake", "full handshake, not seen to complete");
    assertThat(pageSummary(TruthOnRealPeersTest.tls13EarlyData(), 2))
        .containsEntry("Forward secrecy", "yes, except the client's 0-RTT early data")
        .containsEntry("Key exchange", "TLS 1.3 PSK with (EC)DHE (psk_dhe_ke)")
        .containsEntry("Handshake", "TLS 1.3 resumption with a pre-shared key (RFC 8446 2.2)");
    assertThat(pageSummary(Scenarios.tls13(), 1))
        .containsEntry("Forward secrecy", "yes")
        .containsEntry("Key exchange", "TLS 1.3 (EC)DHE")
        .containsEntry("Handshake", "full handshake")
        .containsEntry("Resumption", "full handshake");
  }

  /**
   * s_server's "r": the server asks for a renegotiation (Hello Request), the client makes one;
   * s_server reads on once it is done ("Read BLOCK").
   */
  static LoopbackCaptures.Capture serverRenegotiation() throws Exception {
    return TruthOnRealPeersTest.commands(
        "tls12-server-reneg", "-tls1_2", "-tls1_2", true, "r\n", "Read BLOCK", true);
  }

  /**
   * A renegotiation the server asked for, done as an abbreviated handshake (tshark with keys: Hello
   * Request, Client Hello, then Server Hello, Change Cipher Spec, Finished). With keys the summary
   * said "handshake: resumed by session ticket" and "key exchange: none in this abbreviated
   * handshake" of a connection that began with a full ECDHE handshake, and decryption stopped at
   * the renegotiated keys: "a record failed to decrypt (AEADBadTagException): wrong keys?". Without
   * keys the summary did not mention the renegotiation at all.
   */
  @Test
  void renegotiationKeepsTheFirstHandshakeAndDecryptsLikeTshark() throws Exception {
    LoopbackCaptures.Capture c = serverRenegotiation();
    List<String[]> t = TruthOnRealPeersTest.tsharkWithKeys(c);
    assertThat(t)
        .anySatisfy(r -> assertThat(r[2]).isEqualTo("Hello Request"))
        .anySatisfy(r -> assertThat(r[2]).isEqualTo("Server Hello, Change Cipher Spec, Finished"));
    String helloRequest =
        t.stream().filter(r -> r[2].equals("Hello Request")).findFirst().orElseThrow()[0];
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);

    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ConnectionFacts k = TruthOnRealPeersTest.annotate(c, keys).facts().get(0);
    assertThat(k.mode()).isEqualTo(tlslab.wire.HandshakeMode.FULL);
    assertThat(k.resumed()).isFalse();
    assertThat(k.renegotiationFrame()).isEqualTo(Long.parseLong(helloRequest));
    // The renegotiating hello offers the ticket and the session id, which the server echoes: by
    // ticket or by id, the capture cannot tell (RFC 5077 3.4). It was "resumed by session ticket".
    assertThat(k.renegotiationMode())
        .isEqualTo(tlslab.wire.HandshakeMode.RESUMED_TICKET_OR_SESSION_ID);
    assertThat(k.decryptionStatus()).isNull();
    List<String> withKeys = TruthOnRealPeersTest.summary(c, keys, 1);
    assertThat(withKeys)
        .contains(
            "handshake: full handshake",
            "renegotiation: handshake messages after the first handshake's Finished, under its"
                + " keys (from frame "
                + helloRequest
                + ", RFC 5746): a new handshake, resumed (abbreviated handshake) by session"
                + " ticket or by session id: the client offered both, and the server echoes the"
                + " session id either way (RFC 5077 3.4)")
        .anySatisfy(l -> assertThat(l).startsWith("key exchange: ECDHE x25519 - forward secret"))
        .noneSatisfy(l -> assertThat(l).contains("wrong keys"));

    List<String> plain = TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1);
    assertThat(plain)
        .contains("handshake: full handshake")
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("renegotiation: handshake messages after the first handshake's")
                    .endsWith("whether it was refused or completed is hidden without keys"));
  }

  /**
   * A renegotiation the server refuses (s_client's "R"): started, and no Server Hello with keys.
   */
  @Test
  void refusedRenegotiationIsInTheSummary() throws Exception {
    LoopbackCaptures.Capture c = TruthOnRealPeersTest.renegotiation();
    // tshark with keys: after the server's no_renegotiation the client ends with a fatal
    // handshake_failure; the handshake line said only "full handshake".
    List<String[]> fatal =
        LoopbackCaptures.tshark(
            c,
            "-o",
            "tls.keylog_file:" + c.keylog(),
            "-Y",
            "tls.alert_message.level == 2 && tls.alert_message.desc == 40 && tcp.dstport == "
                + c.port());
    assertThat(fatal).hasSize(1);
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none().withKeyLog(c.keylog()), 1))
        .contains(
            "handshake: full handshake, then the client ended the connection with a fatal"
                + " handshake_failure alert (frame "
                + fatal.get(0)[0]
                + ")")
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("renegotiation: ")
                    .endsWith("RFC 5746): no Server Hello answered it"));
  }

  /**
   * Headless Chromium sends encrypted_client_hello (tshark: extension 65037) on every connection:
   * with a real ECH key the name in SNI is only the outer, public one, and the summary said "server
   * name (SNI): localhost" as if it were surely the site. openssl's hello has none, and no word of
   * it.
   */
  /**
   * Headless Chromium loads a page with two images and a script from openssl s_server -WWW (which
   * closes each connection after one answer), as https://lab.example (mapped to 127.0.0.1, so the
   * hello carries that name in SNI): the later connections resume with tickets from the first.
   * Chromium writes the key log (SSLKEYLOGFILE).
   */
  static LoopbackCaptures.Capture chromiumVisits() throws Exception {
    return LoopbackCaptures.around(
        "chromium-visits",
        port -> {
          Path d = LoopbackCaptures.dir().resolve("chromium-visits");
          Path www = d.resolve("www");
          Files.createDirectories(www);
          // s_server -WWW answers one request per connection: each resource the page names needs
          // a connection of its own, opened once the first one brought its tickets. (Chromium
          // opens a spare connection at once, before any ticket: that one is a full handshake.)
          Files.writeString(
              www.resolve("index.html"),
              "<html><body>page<img src=\"/a.png\"><img src=\"/b.png\">"
                  + "<script src=\"/c.js\"></script></body></html>");
          for (String f : List.of("a.png", "b.png"))
            Files.write(www.resolve(f), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
          Files.writeString(www.resolve("c.js"), "document.body.append('js');");
          Path keylog = d.resolve("chromium.keylog");
          Process server =
              new ProcessBuilder(LoopbackCaptures.sServer(port, "-WWW"))
                  .directory(www.toFile())
                  .redirectErrorStream(true)
                  .start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            List<String> chromium = new ArrayList<>(HeadlessChromium.baseFlags(d.resolve("prof")));
            chromium.addAll(
                List.of(
                    "--ignore-certificate-errors",
                    "--host-resolver-rules=MAP lab.example 127.0.0.1",
                    "--dump-dom",
                    "https://lab.example:" + port + "/index.html"));
            LoopbackCaptures.runWithKeyLog(chromium, keylog, 60);
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  @Test
  void echMakesTheSniOnlyTheOuterName() throws Exception {
    LoopbackCaptures.Capture c = chromiumVisits();
    assertThat(
            LoopbackCaptures.tshark(
                c, "-Y", "tls.handshake.type == 1 && tls.handshake.extension.type == 65037"))
        .isNotEmpty();
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(0).echOffered()).isTrue();
    assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
        .contains("encrypted_client_hello (ECH, draft-ietf-tls-esni)")
        .contains("the SNI above only the outer, public name");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("server name (SNI): ")
                    .endsWith(
                        "(the outer name: the hello also carries encrypted_client_hello,"
                            + " which may hide the real one)"));

    LoopbackCaptures.Capture openssl = Scenarios.tls13();
    assertThat(LoopbackCaptures.tshark(openssl, "-Y", "tls.handshake.extension.type == 65037"))
        .isEmpty();
    ExplanationMatrixTest.Annotated o = TruthOnRealPeersTest.annotate(openssl, KeyMaterial.none());
    assertThat(o.facts().get(0).echOffered()).isFalse();
    assertThat(o.allNotes()).noneSatisfy(n -> assertThat(n).contains("encrypted_client_hello"));
  }

  /**
   * Chromium's later connections (the images, the script) offer a ticket and the server accepts it
   * (tshark with Chromium's key log: no Certificate on it): the resumption is said from the Server
   * Hello's pre_shared_key, with psk_dhe_ke, and the first connection stays a full handshake.
   */
  @Test
  void chromiumSecondVisitIsAPskResumption() throws Exception {
    LoopbackCaptures.Capture c = chromiumVisits();
    List<String[]> t = TruthOnRealPeersTest.tsharkWithKeys(c);
    assertThat(t)
        .anySatisfy(
            r ->
                assertThat(r[2])
                    .isEqualTo(
                        "Server Hello, Change Cipher Spec, Encrypted Extensions," + " Finished"));
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, keys);
    assertThat(a.facts()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(a.facts().get(0).mode()).isEqualTo(tlslab.wire.HandshakeMode.FULL);
    assertThat(a.facts().get(0).serverCertificates()).isNotEmpty();
    ConnectionFacts resumed =
        a.facts().stream()
            .filter(f -> f.mode() == tlslab.wire.HandshakeMode.TLS13_PSK)
            .findFirst()
            .orElseThrow();
    assertThat(resumed.serverCertificates()).isEmpty();
    assertThat(resumed.keyExchange()).isEqualTo(KeyExchangeKind.PSK_ECDHE);
    assertThat(a.hs(resumed.index(), S, HandshakeType.SERVER_HELLO))
        .contains("accepts the client's pre-shared key (RFC 8446 4.2.11, 2.2)")
        .contains("psk_dhe_ke, 4.2.9): forward secret");
    assertThat(a.hs(resumed.index(), C, HandshakeType.CLIENT_HELLO))
        .contains("pre_shared_key (RFC 8446 4.2.11)");
  }

  /**
   * curl fetches two URLs from openssl s_server -www over TLS 1.2 (s_server closes each connection
   * after its page): the second connection resumes the first session by its id (curl's OpenSSL
   * build sends no session ticket). curl offers ALPN h2 and http/1.1; s_server answers neither.
   */
  static LoopbackCaptures.Capture curlTwice() throws Exception {
    return LoopbackCaptures.around(
        "curl-tls12-twice",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path keylog = d.resolve("curl-tls12-twice.keylog");
          Process server =
              new ProcessBuilder(
                      LoopbackCaptures.sServer(
                          port, "-keylogfile", keylog.toString(), "-tls1_2", "-www"))
                  .redirectErrorStream(true)
                  .start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            String url = "https://127.0.0.1:" + port + "/";
            Process curl =
                new ProcessBuilder(
                        "curl",
                        "-sk",
                        "--tlsv1.2",
                        "--tls-max",
                        "1.2",
                        "-o",
                        "/dev/null",
                        url,
                        "-o",
                        "/dev/null",
                        url)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl exits").isTrue();
            assertThat(curl.exitValue()).as("curl's exit code").isZero();
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  /**
   * curl's second TLS 1.2 connection resumes by session id (tshark: its Server Hello echoes the id
   * and no Certificate follows), and the server chose no ALPN protocol (its Server Hello has no
   * ALPN extension, 16): the summary said only "ALPN offered: h2, http/1.1", as if the answer were
   * unknown. In TLS 1.3 the answer is in Encrypted Extensions: known only with keys.
   */
  @Test
  void curlResumesBySessionIdAndTheAlpnAnswerIsSaid() throws Exception {
    LoopbackCaptures.Capture c = curlTwice();
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 2")).hasSize(2);
    assertThat(
            LoopbackCaptures.tshark(
                c, "-Y", "tls.handshake.type == 2 && tls.handshake.extension.type == 16"))
        .isEmpty();
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 11")).hasSize(1);
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts()).hasSize(2);
    assertThat(a.facts().get(0).mode()).isEqualTo(tlslab.wire.HandshakeMode.FULL);
    assertThat(a.facts().get(1).mode()).isEqualTo(tlslab.wire.HandshakeMode.RESUMED_SESSION_ID);
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .contains("It echoes the session id the client offered: an abbreviated handshake");
    for (int conn = 1; conn <= 2; conn++)
      assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), conn))
          .contains(
              "ALPN offered: h2, http/1.1; chosen: none (the server's Server Hello has no ALPN)");

    LoopbackCaptures.Capture t13 = chromiumVisits();
    assertThat(TruthOnRealPeersTest.summary(t13, KeyMaterial.none(), 1))
        .contains(
            "ALPN offered: h2, http/1.1; chosen: encrypted (Encrypted Extensions, a key log shows"
                + " it)");
    assertThat(TruthOnRealPeersTest.summary(t13, KeyMaterial.none().withKeyLog(t13.keylog()), 1))
        .contains(
            "ALPN offered: h2, http/1.1; chosen: none (the server's Encrypted Extensions has no"
                + " ALPN)");
  }
}
