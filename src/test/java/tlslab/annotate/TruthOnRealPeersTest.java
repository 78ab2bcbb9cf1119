package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.wire.HandshakeType;

/**
 * Sentences that were wrong on real peers' traffic (openssl s_server / s_client on loopback,
 * captured by tcpdump), each checked here against what the traffic is: tshark's decryption of the
 * same frames with the same key log, and the RFC. See also {@link RealCaptureTruthTest} for other
 * people's captures.
 */
@Tag("slow")
class TruthOnRealPeersTest {

  /** Makes the captures (and tshark's decryption of them) ahead, a few at a time. */
  @BeforeAll
  static void prepare() {
    List<LoopbackCaptures.Make<?>> work = new ArrayList<>();
    for (LoopbackCaptures.Make<LoopbackCaptures.Capture> m :
        List.<LoopbackCaptures.Make<LoopbackCaptures.Capture>>of(
            TruthOnRealPeersTest::tls13EarlyData,
            TruthOnRealPeersTest::keyUpdate,
            TruthOnRealPeersTest::postHandshakeAuth,
            TruthOnRealPeersTest::renegotiation)) {
      work.add(() -> tsharkWithKeys(m.make()));
    }
    work.add(TruthOnRealPeersTest::tls10Refused);
    work.add(Scenarios::tls13ClientAuth);
    work.add(Scenarios::tls10Cbc);
    work.add(Scenarios::clientAuth);
    work.add(Scenarios::tls12Gcm);
    LoopbackCaptures.prepare(work);
  }

  /** tshark's labels with the capture's key log. */
  static List<String[]> tsharkWithKeys(LoopbackCaptures.Capture c) throws Exception {
    return LoopbackCaptures.tshark(c, "-o", "tls.keylog_file:" + c.keylog());
  }

  private static final Sender C = Sender.CLIENT;
  private static final Sender S = Sender.SERVER;

  /** TLS 1.3 resumption with 0-RTT early data (s_server -early_data, s_client -early_data). */
  static LoopbackCaptures.Capture tls13EarlyData() throws Exception {
    Path early = LoopbackCaptures.dir().resolve("early-data.txt");
    Files.writeString(early, "early data from client\n");
    return LoopbackCaptures.openssl(
        "tls13-early-data",
        "-early_data",
        List.of("-tls1_3 -sess_out SESS", "-tls1_3 -sess_in SESS -early_data " + early),
        0);
  }

  /**
   * One s_server / s_client session with a command typed after the handshake (s_client's "k" Key
   * Update, "R" renegotiation; s_server's "c" post-handshake certificate request). Each step waits
   * for the one before it to have happened, as {@link LoopbackCaptures#openssl} does: the typed
   * command goes in once the server has printed the client's line, and the server answers once it
   * has printed {@code serverSees}, what s_server prints when the command has reached it.
   *
   * @param typedOnServer true: the command is typed into s_server, else into s_client
   * @param sessionGoesOn false when the command ends the session (a refused renegotiation): then
   *     nothing more is sent, and s_client ends by itself
   */
  static LoopbackCaptures.Capture commands(
      String name,
      String serverArgs,
      String clientArgs,
      boolean typedOnServer,
      String typed,
      String serverSees,
      boolean sessionGoesOn)
      throws Exception {
    return LoopbackCaptures.around(
        name,
        port -> {
          Path d = LoopbackCaptures.dir();
          Path keylog = d.resolve(name + ".keylog");
          List<String> srv = LoopbackCaptures.sServer(port, "-keylogfile", keylog.toString());
          srv.addAll(Arrays.asList(serverArgs.replace("CLIENT_CA", d + "/client.pem").split(" ")));
          Process server = new ProcessBuilder(srv).redirectErrorStream(true).start();
          Process client = null;
          try {
            LoopbackCaptures.Lines serverSays =
                new LoopbackCaptures.Lines(server.getInputStream(), "s_server");
            int seen = serverSays.await("ACCEPT", 0);
            List<String> cli =
                new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
            cli.addAll(
                Arrays.asList(
                    clientArgs
                        .replace("CLIENT_CERT", d + "/client.pem")
                        .replace("CLIENT_KEY", d + "/client.key")
                        .split(" ")));
            client = new ProcessBuilder(cli).redirectErrorStream(true).start();
            LoopbackCaptures.Lines clientSays =
                new LoopbackCaptures.Lines(client.getInputStream(), "s_client");
            // s_client reads its input once the handshake is over.
            OutputStream cin = client.getOutputStream();
            OutputStream sin = server.getOutputStream();
            cin.write("hello from client\n".getBytes(StandardCharsets.US_ASCII));
            cin.flush();
            seen = serverSays.await("hello from client", seen);
            OutputStream to = typedOnServer ? sin : cin;
            to.write(typed.getBytes(StandardCharsets.US_ASCII));
            to.flush();
            serverSays.await(serverSees, seen);
            if (sessionGoesOn) {
              sin.write("hello from server\n".getBytes(StandardCharsets.US_ASCII));
              sin.flush();
              clientSays.await("hello from server", 0);
            }
            cin.close(); // s_client sends close_notify and exits on end of input
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("s_client exits").isTrue();
          } finally {
            if (client != null) client.destroy();
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  /** s_client's "k": a TLS 1.3 Key Update; s_server reads it (no data: "Read BLOCK"). */
  static LoopbackCaptures.Capture keyUpdate() throws Exception {
    return commands("tls13-key-update", "-tls1_3", "-tls1_3", false, "k\n", "Read BLOCK", true);
  }

  /**
   * s_server's "c": a post-handshake Certificate Request (s_client -enable_pha); s_server verifies
   * the certificate the client sends back ("verify return:1").
   */
  static LoopbackCaptures.Capture postHandshakeAuth() throws Exception {
    return commands(
        "tls13-pha",
        "-tls1_3 -verify 1 -CAfile CLIENT_CA",
        "-tls1_3 -enable_pha -cert CLIENT_CERT -key CLIENT_KEY",
        true,
        "c\n",
        "verify return:1",
        true);
  }

  /**
   * s_client's "R": a renegotiation, which the server refuses (no_renegotiation); s_client then
   * ends the session with a fatal alert, which s_server reports as "ERROR".
   */
  static LoopbackCaptures.Capture renegotiation() throws Exception {
    return commands("tls12-reneg", "-tls1_2", "-tls1_2", false, "R\n", "ERROR", false);
  }

  /** A TLS 1.0 client against a TLS 1.2-only server: protocol_version. */
  static LoopbackCaptures.Capture tls10Refused() throws Exception {
    return LoopbackCaptures.around(
        "tls10-refused",
        port -> {
          Path d = LoopbackCaptures.dir();
          Process server =
              new ProcessBuilder(LoopbackCaptures.sServer(port, "-tls1_2"))
                  .redirectErrorStream(true)
                  .start();
          try {
            LoopbackCaptures.awaitLine(server, false, "ACCEPT");
            Process client =
                new ProcessBuilder(
                        "openssl",
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + port,
                        "-tls1",
                        "-cipher",
                        "DEFAULT@SECLEVEL=0")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            client.getOutputStream().close();
            assertThat(client.waitFor(10, TimeUnit.SECONDS)).as("s_client exits").isTrue();
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return null;
        });
  }

  static ExplanationMatrixTest.Annotated annotate(LoopbackCaptures.Capture c, KeyMaterial keys) {
    return ExplanationMatrixTest.annotate(c, keys, false);
  }

  static List<String> summary(LoopbackCaptures.Capture c, KeyMaterial keys, int conn) {
    Annotator an = new Annotator(keys, false);
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(c.file())) {
      an.follow(r);
      while (r.next(f)) an.annotate(f);
    }
    return an.summaries().get(conn - 1).lines();
  }

  /** tshark's labels with the key log, against ours with the same key log, on TLS frames. */
  static void sameLabelsAsTsharkWithKeys(LoopbackCaptures.Capture c) throws Exception {
    List<String[]> expected = tsharkWithKeys(c);
    Map<Long, Row> ours = TsharkParityTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> diffs = new ArrayList<>();
    for (String[] t : expected) {
      if (!t[1].startsWith("TLS")) continue;
      Row r = ours.get(Long.parseLong(t[0]));
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(t[1] + " | " + t[2]))
        diffs.add("frame " + t[0] + ": tshark [" + t[1] + " | " + t[2] + "] ours [" + got + "]");
    }
    assertThat(diffs).as("differences from tshark's decryption of " + c.name()).isEmpty();
  }

  /**
   * 0-RTT data was "Application Data (RFC 8446 5.2): the application's bytes, encrypted and
   * authenticated with the session keys", and the client's End Of Early Data was "its Finished".
   * With keys the early data did not decrypt and everything after it failed ("4 records
   * decrypted").
   */
  @Test
  void earlyDataIsSaidToBeEarlyDataAndDecryptsLikeTshark() throws Exception {
    LoopbackCaptures.Capture c = tls13EarlyData();
    ExplanationMatrixTest.Annotated a = annotate(c, KeyMaterial.none());
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .contains("early_data (RFC 8446 4.2.10)")
        .contains("not forward secret");
    List<String> appData = a.notes(2, C, m -> m.type() == TlsMessage.Kind.APPLICATION_DATA);
    assertThat(appData.get(0))
        .startsWith("Early data (0-RTT, RFC 8446 2.3, 4.2.10)")
        .contains("replay")
        .doesNotContain("session keys");
    assertThat(appData)
        .anySatisfy(n -> assertThat(n).contains("End Of Early Data (RFC 8446 4.5"))
        .noneSatisfy(n -> assertThat(n).contains("carries its Finished"));

    sameLabelsAsTsharkWithKeys(c);
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated k = annotate(c, keys);
    assertThat(k.facts().get(1).decryptionStatus()).isNull();
    assertThat(k.hs(2, C, HandshakeType.END_OF_EARLY_DATA)).startsWith("End Of Early Data");
    StringBuilder text = new StringBuilder();
    for (Row r : TsharkParityTest.annotate(c, keys).values())
      text.append(DecryptionVersusTsharkTest.decryptedText(r));
    assertThat(text.toString()).contains("early data from client");
  }

  /**
   * After a TLS 1.3 Key Update the sender's next records use the next traffic secret: they failed
   * to decrypt, were "Application Data in name only: ... The server's first encrypted records carry
   * Encrypted Extensions, Certificate", and the summary said only "10 records decrypted".
   */
  @Test
  void keyUpdateMovesTheSenderToItsNextKeys() throws Exception {
    LoopbackCaptures.Capture c = keyUpdate();
    sameLabelsAsTsharkWithKeys(c);
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated k = annotate(c, keys);
    assertThat(k.hs(1, C, HandshakeType.KEY_UPDATE)).startsWith("Key Update (RFC 8446 4.6.3)");
    assertThat(k.facts().get(0).decryptionStatus()).isNull();
    assertThat(k.allNotes())
        .noneSatisfy(n -> assertThat(n).contains("first encrypted records carry"));
    StringBuilder text = new StringBuilder();
    for (Row r : TsharkParityTest.annotate(c, keys).values())
      text.append(DecryptionVersusTsharkTest.decryptedText(r));
    assertThat(text.toString()).contains("hello from server");
  }

  /**
   * A post-handshake Certificate Request (s_server's "c", s_client -enable_pha) was "in TLS 1.3 it
   * travels encrypted, after Encrypted Extensions".
   */
  @Test
  void postHandshakeCertificateRequestCitesSection462() throws Exception {
    LoopbackCaptures.Capture c = postHandshakeAuth();
    TruthOnClientCertificatesTest.sameLabelsAsTsharkUpToThePostHandshakeFinished(c);
    ExplanationMatrixTest.Annotated k = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> requests =
        k.notes(1, S, m -> m.handshakeType() == HandshakeType.CERTIFICATE_REQUEST.code());
    // -verify asks during the handshake too; "c" asks again after it.
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0))
        .startsWith("Certificate Request (RFC 8446 4.3.2)")
        .contains("after Encrypted Extensions");
    assertThat(requests.get(1))
        .startsWith("Certificate Request after the handshake (RFC 8446 4.6.2")
        .doesNotContain("after Encrypted Extensions");
  }

  /**
   * With client authentication openssl sends Certificate, Certificate Verify and Finished in three
   * records (tshark with keys): the first was said to carry "its Finished", the others "application
   * bytes, a New Session Ticket (4.6.1), a Key Update (4.6.3) or an alert".
   */
  @Test
  void tls13ClientFlightIsNotClaimedToBeOneRecord() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13ClientAuth();
    List<String[]> t = LoopbackCaptures.tshark(c, "-o", "tls.keylog_file:" + c.keylog());
    assertThat(t).anySatisfy(r -> assertThat(r[2]).contains("Certificate, Certificate Verify"));
    ExplanationMatrixTest.Annotated a = annotate(c, KeyMaterial.none());
    List<String> notes = a.notes(1, C, m -> m.type() == TlsMessage.Kind.APPLICATION_DATA);
    assertThat(notes.get(0))
        .contains("handshake flight starts here")
        .contains("may share one record or take one record each")
        .doesNotContain("first encrypted TLS 1.3 record carries its Finished");
    assertThat(notes.get(1)).contains("the rest of the sender's handshake flight");
  }

  /**
   * A client-initiated renegotiation that the server refuses: the new Client Hello (encrypted) was
   * "the client opens the handshake", the server's no_renegotiation "the peer refuses", and the
   * encrypted alerts "usually close_notify" / "probably close_notify".
   */
  @Test
  void refusedRenegotiationIsSaidAsItIs() throws Exception {
    LoopbackCaptures.Capture c = renegotiation();
    ExplanationMatrixTest.Annotated plain = annotate(c, KeyMaterial.none());
    assertThat(plain.kind(1, C, TlsMessage.Kind.ENCRYPTED_HANDSHAKE)).isNotEmpty();
    assertThat(plain.allNotes())
        .noneSatisfy(n -> assertThat(n).contains("usually close_notify"))
        .anySatisfy(n -> assertThat(n).contains("any alert could be inside"));
    assertThat(summary(c, KeyMaterial.none(), 1))
        .noneSatisfy(l -> assertThat(l).contains("probably"))
        .anySatisfy(l -> assertThat(l).contains("an encrypted alert (which one is hidden"));

    sameLabelsAsTsharkWithKeys(c);
    ExplanationMatrixTest.Annotated k = annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> hellos =
        k.notes(1, C, m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code());
    assertThat(hellos).hasSize(2);
    assertThat(hellos.get(1)).startsWith("A new Client Hello under the session keys");
    assertThat(k.kind(1, S, TlsMessage.Kind.ALERT))
        .contains("No Renegotiation")
        .contains("the sender refuses to renegotiate");
  }

  /** protocol_version from a TLS 1.2-only server to a TLS 1.0 client: "the peer does not ...". */
  @Test
  void protocolVersionAlertIsTheSendersRefusal() throws Exception {
    LoopbackCaptures.Capture c = tls10Refused();
    ExplanationMatrixTest.Annotated a = annotate(c, KeyMaterial.none());
    assertThat(a.kind(1, S, TlsMessage.Kind.ALERT))
        .contains("Protocol Version")
        .contains("the sender does not accept the version")
        .doesNotContain("peer does not");
  }

  /**
   * TLS 1.0 resumed with a ticket: "to resume a TLS 1.2 session"; and with client authentication
   * the Server Hello Done said "the client now sends its key exchange" (it sends its Certificate
   * first).
   */
  @Test
  void ticketAndServerHelloDoneNotesFitTheHandshake() throws Exception {
    ExplanationMatrixTest.Annotated a = annotate(Scenarios.tls10Cbc(), KeyMaterial.none());
    assertThat(a.hs(2, C, HandshakeType.CLIENT_HELLO))
        .startsWith("Client Hello (RFC 2246 7.4.1.2)")
        .contains("presents a session ticket (RFC 5077 3.1)")
        .doesNotContain("TLS 1.2 session");
    ExplanationMatrixTest.Annotated ca = annotate(Scenarios.clientAuth(), KeyMaterial.none());
    assertThat(ca.hs(1, S, HandshakeType.SERVER_HELLO_DONE))
        .contains("its Certificate (it was asked for one), then its key exchange");
    ExplanationMatrixTest.Annotated full = annotate(Scenarios.tls12Gcm(), KeyMaterial.none());
    assertThat(full.hs(1, S, HandshakeType.SERVER_HELLO_DONE))
        .endsWith("the client now sends its key exchange.");
  }
}
