package tlslab.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeMessagesTest {

  static byte[] clientHello() {
    Bytes sni =
        Bytes.of()
            .vec16(
                Bytes.of()
                    .u8(0)
                    .vec16(Bytes.of().raw("lab.example".getBytes(StandardCharsets.US_ASCII))));
    Bytes exts =
        Bytes.of()
            .u16(0)
            .vec16(sni)
            .u16(43)
            .vec16(Bytes.of().vec8(Bytes.of().u16(0x0304).u16(0x0303)))
            .u16(51)
            .vec16(Bytes.of().vec16(Bytes.of().u16(29).vec16(Bytes.of().zeros(32))))
            .u16(35)
            .vec16(Bytes.of());
    return Bytes.of()
        .u16(0x0303)
        .zeros(31)
        .u8(7)
        .vec8(Bytes.of().zeros(32))
        .vec16(Bytes.of().u16(0x1301).u16(0xc02f).u16(0x002f))
        .vec8(Bytes.of().u8(0))
        .vec16(exts)
        .bytes();
  }

  @Test
  void clientHelloYieldsVersionsSuitesSniAndKeyShare() {
    byte[] b = clientHello();
    ClientHello ch = HandshakeMessages.clientHello(b, 0, b.length).valueOrNull();
    assertThat(ch).isNotNull();
    assertThat(ch.version()).isEqualTo(0x0303);
    assertThat(ch.random()).hasSize(32).endsWith((byte) 7);
    assertThat(ch.cipherSuites()).containsExactly(0x1301, 0xc02f, 0x002f);
    assertThat(ch.serverName()).isEqualTo("lab.example");
    assertThat(ch.supportedVersions()).containsExactly(0x0304, 0x0303);
    assertThat(ch.keyShareGroups()).containsExactly(29);
    assertThat(ch.sessionTicket()).isFalse();
    assertThat(CipherSuite.of(ch.cipherSuites()[2]))
        .isEqualTo(CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA);
  }

  @Test
  void truncatedClientHelloIsMalformedWithOffsetAndHex() {
    byte[] b = clientHello();
    WireResult<ClientHello> r = HandshakeMessages.clientHello(b, 0, 40);
    assertThat(r).isInstanceOf(WireResult.Malformed.class);
    WireResult.Malformed<ClientHello> m = (WireResult.Malformed<ClientHello>) r;
    assertThat(m.offset()).isBetween(34, 40);
    assertThat(m.hexExcerpt()).matches("[0-9a-f]{2}( [0-9a-f]{2})*");
    assertThat(m.toString()).contains("offset");
  }

  @Test
  void serverHelloDetectsTls13AndHelloRetryRequest() {
    Bytes exts = Bytes.of().u16(43).vec16(Bytes.of().u16(0x0304)).u16(51).vec16(Bytes.of().u16(23));
    byte[] hrr =
        Bytes.of()
            .u16(0x0303)
            .raw(HandshakeMessages.HRR_RANDOM)
            .vec8(Bytes.of())
            .u16(0x1302)
            .u8(0)
            .vec16(exts)
            .bytes();
    ServerHello sh = HandshakeMessages.serverHello(hrr, 0, hrr.length).valueOrNull();
    assertThat(sh.version()).isEqualTo(0x0304);
    assertThat(sh.legacyVersion()).isEqualTo(0x0303);
    assertThat(sh.helloRetryRequest()).isTrue();
    assertThat(sh.keyShareGroup()).isEqualTo(23);
    assertThat(NamedGroup.labelOf(sh.keyShareGroup())).isEqualTo("secp256r1");

    byte[] tls12 =
        Bytes.of()
            .u16(0x0303)
            .zeros(32)
            .vec8(Bytes.of().zeros(32))
            .u16(0xc02f)
            .u8(0)
            .vec16(Bytes.of().u16(23).vec16(Bytes.of()))
            .bytes();
    ServerHello s12 = HandshakeMessages.serverHello(tls12, 0, tls12.length).valueOrNull();
    assertThat(s12.version()).isEqualTo(0x0303);
    assertThat(s12.helloRetryRequest()).isFalse();
    assertThat(s12.extendedMasterSecret()).isTrue();
  }

  @Test
  void unknownCodesAreValuesNotNulls() {
    assertThat(ContentType.of(99)).isEqualTo(ContentType.UNKNOWN);
    // Wireshark 4.0 accepts 20..25 as a record type (25: RFC 9146 tls12_cid), not 26 or 19.
    assertThat(ContentType.isValid(25)).isTrue();
    assertThat(ContentType.of(25)).isEqualTo(ContentType.TLS12_CID);
    assertThat(ContentType.isValid(26)).isFalse();
    assertThat(ContentType.isValid(19)).isFalse();
    assertThat(HandshakeType.of(99).label()).isEqualTo("Encrypted Handshake Message");
    assertThat(CipherSuite.labelOf(0x1234)).isEqualTo("Unknown (0x1234)");
    assertThat(ProtocolVersion.labelOf(0x0301)).isEqualTo("TLSv1");
    assertThat(ProtocolVersion.labelOf(0x0303)).isEqualTo("TLSv1.2");
    assertThat(ProtocolVersion.labelOf(0x1234)).isEqualTo("SSL");
    assertThat(AlertDescription.of(0).label()).isEqualTo("Close Notify");
    assertThat(TlsRecordHeader.alertLabel(2, 40))
        .isEqualTo("Alert (Level: Fatal, Description: Handshake Failure)");
    assertThat(SignatureScheme.of(0x0804)).isEqualTo(SignatureScheme.RSA_PSS_RSAE_SHA256);
    assertThat(ExtensionType.of(0x9999)).isEqualTo(ExtensionType.UNKNOWN);
  }

  @Test
  void recordHeaderNeedsFiveBytesAndTheHeuristicMatchesWireshark() {
    byte[] h = {22, 3, 1, 0, 100};
    assertThat(TlsRecordHeader.read(h, 0, 3)).isInstanceOf(WireResult.NeedMore.class);
    assertThat(((WireResult.NeedMore<?>) TlsRecordHeader.read(h, 0, 3)).needed()).isEqualTo(2);
    assertThat(TlsRecordHeader.read(h, 0, 5).valueOrNull())
        .isEqualTo(new TlsRecordHeader(22, 0x0301, 100));
    assertThat(TlsRecordHeader.looksLikeTlsStart(h, 0, 5)).isTrue();
    assertThat(TlsRecordHeader.looksLikeTlsStart(new byte[] {20, 3, 3, 0, 1, 1}, 0, 6))
        .isTrue(); // CCS
    assertThat(TlsRecordHeader.looksLikeTlsStart(new byte[] {20, 3, 3, 0, 9, 1}, 0, 6)).isFalse();
    assertThat(TlsRecordHeader.looksLikeTlsStart(new byte[] {24, 3, 3, 0, 2}, 0, 5)).isFalse();
    assertThat(TlsRecordHeader.looksLikeTlsStart("GET /".getBytes(StandardCharsets.US_ASCII), 0, 5))
        .isFalse();
  }

  @Test
  void randomAndTruncatedBytesNeverThrow() {
    java.util.Random rnd = new java.util.Random(7);
    byte[] good = clientHello();
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
      } else {
        b = good.clone();
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
      }
      assertThat(HandshakeMessages.clientHello(b, 0, b.length)).isNotNull();
      assertThat(HandshakeMessages.serverHello(b, 0, b.length)).isNotNull();
      assertThat(HandshakeMessages.certificate(b, 0, b.length, i % 3 == 0)).isNotNull();
      assertThat(HandshakeMessages.serverKeyExchangeGroup(b, 0, b.length)).isNotNull();
      assertThat(HandshakeMessages.newSessionTicketLifetime(b, 0, b.length)).isNotNull();
      assertThat(TlsRecordHeader.read(b, 0, b.length)).isNotNull();
    }
  }

  @Test
  void newSessionTicketLifetimeAndServerKeyExchangeGroup() {
    byte[] nst = Bytes.of().u8(0).u8(0).u16(7200).vec16(Bytes.of().zeros(10)).bytes();
    assertThat(HandshakeMessages.newSessionTicketLifetime(nst, 0, nst.length).valueOrNull())
        .isEqualTo(7200L);
    byte[] ske = Bytes.of().u8(3).u16(29).vec8(Bytes.of().zeros(32)).bytes();
    assertThat(HandshakeMessages.serverKeyExchangeGroup(ske, 0, ske.length).valueOrNull())
        .isEqualTo(29);
    assertThat(HandshakeMessages.serverKeyExchangeGroup(ske, 0, 2))
        .isInstanceOf(WireResult.Malformed.class);
  }
}
