package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.wire.HandshakeMode;
import tlslab.wire.HandshakeType;

/**
 * The notes and facts are true on other people's traffic: regressions from the audit of every
 * capture in {@code ../shared/captures/real} (a sentence that was wrong there, checked against
 * tshark -V of the same frames and the RFC). Skipped, with the path, when the corpus is absent.
 */
class RealCaptureTruthTest {

  /** The annotation of one real capture: its messages and facts. */
  record Annotated(List<ExplanationMatrixTest.Seen> messages, Annotator annotator) {
    List<String> notes(int conn, Sender sender, HandshakeType t) {
      List<String> out = new ArrayList<>();
      for (ExplanationMatrixTest.Seen s : messages)
        if (s.connection() == conn
            && s.m().sender() == sender
            && s.m().handshakeType() == t.code()
            && s.m().type() == TlsMessage.Kind.HANDSHAKE) out.add(s.m().note());
      assertThat(out).as("%s from the %s on connection %d", t.label(), sender, conn).isNotEmpty();
      return out;
    }

    List<ConnectionFacts> facts() {
      return annotator.facts();
    }

    List<String> summary(int conn) {
      return annotator.summaries().get(conn - 1).lines();
    }
  }

  static Path capture(String name) {
    Path p = RealCapturesParityTest.folder().resolve(name);
    if (!Files.isRegularFile(p))
      System.err.println("RealCaptureTruthTest: " + p + " is absent; skipped");
    Assumptions.assumeTrue(
        Files.isRegularFile(p),
        "the real capture " + p + " is absent (../shared/captures/real beside the repository)");
    return p;
  }

  static Annotated annotate(String name) {
    Path p = capture(name);
    Annotator an =
        new Annotator(KeyMaterial.none(), new Annotator.Options(true, true, false, false));
    List<ExplanationMatrixTest.Seen> seen = new ArrayList<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(p)) {
      an.follow(r);
      while (r.next(f)) {
        Row row = an.annotate(f);
        for (TlsMessage m : row.messages())
          seen.add(new ExplanationMatrixTest.Seen(row.connection, row.number, m));
      }
    }
    assertThat(an.problems()).as("internal problems").isEmpty();
    return new Annotated(seen, an);
  }

  /**
   * Draft 23 puts the version in supported_versions and echoes the client's legacy session id
   * (middlebox compatibility): it was taken for TLS 1.2, "an abbreviated handshake (RFC 5246 7.3)
   * that reuses the earlier session's master secret" and "resumed by session id".
   */
  @Test
  void tls13Draft23IsTls13NotAResumedTls12Session() {
    Annotated a = annotate("tls__tls13-draft23__tls13_draft23.pcap");
    ConnectionFacts f = a.facts().get(0);
    assertThat(f.version()).isEqualTo(0x0304);
    assertThat(f.versionOnWire()).isEqualTo(0x7f17);
    assertThat(f.versionName()).isEqualTo("TLS 1.3 draft 23");
    assertThat(f.mode()).isEqualTo(HandshakeMode.FULL);
    assertThat(f.keyExchange()).isEqualTo(tlslab.wire.KeyExchangeKind.TLS13_ECDHE);
    assertThat(a.notes(1, Sender.SERVER, HandshakeType.SERVER_HELLO).get(0))
        .startsWith("Server Hello (RFC 8446 4.1.3)")
        .contains("TLS 1.3 draft 23")
        .doesNotContain("RFC 5246")
        .doesNotContain("abbreviated");
    assertThat(a.notes(1, Sender.CLIENT, HandshakeType.CLIENT_HELLO).get(0))
        .startsWith("Client Hello (RFC 8446 4.1.2)")
        .contains("TLS 1.3 draft 23")
        .doesNotContain("names an earlier session it wants to resume");
    assertThat(a.summary(1))
        .contains("version: TLS 1.3 draft 23", "handshake: full handshake")
        .noneSatisfy(l -> assertThat(l).contains("resumed by session id"));
  }

  /**
   * Drafts before 22 have no session id in the Server Hello: it was "malformed", the version
   * "unknown (no Server Hello seen)" and its encrypted handshake "Application Data (RFC 5246
   * 6.2.3): the application's bytes".
   */
  @Test
  void tls13Draft19ServerHelloIsReadAndItsResumptionIsAPsk() {
    Annotated a = annotate("tls__tls13-draft19__tls13_draft19.pcap");
    assertThat(a.facts()).hasSize(3);
    for (ConnectionFacts f : a.facts()) {
      assertThat(f.problems()).as("connection %d", f.index()).isEmpty();
      assertThat(f.versionName()).isEqualTo("TLS 1.3 draft 19");
      assertThat(f.keyExchangeGroup()).isEqualTo(0x001d); // x25519, key_share was extension 40
    }
    assertThat(a.facts().get(0).mode()).isEqualTo(HandshakeMode.FULL);
    assertThat(a.facts().get(1).mode()).isEqualTo(HandshakeMode.TLS13_PSK);
    assertThat(a.facts().get(1).keyExchange())
        .isEqualTo(tlslab.wire.KeyExchangeKind.PSK_ECDHE); // key share present: forward secret
    assertThat(a.notes(1, Sender.SERVER, HandshakeType.SERVER_HELLO).get(0))
        .startsWith("Server Hello (RFC 8446 4.1.3)")
        .contains("The version field itself names it");
    for (ExplanationMatrixTest.Seen s : a.messages())
      assertThat(s.m().note()).doesNotContain("RFC 5246");
  }

  /** Draft 14 put 0x0304 in the Client Hello's version field, with no supported_versions. */
  @Test
  void tls13Draft14ClientHelloCitesRfc8446() {
    Annotated a = annotate("tls__tls13-draft14__tls13_draft14.pcap");
    assertThat(a.notes(1, Sender.CLIENT, HandshakeType.CLIENT_HELLO).get(0))
        .startsWith("Client Hello (RFC 8446 4.1.2)")
        .contains("in the version field itself")
        .doesNotContain("RFC 5246 E.1");
    assertThat(a.facts().get(0).problems()).isEmpty();
    assertThat(a.facts().get(0).version()).isEqualTo(0x0304);
    // 0x0304 in the Server Hello's version field: only drafts wrote it there (tshark -V).
    assertThat(a.notes(1, Sender.SERVER, HandshakeType.SERVER_HELLO).get(0))
        .startsWith("Server Hello (RFC 8446 4.1.3)")
        .contains("That is a draft of TLS 1.3")
        .contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  }

  /**
   * A certificate Java cannot decode (tshark: "Certificate Length: 685" in the list, then
   * Malformed) was "empty, the server has no certificate to offer. The client checks it against its
   * trusted roots".
   */
  @Test
  void anUndecodableCertificateIsNotAnEmptyChain() {
    for (String name :
        List.of(
            "tls__tls-cert-noissuer__tls.pcap", "bug-1450-04__tls_DER-incomplete-header.pcap")) {
      Annotated a = annotate(name);
      String note = a.notes(1, Sender.SERVER, HandshakeType.CERTIFICATE).get(0);
      assertThat(note)
          .as(name)
          .doesNotContain("has no certificate to offer")
          .containsPattern(
              "1 certificate in it that does not decode as X.509|certificates in it"
                  + " that do not decode as X.509");
      assertThat(a.facts().get(0).problems())
          .as(name)
          .anySatisfy(p -> assertThat(p).contains("do not decode as X.509"));
    }
  }

  /** A stapled OCSP answer is a value in the facts and JSON, rendered in the summary. */
  @Test
  void stapledOcspIsAValueRenderedByTheOutput() throws Exception {
    Annotated a = annotate("tls-alpn-log-detect-02.pcap");
    CertificateStatus cs =
        a.facts().stream()
            .map(ConnectionFacts::certificateStatus)
            .filter(java.util.Objects::nonNull)
            .findFirst()
            .orElseThrow();
    assertThat(cs.certStatus()).isEqualTo(CertificateStatus.CertStatus.GOOD);
    assertThat(cs.problem()).isNull();
    assertThat(cs.thisUpdate()).isNotNull();
    // tshark -V: "ResponderID: byKey", the responder's certificate is not in the chain.
    assertThat(cs.signature()).isEqualTo(CertificateStatus.Signature.SIGNER_NOT_IN_CHAIN);
    assertThat(cs.responderKeyHash()).hasSize(40);
    assertThat(a.annotator().summaries())
        .anySatisfy(
            s ->
                assertThat(s.lines())
                    .anySatisfy(
                        l ->
                            assertThat(l)
                                .startsWith("stapled OCSP: status good, signed by the responder")
                                .contains("not checked")));
    StringWriter json = new StringWriter();
    AnnotateReport.run(
        capture("tls-alpn-log-detect-02.pcap"),
        KeyMaterial.none(),
        OutputFormat.JSON,
        false,
        new java.io.PrintWriter(json));
    assertThat(json.toString())
        .contains("\"certStatus\": \"good\"")
        .contains("\"signature\": \"signer_not_in_chain\"");
  }

  /** Without a readable Server Hello the suite was printed as "Unknown (0xffffffff)". */
  @Test
  void aClientKeyExchangeWithoutServerHelloDoesNotNameASuite() {
    Annotated a = annotate("tls__tls-fingerprint-alert.pcap");
    // The message the note is about is there (the loop below passed on no message at all).
    assertThat(a.messages())
        .anySatisfy(
            s ->
                assertThat(s.m().handshakeType())
                    .isEqualTo(HandshakeType.CLIENT_KEY_EXCHANGE.code()));
    for (ExplanationMatrixTest.Seen s : a.messages())
      assertThat(s.m().note()).doesNotContain("0xffffffff");
  }

  /**
   * Handshakes the capture does not show to their end were "handshake: full handshake": the
   * duplicated-hello capture (TLS 1.3) ends before the client sends anything encrypted, glupteba's
   * (TLS 1.0) after the server's Server Hello Done (tshark: no Client Key Exchange in either). A
   * complete one (the github.com TLS 1.2 session of bug-7264) keeps its plain line.
   */
  @Test
  void handshakesCutByTheCaptureEndAreNotSaidComplete() {
    Annotated dup = annotate("tls-duplicate-hello.pcap");
    assertThat(dup.facts().get(0).handshakeFinished()).isFalse();
    assertThat(dup.summary(1))
        .contains(
            "handshake: full handshake, not seen to complete: the capture holds nothing encrypted"
                + " from the client after the Server Hello, so not its Finished");
    Annotated glupteba = annotate("tls__tls-glupteba.pcap");
    assertThat(glupteba.summary(1))
        .contains(
            "handshake: full handshake, not seen to complete: the capture does not show both"
                + " sides' Change Cipher Spec and Finished");
    Annotated github = annotate("bug-7264-tcp-3whs-ack-data-tls-01.pcap");
    assertThat(github.facts().get(0).handshakeFinished()).isTrue();
    assertThat(github.summary(1)).contains("handshake: full handshake");
  }

  /**
   * Draft 14's Server Hello writes 0x0304 in its version field (tshark: tls.handshake.version
   * 0x0304 and no supported_versions; RFC 8446 keeps that field at 0x0303): the summary said
   * "version: TLS 1.3", and with a key log that has the session's client random the lab tried RFC
   * 8446's key schedule and said "a record failed to decrypt (AEADBadTagException): wrong keys?"
   * instead of that it does not decrypt drafts.
   */
  @Test
  void tls13Draft14IsSaidToBeADraftAndNotDecrypted() throws Exception {
    Path p = capture("tls__tls13-draft14__tls13_draft14.pcap");
    List<String> sh =
        TruthOnResumptionTest.fields(
            LoopbackCaptures.file("draft14", p, 443, null),
            "tls.handshake.type == 2 && !tls.handshake.extensions.supported_version",
            "tls.handshake.version");
    assertThat(sh).containsExactly("0x0304");
    String random =
        TruthOnResumptionTest.fields(
                LoopbackCaptures.file("draft14", p, 443, null),
                "tls.handshake.type == 1",
                "tls.handshake.random")
            .get(0);
    // Secrets for this client random: any, since a draft must not be tried at all.
    Path keylog = Files.createTempFile("draft14", ".keylog");
    try {
      StringBuilder kl = new StringBuilder();
      for (String label :
          List.of(
              "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
              "SERVER_HANDSHAKE_TRAFFIC_SECRET",
              "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0"))
        kl.append(label)
            .append(' ')
            .append(random)
            .append(' ')
            .append("ab".repeat(32))
            .append('\n');
      Files.writeString(keylog, kl);
      Annotator an = new Annotator(KeyMaterial.none().withKeyLog(keylog), false);
      Frame f = new Frame();
      try (CaptureReader r = CaptureReader.open(p)) {
        an.follow(r);
        while (r.next(f)) an.annotate(f);
      }
      ConnectionFacts facts = an.facts().get(0);
      assertThat(facts.versionName())
          .startsWith("a TLS 1.3 draft (its Server Hello's version field");
      assertThat(facts.decryptionStatus())
          .contains("not its drafts")
          .doesNotContain("AEADBadTagException");
      assertThat(an.summaries().get(0).lines())
          .contains("version: " + facts.versionName())
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(
                          "decryption: not possible - the Server Hello chose a TLS 1.3 draft"))
          .doesNotContain("version: TLS 1.3");
    } finally {
      Files.delete(keylog);
    }
  }

  /**
   * Draft 22 still numbered key_share 40 but put the version in supported_versions, which its Hello
   * Retry Request lists before key_share (tshark: selected group secp256r1): the summary said
   * "Hello Retry Request: the server named no group and sent no cookie", the note "it names the
   * group to use" only by luck, and the key exchange had no group.
   */
  @Test
  void tls13Draft22RetryNamesItsGroup() throws Exception {
    Path p = capture("tls__tls13-draft22__tls13_draft22.pcap");
    assertThat(
            TruthOnResumptionTest.fields(
                LoopbackCaptures.file("draft22", p, 4433, null),
                "tls.handshake.extensions_key_share_selected_group",
                "tls.handshake.extensions_key_share_selected_group"))
        .containsExactly("23");
    Annotated a = annotate("tls__tls13-draft22__tls13_draft22.pcap");
    ConnectionFacts f = a.facts().get(0);
    assertThat(f.helloRetryGroup()).isEqualTo(23);
    assertThat(f.keyExchangeGroup()).isEqualTo(23);
    assertThat(a.summary(1))
        .contains(
            "Hello Retry Request: the server asked for a key share on secp256r1",
            "key exchange: TLS 1.3 (EC)DHE secp256r1 - forward secret")
        .noneSatisfy(l -> assertThat(l).contains("named no group"));
  }

  /**
   * Draft 22's retry: tshark reads the two hellos with the same extensions, of the same lengths,
   * but extension 40 (key_share before draft 23). The comparison of the two hellos first called
   * that change "not allowed"; extension 40 is the key share the retry asked for.
   */
  @Test
  void tls13Draft22RetryChangesOnlyItsKeyShare() throws Exception {
    Path p = capture("tls__tls13-draft22__tls13_draft22.pcap");
    LoopbackCaptures.Capture c = LoopbackCaptures.file("draft22", p, 4433, null);
    List<String> types =
        TruthOnResumptionTest.fields(c, "tls.handshake.type == 1", "tls.handshake.extension.type");
    List<String> lens =
        TruthOnResumptionTest.fields(c, "tls.handshake.type == 1", "tls.handshake.extension.len");
    assertThat(types).hasSize(2);
    assertThat(types.get(1)).isEqualTo(types.get(0));
    String[] t = types.get(0).split(",");
    String[] l0 = lens.get(0).split(",");
    String[] l1 = lens.get(1).split(",");
    for (int i = 0; i < t.length; i++)
      if (!t[i].equals("40")) assertThat(l1[i]).as("length of extension " + t[i]).isEqualTo(l0[i]);
    Annotated a = annotate("tls__tls13-draft22__tls13_draft22.pcap");
    List<String> hellos = a.notes(1, Sender.CLIENT, HandshakeType.CLIENT_HELLO);
    assertThat(hellos).hasSize(2);
    assertThat(hellos.get(1))
        .isEqualTo(
            "Second Client Hello (RFC 8446 4.1.2, 4.1.4): the client answers the Hello Retry"
                + " Request with a new hello, the same as the first except for a key share on the"
                + " group the server named (secp256r1).");
  }

  /**
   * Someone else's TLS 1.3 client offered X25519MLKEM768, x25519 and secp256r1 key shares (tshark:
   * 4588, 29, 23, the first 1216 bytes) and the server chose x25519: the Server Hello's note said
   * only "(EC)DHE exchange on x25519", nothing of the post-quantum share left aside.
   */
  @Test
  void aPostQuantumShareTheServerDidNotTakeIsSaid() throws Exception {
    Path p = capture("tls__tls-fin-close-data-01__debug-s13.pcap");
    LoopbackCaptures.Capture c = LoopbackCaptures.file("fin-close", p, 443, null);
    assertThat(
            TruthOnResumptionTest.fields(
                c, "tls.handshake.type == 1", "tls.handshake.extensions_key_share_group"))
        .containsExactly("4588,29,23");
    assertThat(
            TruthOnResumptionTest.fields(
                c,
                "tls.handshake.type == 1",
                "tls.handshake.extensions_key_share_key_exchange_length"))
        .containsExactly("1216,32,65");
    assertThat(
            TruthOnResumptionTest.fields(
                c, "tls.handshake.type == 2", "tls.handshake.extensions_key_share_group"))
        .containsExactly("29");
    Annotated a = annotate("tls__tls-fin-close-data-01__debug-s13.pcap");
    assertThat(a.notes(1, Sender.SERVER, HandshakeType.SERVER_HELLO).get(0))
        .contains(
            "The client also offered a key share on X25519MLKEM768 (Wireshark 4.0: Unknown"
                + " (0x11ec)), a post-quantum group; the server did not choose it, so this key"
                + " exchange is classical only, not post-quantum.");
    assertThat(a.summary(1))
        .contains(
            "key shares offered: X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec)), x25519,"
                + " secp256r1; the server chose x25519, a classical group: not post-quantum");
  }

  /**
   * A Client Hello in SSL 2.0's record format (tshark: an SSLv2 Client Hello, with its challenge,
   * from port 1660, then a TLS 1.0 Server Hello from 443): the summary said "roles: no Client Hello
   * seen; the first sender is taken to be the client", and the hello's note was only "Client
   * Hello.".
   */
  @Test
  void anSslv2FormatClientHelloIsAClientHello() throws Exception {
    Path p = capture("sslv2-tls-upgrade-01__ssl-v2-s1.pcap");
    LoopbackCaptures.Capture c = LoopbackCaptures.file("sslv2", p, 443, null);
    assertThat(
            TruthOnResumptionTest.fields(
                c, "tls.handshake.type == 1 && tls.handshake.challenge", "tcp.srcport"))
        .containsExactly("1660");
    Annotated a = annotate("sslv2-tls-upgrade-01__ssl-v2-s1.pcap");
    ConnectionFacts f = a.facts().get(0);
    assertThat(f.client()).endsWith(":1660");
    assertThat(f.rolesKnown()).isTrue();
    assertThat(a.summary(1)).noneSatisfy(l -> assertThat(l).startsWith("roles:"));
    List<String> hello = new ArrayList<>();
    for (ExplanationMatrixTest.Seen s : a.messages())
      if (s.m().type() == TlsMessage.Kind.OTHER && s.m().note().startsWith("Client Hello"))
        hello.add(s.m().sender() + " " + s.m().note());
    assertThat(hello)
        .singleElement()
        .satisfies(
            n ->
                assertThat(n)
                    .startsWith("CLIENT Client Hello in SSL 2.0's record format (RFC 5246 E.2)"));
  }
}
