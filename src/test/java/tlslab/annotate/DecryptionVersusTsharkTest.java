package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tlslab.tls.TlsProfile;

/**
 * Decryption checked against tshark's own decryption of the same capture with the same secrets:
 * identical labels on every TLS frame (decrypted TLS 1.3 handshake messages become visible) and
 * identical decrypted application bytes (tshark's data.data).
 */
@Tag("slow")
@Tag("jdk") // decryption runs on the JDK's ciphers (ChaCha20-Poly1305, GCM): prove it on 17 and 25
class DecryptionVersusTsharkTest {

  /** Makes every case's capture and runs its tshark commands ahead, a few at a time. */
  @BeforeAll
  static void prepare() {
    List<LoopbackCaptures.Make<?>> work = new ArrayList<>();
    for (TsharkParityTest.Maker m : makers(keyLogSessions()))
      work.add(() -> LoopbackCaptures.tshark(m.make(), keyLogOption(m.make())));
    for (TsharkParityTest.Maker m : makers(labKeyLogSessions()))
      work.add(
          () -> {
            LoopbackCaptures.tshark(m.make());
            return LoopbackCaptures.tshark(m.make(), keyLogOption(m.make()));
          });
    for (TsharkParityTest.Maker m : makers(rsaSessions()))
      work.add(() -> LoopbackCaptures.tshark(m.make(), rsaKeyOption(m.make().serverKey())));
    work.add(Scenarios::tls10Cbc);
    LoopbackCaptures.prepare(work);
  }

  private static List<TsharkParityTest.Maker> makers(Stream<Arguments> cases) {
    return cases.map(a -> (TsharkParityTest.Maker) a.get()[1]).toList();
  }

  /** tshark's options to decrypt with the capture's key log. */
  private static String[] keyLogOption(LoopbackCaptures.Capture c) {
    return new String[] {"-o", "tls.keylog_file:" + c.keylog()};
  }

  /** tshark's options to decrypt TLS_RSA sessions with the server's private key. */
  private static String[] rsaKeyOption(Path key) {
    return new String[] {"-o", "uat:rsa_keys:\"" + key + "\",\"\""};
  }

  static Stream<Arguments> keyLogSessions() {
    return Stream.of(
        Arguments.of("TLS 1.2 ECDHE AES-128-GCM", (TsharkParityTest.Maker) Scenarios::tls12Gcm),
        Arguments.of(
            "TLS 1.2 ECDHE AES-256-CBC SHA384", (TsharkParityTest.Maker) Scenarios::tls12Cbc),
        Arguments.of("TLS 1.2 RSA AES-128-CBC SHA", (TsharkParityTest.Maker) Scenarios::tls12Rsa),
        Arguments.of("TLS 1.3 AES-256-GCM", (TsharkParityTest.Maker) Scenarios::tls13),
        Arguments.of("TLS 1.3 ChaCha20-Poly1305", (TsharkParityTest.Maker) Scenarios::tls13Chacha),
        Arguments.of("TLS 1.2 resumed", (TsharkParityTest.Maker) Scenarios::resumed),
        Arguments.of(
            "TLS 1.0 ECDHE AES-256-CBC, implicit IV, resumed",
            (TsharkParityTest.Maker) Scenarios::tls10Cbc),
        Arguments.of(
            "TLS 1.0 RSA AES-128-CBC, MAC-then-encrypt",
            (TsharkParityTest.Maker) Scenarios::tls10RsaNoEtm),
        Arguments.of("TLS 1.1 ECDHE AES-128-CBC", (TsharkParityTest.Maker) Scenarios::tls11Cbc),
        Arguments.of("TLS 1.2 client auth", (TsharkParityTest.Maker) Scenarios::clientAuth),
        Arguments.of("TLS 1.3 resumed (PSK)", (TsharkParityTest.Maker) Scenarios::tls13Resumed),
        Arguments.of("TLS 1.3 client auth", (TsharkParityTest.Maker) Scenarios::tls13ClientAuth),
        Arguments.of("TLS 1.3 Hello Retry Request", (TsharkParityTest.Maker) Scenarios::tls13Hrr),
        Arguments.of(
            "TLS 1.2 fragmented certificate", (TsharkParityTest.Maker) Scenarios::fragmented),
        Arguments.of(
            "TLS 1.2 split into 7-byte segments",
            (TsharkParityTest.Maker)
                () -> Scenarios.split("tls12-split7", Scenarios.tls12Gcm(), 7)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyLogSessions")
  void keyLogDecryptionMatchesTshark(String name, TsharkParityTest.Maker maker) throws Exception {
    LoopbackCaptures.Capture c = maker.make();
    List<String[]> expected = LoopbackCaptures.tshark(c, keyLogOption(c));
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    assertMatches(name, c, expected, keys);
  }

  /**
   * Captures of the lab's own server (and client), annotated with the key log written by the lab's
   * own key logger ({@code HandshakeInspector} + {@code NssKeyLog}) on this JDK, against tshark
   * decrypting with that same file.
   */
  static Stream<Arguments> labKeyLogSessions() {
    return Stream.of(
        Arguments.of(
            "lab server, TLS 1.2 modern",
            (TsharkParityTest.Maker) () -> LabScenarios.chat(TlsProfile.MODERN)),
        Arguments.of(
            "lab server, TLS 1.2 report (TLS_RSA)",
            (TsharkParityTest.Maker) () -> LabScenarios.chat(TlsProfile.REPORT)),
        Arguments.of(
            "lab server, TLS 1.3",
            (TsharkParityTest.Maker) () -> LabScenarios.chat(TlsProfile.TLS13)),
        Arguments.of(
            "lab server, TLS 1.2 client auth",
            (TsharkParityTest.Maker) () -> LabScenarios.clientAuth(TlsProfile.MODERN)),
        Arguments.of(
            "lab server, TLS 1.3 client auth",
            (TsharkParityTest.Maker) () -> LabScenarios.clientAuth(TlsProfile.TLS13)),
        Arguments.of(
            "lab server, TLS 1.2 resumed",
            (TsharkParityTest.Maker) () -> LabScenarios.resumed(TlsProfile.MODERN)),
        Arguments.of(
            "lab server, TLS 1.3 resumed",
            (TsharkParityTest.Maker) () -> LabScenarios.resumed(TlsProfile.TLS13)),
        Arguments.of(
            "lab server with openssl s_client, TLS 1.3",
            (TsharkParityTest.Maker)
                () -> LabScenarios.opensslClientVersusServer(TlsProfile.TLS13)),
        Arguments.of(
            "lab client with openssl s_server, TLS 1.2",
            (TsharkParityTest.Maker)
                () -> LabScenarios.clientVersusOpensslServer(TlsProfile.MODERN)),
        Arguments.of(
            "lab client with openssl s_server, TLS 1.3",
            (TsharkParityTest.Maker)
                () -> LabScenarios.clientVersusOpensslServer(TlsProfile.TLS13)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labKeyLogSessions")
  void labKeyLogDecryptsLabCapturesLikeTshark(String name, TsharkParityTest.Maker maker)
      throws Exception {
    LoopbackCaptures.Capture c = maker.make();
    // Without keys first: the parity test's check, repeated here because this class runs on
    // every JDK (the capture was made by this JDK's JSSE).
    Map<Long, Row> plain = TsharkParityTest.annotate(c, KeyMaterial.none());
    List<String> plainDiffs = new ArrayList<>();
    for (String[] t : LoopbackCaptures.tshark(c)) {
      if (!t[1].startsWith("TLS")) continue;
      Row r = plain.get(Long.parseLong(t[0]));
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(t[1] + " | " + t[2]))
        plainDiffs.add(
            "frame " + t[0] + ": tshark [" + t[1] + " | " + t[2] + "] ours [" + got + "]");
    }
    assertThat(plainDiffs).as("differences from tshark without keys in " + name).isEmpty();

    List<String[]> expected = LoopbackCaptures.tshark(c, keyLogOption(c));
    assertMatches(name, c, expected, KeyMaterial.none().withKeyLog(c.keylog()));
    // The chat itself is what both read: a line that crossed the wire encrypted.
    String line = name.contains("openssl") ? LabScenarios.OPENSSL_LINE : LabScenarios.ALICE_LINE;
    Map<Long, Row> rows = TsharkParityTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(rows.values()).anySatisfy(r -> assertThat(decryptedText(r)).contains(line));
    if (name.contains("TLS 1.3")) {
      // Decrypted, TLS 1.3's hidden handshake shows (RFC 8446 §4.3): Encrypted Extensions,
      // Finished.
      assertThat(expected).anySatisfy(t -> assertThat(t[2]).contains("Encrypted Extensions"));
    }
    if (name.contains("TLS 1.3 resumed")) {
      // Bob's PSK handshake (RFC 8446 §2.2) sends no Certificate: two connections, one certificate.
      assertThat(expected.stream().filter(t -> t[2].contains("Certificate")).count())
          .as("frames carrying a Certificate")
          .isEqualTo(1);
    }
  }

  static Stream<Arguments> rsaSessions() {
    return Stream.of(
        Arguments.of("full handshake", (TsharkParityTest.Maker) Scenarios::tls12Rsa),
        Arguments.of(
            "resumed with a session ticket", (TsharkParityTest.Maker) Scenarios::tls12RsaResumed),
        Arguments.of(
            "resumed by session id", (TsharkParityTest.Maker) Scenarios::tls12RsaResumedById),
        Arguments.of(
            "TLS 1.0, MAC-then-encrypt", (TsharkParityTest.Maker) Scenarios::tls10RsaNoEtm),
        Arguments.of(
            "the report's Python chat", (TsharkParityTest.Maker) Scenarios::pythonReportChat));
  }

  @ParameterizedTest(name = "TLS_RSA with the server key: {0}")
  @MethodSource("rsaSessions")
  void rsaKeyDecryptsTheReportsSuiteLikeTshark(String name, TsharkParityTest.Maker maker)
      throws Exception {
    LoopbackCaptures.Capture c = maker.make();
    List<String[]> expected = LoopbackCaptures.tshark(c, rsaKeyOption(c.serverKey()));
    KeyMaterial keys = KeyMaterial.none().withRsaKey(c.serverKey());
    assertMatches("TLS_RSA with the server key", c, expected, keys);
  }

  /**
   * TLS 1.0 CBC chains its IVs across records (RFC 2246 6.2.3.2): each record's IV is the previous
   * record's last ciphertext block in the same direction. Both directions decrypt, over several
   * records each (Finished, the 1/n-1 split openssl does against BEAST, the line, close_notify), in
   * the full handshake and in the resumed one; and the plaintext is tshark's.
   */
  @Test
  void tls10ImplicitIvDecryptsEveryRecordInBothDirections() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls10Cbc();
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    Annotator an = new Annotator(keys, false);
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    StringBuilder text = new StringBuilder();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(c.file())) {
      an.follow(r);
      while (r.next(f)) text.append(decryptedText(an.annotate(f)));
    }
    assertThat(an.facts()).hasSize(2);
    for (ConnectionFacts cf : an.facts()) {
      assertThat(cf.version()).isEqualTo(0x0301);
      assertThat(cf.decryptionStatus()).as("connection " + cf.index()).isNull();
      // Finished, empty 1/n-1 record, line, close_notify: at least 3 per side.
      assertThat(cf.decryptedRecords()).as("connection " + cf.index()).isGreaterThanOrEqualTo(6);
    }
    // openssl's client offers its ticket with a made-up session id, echoed: by ticket or by id,
    // the capture cannot tell (RFC 5077 3.4).
    assertThat(an.facts().get(1).mode())
        .isEqualTo(tlslab.wire.HandshakeMode.RESUMED_TICKET_OR_SESSION_ID);
    String all = text.toString();
    assertThat(all.split("hello from client", -1)).hasSize(3);
    assertThat(all).contains("hello from server");
  }

  @Test
  void theReportsPythonChatDecryptsWithTheServerKeyAlone() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.pythonReportChat();
    Path key = LoopbackCaptures.serverKey();
    List<String[]> expected = LoopbackCaptures.tshark(c, rsaKeyOption(key));
    assertMatches(
        "python report chat with the server key", c, expected, KeyMaterial.none().withRsaKey(key));
    Map<Long, Row> rows = TsharkParityTest.annotate(c, KeyMaterial.none().withRsaKey(key));
    assertThat(rows.values())
        .anySatisfy(r -> assertThat(decryptedText(r)).contains("hello from the report"));
  }

  @Test
  void rsaKeyOnAnEcdheSessionExplainsForwardSecrecy() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls12Gcm();
    KeyMaterial keys = KeyMaterial.none().withRsaKey(c.serverKey());
    Annotator an = new Annotator(keys, false);
    Map<Long, Row> rows = TsharkParityTest.annotate(c, keys);
    // Application data there, none of it decrypted (allSatisfy alone passed on no rows at all).
    assertThat(rows.values()).anySatisfy(r -> assertThat(r.info).contains("Application Data"));
    assertThat(rows.values()).allSatisfy(r -> assertThat(r.payloads).isEmpty());
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(c.file())) {
      while (r.next(f)) an.annotate(f);
    }
    assertThat(an.summaries().get(0).lines())
        .anySatisfy(l -> assertThat(l).contains("forward secrecy").contains("cannot decrypt"));
  }

  /** The decrypted application bytes of a row, as text. */
  static String decryptedText(Row r) {
    StringBuilder sb = new StringBuilder();
    for (Payload p : r.payloads)
      sb.append(new String(p.bytes(), java.nio.charset.StandardCharsets.UTF_8));
    return sb.toString();
  }

  private static void assertMatches(
      String name, LoopbackCaptures.Capture c, List<String[]> expected, KeyMaterial keys) {
    Map<Long, Row> ours = TsharkParityTest.annotate(c, keys);
    List<String> diffs = new ArrayList<>();
    int decryptedFrames = 0;
    for (String[] t : expected) {
      if (!(t[1].startsWith("TLS") || t[1].startsWith("SSL"))) continue;
      Row r = ours.get(Long.parseLong(t[0]));
      String want = t[1] + " | " + t[2];
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(want))
        diffs.add("frame " + t[0] + ": tshark [" + want + "] ours [" + got + "]");
      String tsData = t.length > 3 ? t[3].replace(",", "") : "";
      StringBuilder ourData = new StringBuilder();
      if (r != null)
        for (Payload p : r.payloads) ourData.append(HexFormat.of().formatHex(p.bytes()));
      if (!tsData.equals(ourData.toString())) {
        diffs.add("frame " + t[0] + ": tshark data [" + tsData + "] ours [" + ourData + "]");
      }
      if (!tsData.isEmpty()) decryptedFrames++;
    }
    assertThat(decryptedFrames).as("tshark decrypted application data in " + name).isGreaterThan(0);
    assertThat(diffs).as("differences from tshark's decryption in " + name).isEmpty();
  }
}
