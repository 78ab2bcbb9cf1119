package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.wire.HandshakeMode;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;

/**
 * What the lab says about pre-shared keys and resumption on real peers' traffic: TLS 1.3 psk_ke (no
 * (EC)DHE, so not forward secret) and psk_dhe_ke resumptions, an external PSK that resumes nothing,
 * and TLS 1.2 resumption when the client offers a session id and a ticket at once (RFC 5077 3.4).
 * The peers are openssl s_server / s_client and tlslite-ng (tlsfuzzer's TLS stack, from
 * ../shared/tlsfuzzer) as a client that offers psk_ke alone, which OpenSSL's client never does (it
 * always offers psk_dhe_ke too, and OpenSSL 3.0's server then takes that). tshark reads the same
 * files.
 */
@Tag("slow")
class TruthOnResumptionTest {

  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        List.of(
            TruthOnResumptionTest::externalPsk,
            TruthOnResumptionTest::opensslResumption13,
            TruthOnResumptionTest::ticketAndSessionId,
            TruthOnResumptionTest::sessionCacheOnly,
            TruthOnResumptionTest::ticketNoCache,
            TruthOnResumptionTest::externalPskEarlyData));
  }

  private static final Sender C = Sender.CLIENT;
  private static final Sender S = Sender.SERVER;

  /** s_client -psk against s_server -psk -nocert: a key both sides were given, no ticket. */
  static LoopbackCaptures.Capture externalPsk() throws Exception {
    String psk = "00112233445566778899aabbccddeeff";
    return LoopbackCaptures.openssl(
        "tls13-external-psk", "-tls1_3 -nocert -psk " + psk, List.of("-tls1_3 -psk " + psk), 0);
  }

  /** OpenSSL's own TLS 1.3 resumption (-sess_out / -sess_in): psk_dhe_ke. */
  static LoopbackCaptures.Capture opensslResumption13() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-resumption-dhe",
        "-tls1_3 -allow_no_dhe_kex",
        List.of("-tls1_3 -sess_out SESS", "-tls1_3 -allow_no_dhe_kex -sess_in SESS"),
        0);
  }

  /** TLS 1.2 with tickets (s_server's default): the client resumes offering ticket and id. */
  static LoopbackCaptures.Capture ticketAndSessionId() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-ticket-and-id",
        "-tls1_2",
        List.of("-tls1_2 -sess_out SESS", "-tls1_2 -sess_in SESS"),
        0);
  }

  /** TLS 1.2 without tickets (s_server -no_ticket): the server's cache resumes by session id. */
  static LoopbackCaptures.Capture sessionCacheOnly() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-cache-only",
        "-tls1_2 -no_ticket",
        List.of("-tls1_2 -sess_out SESS", "-tls1_2 -sess_in SESS"),
        0);
  }

  /**
   * TLS 1.2 with tickets but no session cache (s_server -no_cache): the ticket is the only way the
   * server can resume, yet the capture shows the same echo as a cache hit would.
   */
  static LoopbackCaptures.Capture ticketNoCache() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-ticket-no-cache",
        "-tls1_2 -no_cache",
        List.of("-tls1_2 -sess_out SESS", "-tls1_2 -sess_in SESS"),
        0);
  }

  /**
   * 0-RTT on an external PSK: the session that {@link TruthOnRealPeersTest#tls13EarlyData} saved
   * (it allows early data) is given to both ends as an external key (s_server / s_client
   * -psk_session), and the client sends early data on it: no ticket, no earlier session on this
   * server (RFC 8446 4.2.10 allows early data on any PSK provisioned for it).
   */
  static LoopbackCaptures.Capture externalPskEarlyData() throws Exception {
    TruthOnRealPeersTest.tls13EarlyData();
    Path d = LoopbackCaptures.dir();
    Path sess = d.resolve("tls13-early-data.sess");
    Path early = d.resolve("early-data.txt");
    return LoopbackCaptures.openssl(
        "tls13-external-psk-early-data",
        "-tls1_3 -nocert -early_data -psk_session " + sess,
        List.of("-tls1_3 -psk_session " + sess + " -early_data " + early),
        0);
  }

  /**
   * tlslite-ng resumes with psk_key_exchange_modes = psk_ke only, against s_server
   * -allow_no_dhe_kex: a full handshake, then one on the ticket it got, without (EC)DHE.
   */
  static LoopbackCaptures.Capture pskKeOnly() throws Exception {
    Path tlsfuzzer = Path.of("../shared/tlsfuzzer").toAbsolutePath().normalize();
    Assumptions.assumeTrue(
        Files.isDirectory(tlsfuzzer.resolve("tlslite")),
        tlsfuzzer + " is absent: the psk_ke client (tlslite-ng) is not run");
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "/usr/bin/python3 is absent");
    return LoopbackCaptures.around(
        "tls13-psk-ke",
        port -> {
          Path d = LoopbackCaptures.dir();
          Path keylog = d.resolve("tls13-psk-ke.keylog");
          Path script = d.resolve("psk_ke_client.py");
          Files.writeString(script, PSK_KE_CLIENT);
          Process server =
              new ProcessBuilder(
                      LoopbackCaptures.sServer(
                          port, "-keylogfile", keylog.toString(), "-tls1_3", "-allow_no_dhe_kex"))
                  .redirectErrorStream(true)
                  .start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            ProcessBuilder pb =
                new ProcessBuilder(python.toString(), script.toString(), Integer.toString(port))
                    .redirectErrorStream(true);
            pb.environment().put("PYTHONPATH", tlsfuzzer.toString());
            Process client = pb.start();
            // The client prints "connected" after each handshake, then waits for the server's
            // line: s_server sends what it reads on its standard input to the open connection.
            java.io.BufferedReader out =
                new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        client.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder said = new StringBuilder();
            java.util.concurrent.CompletableFuture<Void> reader =
                java.util.concurrent.CompletableFuture.runAsync(
                    () -> {
                      try {
                        String line;
                        while ((line = out.readLine()) != null) {
                          synchronized (said) {
                            said.append(line).append('\n');
                          }
                          if (line.equals("connected")) {
                            server.getOutputStream().write("hello from server\n".getBytes());
                            server.getOutputStream().flush();
                          }
                        }
                      } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    });
            boolean ended = client.waitFor(30, TimeUnit.SECONDS);
            if (!ended) client.destroyForcibly();
            reader.get(5, TimeUnit.SECONDS);
            assertThat(ended).as("tlslite client exits: " + said).isTrue();
            assertThat(client.exitValue()).as("tlslite client: " + said).isZero();
            assertThat(said.toString()).contains("resumed: True");
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  /** Two connections with tlslite-ng: the second presents the first one's ticket, psk_ke only. */
  private static final String PSK_KE_CLIENT =
      """
      import socket, sys
      from tlslite.api import TLSConnection, HandshakeSettings
      s = HandshakeSettings()
      s.minVersion = (3, 4)
      s.maxVersion = (3, 4)
      s.psk_modes = ["psk_ke"]
      def connect(session=None):
          c = TLSConnection(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
          c.handshakeClientCert(session=session, settings=s)
          print("connected", flush=True)
          c.write(b"hello from client\\n")
          c.read(max=100, min=1)  # the server's line; its tickets are read on the way
          resumed = c.resumed
          c.close()
          return c.session, resumed
      first, _ = connect()
      _, resumed = connect(first)
      print("resumed:", resumed, flush=True)
      """;

  /**
   * An external PSK (s_client -psk, the first and only connection) was "It accepts the client's
   * pre-shared key (RFC 8446 4.2.11, 2.2): a resumption from an earlier ticket", the Client Hello
   * "offers to resume a session from an earlier ticket" and the summary "handshake: TLS 1.3
   * resumption with a pre-shared key": no ticket was ever issued, nothing was resumed.
   */
  @Test
  void externalPskIsNotCalledAResumption() throws Exception {
    LoopbackCaptures.Capture c = externalPsk();
    // tshark: one connection, whose hello's only identity has obfuscated_ticket_age 0, and the
    // server selects it; no earlier connection could have issued a ticket.
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 1")).hasSize(1);
    assertThat(
            LoopbackCaptures.tshark(
                c, "-Y", "tls.handshake.extensions.psk.identity.obfuscated_ticket_age == 0"))
        .hasSize(1);
    assertThat(
            LoopbackCaptures.tshark(
                c,
                "-Y",
                "tls.handshake.type == 2 && tls.handshake.extensions.psk.identity.selected"))
        .hasSize(1);

    for (KeyMaterial k : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(c.keylog()))) {
      ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, k);
      assertThat(a.facts()).hasSize(1);
      ConnectionFacts f = a.facts().get(0);
      assertThat(f.mode()).isEqualTo(HandshakeMode.TLS13_EXTERNAL_PSK);
      assertThat(f.resumed()).isFalse();
      assertThat(f.keyExchange()).isEqualTo(KeyExchangeKind.PSK_ECDHE);
      assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
          .contains("it offers a key set up outside TLS (an external PSK")
          .doesNotContain("earlier ticket");
      assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
          .contains("a key set up outside TLS")
          .contains("not a resumption")
          .doesNotContain("a resumption from an earlier");
      assertThat(a.allNotes()).noneSatisfy(n -> assertThat(n).contains("PSK resumption"));
      assertThat(TruthOnRealPeersTest.summary(c, k, 1))
          .contains(
              "handshake: TLS 1.3 handshake with an external pre-shared key (RFC 8446 2.2,"
                  + " 4.2.11: its obfuscated_ticket_age is 0), not a resumption")
          .noneSatisfy(l -> assertThat(l).contains("resumption with a pre-shared key"));
    }
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);
  }

  /**
   * psk_ke (tshark: the resumed Server Hello has pre_shared_key and no key_share): the summary said
   * "NOT forward secret: whoever learns the resumption secret decrypts it", which leaves out the
   * server's ticket key; with keys the lab decrypts it as tshark does.
   */
  @Test
  void pskKeResumptionIsNotForwardSecret() throws Exception {
    LoopbackCaptures.Capture c = pskKeOnly();
    List<String[]> hellos = LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 2");
    assertThat(hellos).hasSize(2);
    // 41 pre_shared_key, 51 key_share.
    List<String[]> pskOnly =
        LoopbackCaptures.tshark(
            c,
            "-Y",
            "tls.handshake.type == 2 && tls.handshake.extension.type == 41"
                + " && !(tls.handshake.extension.type == 51)");
    assertThat(pskOnly)
        .as("tshark: the second Server Hello takes the PSK without (EC)DHE")
        .hasSize(1);
    assertThat(pskOnly.get(0)[0]).isEqualTo(hellos.get(1)[0]);
    assertThat(
            LoopbackCaptures.tshark(
                c, "-Y", "tls.handshake.type == 1 && tls.extension.psk_ke_mode == 1"))
        .as("no hello offers psk_dhe_ke")
        .isEmpty();

    for (KeyMaterial k : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(c.keylog()))) {
      ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, k);
      ConnectionFacts f = a.facts().get(1);
      assertThat(f.mode()).isEqualTo(HandshakeMode.TLS13_PSK);
      assertThat(f.keyExchange()).isEqualTo(KeyExchangeKind.PSK);
      assertThat(f.forwardSecret()).isFalse();
      assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
          .contains("a resumption from an earlier session's ticket")
          .contains("Without a key share this is psk_ke (4.2.9)")
          .contains("the server's key that seals its tickets")
          .doesNotContain("forward secret.");
      assertThat(TruthOnRealPeersTest.summary(c, k, 2))
          .contains(
              "key exchange: TLS 1.3 PSK only (psk_ke) - NOT forward secret: whoever learns the"
                  + " pre-shared key (from the earlier session's resumption secret, or the"
                  + " server's key that seals its tickets) decrypts it",
              "handshake: TLS 1.3 resumption with a pre-shared key (RFC 8446 2.2)");
      assertThat(TruthOnRealPeersTest.summary(c, k, 1))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("key exchange: TLS 1.3 (EC)DHE")
                      .endsWith(" - forward secret"));
    }
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);
    ConnectionFacts keyed =
        TruthOnRealPeersTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog())).facts().get(1);
    assertThat(keyed.decryptionStatus()).isNull();
    assertThat(keyed.decryptedRecords()).isPositive();
  }

  /** OpenSSL's resumption takes psk_dhe_ke (tshark: key_share in the resumed Server Hello). */
  @Test
  void pskDheKeResumptionIsForwardSecret() throws Exception {
    LoopbackCaptures.Capture c = opensslResumption13();
    assertThat(
            LoopbackCaptures.tshark(
                c,
                "-Y",
                "tls.handshake.type == 2 && tls.handshake.extension.type == 41"
                    + " && tls.handshake.extension.type == 51"))
        .hasSize(1);
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.TLS13_PSK);
    assertThat(a.facts().get(1).keyExchange()).isEqualTo(KeyExchangeKind.PSK_ECDHE);
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .contains("it offers to resume a session from an earlier ticket");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 2))
        .contains("key exchange: TLS 1.3 PSK with (EC)DHE (psk_dhe_ke) x25519 - forward secret");
  }

  /**
   * openssl's client resumes a ticketed TLS 1.2 session offering the ticket and a session id it
   * made up (tshark: the first Server Hello's session id is empty, the second echoes the client's):
   * the lab said "resumed by session ticket" and "it accepted the ticket", but a server that finds
   * the id in its cache echoes it the same way (RFC 5077 3.4), so the capture cannot tell.
   */
  @Test
  void ticketAndSessionIdResumptionIsHedged() throws Exception {
    LoopbackCaptures.Capture c = ticketAndSessionId();
    // tshark: the first Server Hello gives no session id and the connection gets a ticket; the
    // second Client Hello presents that very ticket and a 32-byte id, which the server echoes.
    assertThat(LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 2"))
        .extracting(r -> r[0])
        .containsExactlyElementsOf(
            LoopbackCaptures.tshark(
                    c,
                    "-Y",
                    "tls.handshake.type == 2 && (tls.handshake.session_id_length == 0"
                        + " || tls.handshake.session_id_length == 32)")
                .stream()
                .map(r -> r[0])
                .toList());
    List<String> tickets = fields(c, "tls.handshake.type == 4", "tls.handshake.session_ticket");
    assertThat(tickets).hasSize(1);
    List<String> ids =
        fields(
            c,
            "tls.handshake.type == 1 && tls.handshake.extension.data == " + tickets.get(0),
            "tls.handshake.session_id");
    assertThat(ids).as("tshark: a later hello presents the ticket").hasSize(1);
    assertThat(fields(c, "tls.handshake.type == 2", "tls.handshake.session_id"))
        .containsExactly("", ids.get(0));

    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.RESUMED_TICKET_OR_SESSION_ID);
    assertThat(a.facts().get(1).resumed()).isTrue();
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .contains("the capture cannot tell by which")
        .contains("RFC 5077 3.4")
        .doesNotContain("it accepted the ticket");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 2))
        .contains(
            "handshake: resumed (abbreviated handshake) by session ticket or by session id: the"
                + " client offered both, and the server echoes the session id either way (RFC 5077"
                + " 3.4)")
        .doesNotContain("handshake: resumed by session ticket (abbreviated handshake, RFC 5077)");
  }

  /**
   * The hedge from the server's side: s_server with tickets and without its session cache
   * (-no_cache) can resume only from the ticket, and the capture is the same as with the cache on
   * (tshark: the second hello presents the ticket and an id, the Server Hello echoes the id, no
   * Certificate follows), so the lab hedges the same way: it reads the capture, not the server's
   * settings. (With -no_ticket and -no_cache the server gives no session id at all, so there is
   * nothing to resume and s_client saves no session.)
   */
  @Test
  void ticketOrIdHedgeHoldsWhateverTheServersCacheAndTicketSettings() throws Exception {
    LoopbackCaptures.Capture c = ticketNoCache();
    List<String> tickets = fields(c, "tls.handshake.type == 4", "tls.handshake.session_ticket");
    assertThat(tickets).as("tshark: tickets issued").isNotEmpty();
    List<String> ids =
        fields(
            c,
            "tls.handshake.type == 1 && tls.handshake.extension.data == " + tickets.get(0),
            "tls.handshake.session_id");
    assertThat(ids).as("tshark: a later hello presents the ticket").hasSize(1);
    assertThat(fields(c, "tls.handshake.type == 2", "tls.handshake.session_id"))
        .containsExactly("", ids.get(0));
    assertThat(fields(c, "tls.handshake.type == 11", "frame.number")).hasSize(1);
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.RESUMED_TICKET_OR_SESSION_ID);
    assertThat(a.hs(2, S, HandshakeType.SERVER_HELLO))
        .contains("the capture cannot tell by which")
        .doesNotContain("it accepted the ticket");
  }

  /**
   * 0-RTT on an external PSK (tshark: obfuscated_ticket_age 0, early_data offered and, with keys,
   * accepted in Encrypted Extensions): every early-data sentence holds without a ticket or an
   * earlier session, and the handshake is said to be no resumption.
   */
  @Test
  void earlyDataOnAnExternalPskIsNotCalledAResumption() throws Exception {
    LoopbackCaptures.Capture c = externalPskEarlyData();
    String keys = "tls.keylog_file:" + c.keylog();
    // tshark: one connection; its hello offers early_data (42) and a PSK whose
    // obfuscated_ticket_age is 0 (an external key); the server takes it.
    assertThat(fields(c, "tls.handshake.type == 1", "tls.handshake.extension.type"))
        .singleElement()
        .satisfies(t -> assertThat(t.split(",")).contains("42", "41"));
    assertThat(
            fields(
                c,
                "tls.handshake.type == 1",
                "tls.handshake.extensions.psk.identity.obfuscated_ticket_age"))
        .containsExactly("0");
    assertThat(fields(c, "tls.handshake.type == 2", "tls.handshake.extension.type"))
        .singleElement()
        .satisfies(t -> assertThat(t.split(",")).contains("41"));
    // With the key log: the server's Encrypted Extensions accepts the early data, and the
    // client's End Of Early Data (5) follows it.
    assertThat(fields(c, "tls.handshake.type == 8", "tls.handshake.extension.type", "-o", keys))
        .singleElement()
        .satisfies(t -> assertThat(t.split(",")).contains("42"));
    assertThat(fields(c, "tls.handshake.type == 5", "frame.number", "-o", keys)).hasSize(1);
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);

    for (KeyMaterial km : List.of(KeyMaterial.none(), KeyMaterial.none().withKeyLog(c.keylog()))) {
      ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, km);
      assertThat(a.facts().get(0).mode()).isEqualTo(HandshakeMode.TLS13_EXTERNAL_PSK);
      assertThat(a.facts().get(0).earlyDataOffered()).isTrue();
      assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
          .contains("it offers a key set up outside TLS (an external PSK")
          .contains("early_data (RFC 8446 4.2.10)");
      List<String> early = a.notes(1, C, m -> m.type() == TlsMessage.Kind.APPLICATION_DATA);
      assertThat(early.get(0))
          .startsWith("Early data (0-RTT, RFC 8446 2.3, 4.2.10)")
          .contains("from the pre-shared key alone")
          .doesNotContain("resum")
          .doesNotContain("ticket")
          .doesNotContain("earlier session");
      List<String> summary = TruthOnRealPeersTest.summary(c, km, 1);
      assertThat(summary)
          .anySatisfy(l -> assertThat(l).startsWith("handshake: ").endsWith("not a resumption"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("early data (0-RTT): ")
                      .doesNotContain("resum")
                      .doesNotContain("ticket"));
    }
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none().withKeyLog(c.keylog()), 1))
        .anySatisfy(
            l ->
                assertThat(l)
                    .endsWith("the server accepted it (early_data in its Encrypted Extensions)"));
  }

  /** tshark's values of one field in the frames that match {@code filter}, one line a frame. */
  static List<String> fields(
      LoopbackCaptures.Capture c, String filter, String field, String... options) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("tshark", "-r", c.file().toString(), "-d", "tcp.port==" + c.port() + ",tls"));
    cmd.addAll(List.of(options));
    cmd.addAll(List.of("-Y", filter, "-T", "fields", "-e", field));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("tshark " + filter).isZero();
    // One line per matching frame, each ended by a newline (an empty value is an empty line).
    return out.isEmpty() ? List.of() : List.of(out.substring(0, out.length() - 1).split("\n", -1));
  }

  /** Without tickets the echo can only be the session cache: that stays said plainly. */
  @Test
  void sessionIdResumptionWithoutTicketIsSaidPlainly() throws Exception {
    LoopbackCaptures.Capture c = sessionCacheOnly();
    // tshark: no New Session Ticket, and the second Server Hello echoes the id the first gave.
    assertThat(fields(c, "tls.handshake.type == 4", "frame.number")).isEmpty();
    List<String> ids = fields(c, "tls.handshake.type == 2", "tls.handshake.session_id");
    assertThat(ids).hasSize(2);
    assertThat(ids.get(0)).isNotEmpty().isEqualTo(ids.get(1));
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.RESUMED_SESSION_ID);
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 2))
        .contains("handshake: resumed by session id (abbreviated handshake)");
  }
}
