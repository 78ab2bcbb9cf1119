package tlslab.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The published test vectors: RFC 9001 Appendix A (QUIC v1) and RFC 9369 Appendix A (QUIC v2) -
 * Initial secrets and keys from the client's Destination Connection ID 0x8394c8f03e515708, the
 * server's Initial packet opened (header protection removed, AEAD tag checked), and the ChaCha20
 * short-header packet of RFC 9001 A.5.
 */
class QuicVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] DCID = HEX.parseHex("8394c8f03e515708");

  @Test
  void rfc9001InitialSecretsAndKeys() {
    assertThat(HEX.formatHex(PacketKeys.initialSecret(DCID, QuicVersion.V1, true)))
        .isEqualTo("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    PacketKeys c = PacketKeys.initial(DCID, QuicVersion.V1, true);
    assertThat(HEX.formatHex(c.key())).isEqualTo("1f369613dd76d5467730efcbe3b1a22d");
    assertThat(HEX.formatHex(c.iv())).isEqualTo("fa044b2f42a3fd3b46fb255c");
    assertThat(HEX.formatHex(c.hp())).isEqualTo("9f50449e04a0e810283a1e9933adedd2");
    assertThat(HEX.formatHex(PacketKeys.initialSecret(DCID, QuicVersion.V1, false)))
        .isEqualTo("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b");
    PacketKeys s = PacketKeys.initial(DCID, QuicVersion.V1, false);
    assertThat(HEX.formatHex(s.key())).isEqualTo("cf3a5331653c364c88f0f379b6067e37");
    assertThat(HEX.formatHex(s.iv())).isEqualTo("0ac1493ca1905853b0bba03e");
    assertThat(HEX.formatHex(s.hp())).isEqualTo("c206b8d9b9f0f37644430b490eeaa314");
  }

  @Test
  void rfc9369InitialSecretsAndKeysForVersion2() {
    assertThat(HEX.formatHex(PacketKeys.initialSecret(DCID, QuicVersion.V2, true)))
        .isEqualTo("14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
    PacketKeys c = PacketKeys.initial(DCID, QuicVersion.V2, true);
    assertThat(HEX.formatHex(c.key())).isEqualTo("8b1a0bc121284290a29e0971b5cd045d");
    assertThat(HEX.formatHex(c.iv())).isEqualTo("91f73e2351d8fa91660e909f");
    assertThat(HEX.formatHex(c.hp())).isEqualTo("45b95e15235d6f45a6b19cbcb0294ba9");
    assertThat(HEX.formatHex(PacketKeys.initialSecret(DCID, QuicVersion.V2, false)))
        .isEqualTo("0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1");
    PacketKeys s = PacketKeys.initial(DCID, QuicVersion.V2, false);
    assertThat(HEX.formatHex(s.key())).isEqualTo("82db637861d55e1d011f19ea71d5d2a7");
    assertThat(HEX.formatHex(s.iv())).isEqualTo("dd13c276499c0249d3310652");
    assertThat(HEX.formatHex(s.hp())).isEqualTo("edf6d05c83121201b436e16877593c3a");
  }

  /** RFC 9001 A.3: the server's Initial carrying ACK and Server Hello. */
  @Test
  void rfc9001ServerInitialOpens() {
    byte[] pkt =
        HEX.parseHex(
            "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
                + "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
                + "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
                + "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
                + "2158407dd074ee");
    QuicHeader h = QuicHeader.parse(pkt, 0, pkt.length, 0).valueOrNull();
    assertThat(h).isNotNull();
    assertThat(h.type()).isEqualTo(PacketType.INITIAL);
    assertThat(h.dcid()).isEmpty();
    assertThat(h.scidHex()).isEqualTo("f067a5502a4262b5");
    assertThat(h.end()).isEqualTo(pkt.length);
    PacketProtection.Opened o =
        PacketProtection.open(PacketKeys.initial(DCID, QuicVersion.V1, false), pkt, h, -1);
    assertThat(o).as("AEAD tag verifies").isNotNull();
    assertThat(o.packetNumber()).isEqualTo(1);
    assertThat(o.packetNumberLength()).isEqualTo(2);
    assertThat(HEX.formatHex(o.payload()))
        .isEqualTo(
            "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf73988"
                + "cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c940d"
                + "89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b0002"
                + "0304");
    QuicFrame.Frames fs = QuicFrame.parse(o.payload());
    assertThat(fs.problem()).isNull();
    assertThat(fs.frames()).extracting(QuicFrame::label).containsExactly("ACK", "CRYPTO");
    // The wrong direction's keys must not open it.
    assertThat(PacketProtection.open(PacketKeys.initial(DCID, QuicVersion.V1, true), pkt, h, -1))
        .isNull();
  }

  /** RFC 9001 A.5: a ChaCha20-Poly1305 short-header packet with a 4-byte packet number. */
  @Test
  void rfc9001ChaChaShortHeader() {
    byte[] secret =
        HEX.parseHex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
    PacketKeys k = PacketKeys.fromSecret(secret, PacketKeys.Aead.CHACHA20_POLY1305, QuicVersion.V1);
    assertThat(HEX.formatHex(k.key()))
        .isEqualTo("c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
    assertThat(HEX.formatHex(k.iv())).isEqualTo("e0459b3474bdd0e44a41c144");
    assertThat(HEX.formatHex(k.hp()))
        .isEqualTo("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
    byte[] pkt = HEX.parseHex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb");
    QuicHeader h = QuicHeader.parse(pkt, 0, pkt.length, 0).valueOrNull();
    PacketProtection.Opened o = PacketProtection.open(k, pkt, h, 654360563L);
    assertThat(o).as("AEAD tag verifies").isNotNull();
    assertThat(o.packetNumber()).isEqualTo(654360564L);
    assertThat(HEX.formatHex(o.payload())).isEqualTo("01");
    assertThat(QuicFrame.parse(o.payload()).frames())
        .extracting(QuicFrame::label)
        .containsExactly("PING");
  }

  /** Protect then open: header protection and AEAD round-trip for every version and AEAD. */
  @Test
  void protectThenOpenRoundTrips() {
    for (QuicVersion v : new QuicVersion[] {QuicVersion.V1, QuicVersion.V2}) {
      PacketKeys k = PacketKeys.initial(DCID, v, true);
      int first = v == QuicVersion.V2 ? 0xd1 : 0xc1; // Initial, 2-byte packet number
      byte[] payload = new byte[1100];
      payload[0] = 0x01; // PING, then PADDING
      byte[] header =
          HEX.parseHex(
              String.format(
                  "%02x%08x08%s0000%04x0007",
                  first, v.wire(), HEX.formatHex(DCID), 0x4000 | (payload.length + 16 + 2)));
      byte[] pkt = PacketProtection.protect(k, header, 2, 7, payload);
      QuicHeader h = QuicHeader.parse(pkt, 0, pkt.length, 0).valueOrNull();
      assertThat(h.type()).isEqualTo(PacketType.INITIAL);
      PacketProtection.Opened o = PacketProtection.open(k, pkt, h, -1);
      assertThat(o).isNotNull();
      assertThat(o.packetNumber()).isEqualTo(7);
      assertThat(QuicFrame.parse(o.payload()).frames())
          .extracting(QuicFrame::label)
          .containsExactly("PING", "PADDING");
      pkt[pkt.length - 1] ^= 1; // one flipped bit: the tag fails
      assertThat(PacketProtection.open(k, pkt, h, -1)).isNull();
    }
  }

  /** A 1-RTT packet with a 1-byte packet number {@code pn}, sealed with {@code k}. */
  private static byte[] shortPacket(PacketKeys k, long pn) {
    byte[] header = HEX.parseHex(String.format("40%s%02x", HEX.formatHex(DCID), pn & 0xff));
    byte[] payload = new byte[40];
    payload[0] = 0x01; // PING, then PADDING
    return PacketProtection.protect(k, header, 1, pn, payload);
  }

  /**
   * tshark 4.0's reading of a truncated packet number never goes below the block of the next
   * expected number; the RFC's does. The AEAD decides: a packet opens under the reading it was
   * sealed with, whichever rule gives it, and the window (largest) is the caller's, moved only by
   * opened packets. A packet that opens under neither shows tshark's reading.
   */
  @Test
  void aTruncatedPacketNumberOpensUnderEitherReadingAndShowsTsharksWhenItCannotOpen() {
    PacketKeys k = PacketKeys.fromSecret(new byte[32], PacketKeys.Aead.AES_128_GCM, QuicVersion.V1);
    long largest = 300;
    // 141 ahead of the largest: the RFC reads 185 (0x1b9 & 0xff = 0xb9), tshark 441.
    assertThat(PacketProtection.decodePacketNumber(largest, 441 & 0xff, 8)).isEqualTo(185);
    assertThat(PacketProtection.tsharkPacketNumber(largest, 441 & 0xff, 8)).isEqualTo(441);
    // 100 behind (a late packet): the RFC reads 200, tshark 456.
    assertThat(PacketProtection.decodePacketNumber(largest, 200, 8)).isEqualTo(200);
    assertThat(PacketProtection.tsharkPacketNumber(largest, 200, 8)).isEqualTo(456);
    // Where both agree, and below the first block boundary, they are the RFC's reading.
    for (long l = -1; l < 1200; l += 7) {
      for (int t = 0; t < 256; t += 5) {
        long rfc = PacketProtection.decodePacketNumber(l, t, 8);
        long ts = PacketProtection.tsharkPacketNumber(l, t, 8);
        assertThat(ts & 0xff).isEqualTo(t);
        assertThat(ts).as("largest %d truncated %d", l, t).isBetween(l + 1 - 128, l + 1 + 255);
        if (l + 1 < 256 || rfc >= (l + 1 & ~0xffL)) assertThat(ts).isEqualTo(rfc);
      }
    }
    for (long pn : new long[] {441, 200, 301}) {
      byte[] pkt = shortPacket(k, pn);
      QuicHeader h = QuicHeader.parse(pkt, 0, pkt.length, DCID.length).valueOrNull();
      PacketProtection.Opened o = PacketProtection.open(k, pkt, h, largest);
      assertThat(o).as("packet %d opens", pn).isNotNull();
      assertThat(o.packetNumber()).isEqualTo(pn);
      pkt[pkt.length - 1] ^= 1; // the tag fails: only the header is read
      assertThat(PacketProtection.open(k, pkt, h, largest)).isNull();
      assertThat(PacketProtection.unmask(k, pkt, h, largest).packetNumber())
          .isEqualTo(PacketProtection.tsharkPacketNumber(largest, pn & 0xff, 8));
    }
  }

  /** RFC 9000 A.3's example: largest 0xa82f30ea, truncated 0x9b32 (16 bits) -> 0xa82f9b32. */
  @Test
  void packetNumberDecoding() {
    assertThat(PacketProtection.decodePacketNumber(0xa82f30eaL, 0x9b32, 16)).isEqualTo(0xa82f9b32L);
  }

  @Test
  void cryptoFramesOutOfOrderBecomeMessages() {
    byte[] msg = new byte[4 + 300];
    msg[0] = 1;
    msg[2] = 1;
    msg[3] = 44; // 300
    CryptoStream cs = new CryptoStream();
    assertThat(cs.add(200, msg, 200, 104)).isEmpty();
    assertThat(cs.add(0, msg, 0, 50)).isEmpty();
    assertThat(cs.hasGap()).isTrue();
    assertThat(cs.add(40, msg, 40, 100)).isEmpty(); // overlapping, still a hole 140..200
    var done = cs.add(140, msg, 140, 60);
    assertThat(done).hasSize(1);
    assertThat(done.get(0).type()).isEqualTo(1);
    assertThat(done.get(0).bytes()).isEqualTo(msg);
    assertThat(cs.add(0, msg, 0, 304)).as("a retransmission delivers nothing twice").isEmpty();
  }

  @Test
  void versionNegotiationAndMalformedHeaders() {
    byte[] vn = HEX.parseHex("80000000000401020304040a0b0c0d000000016b3343cf");
    QuicHeader h = QuicHeader.parse(vn, 0, vn.length, 0).valueOrNull();
    assertThat(h.type()).isEqualTo(PacketType.VERSION_NEGOTIATION);
    assertThat(h.versions()).containsExactly(1, 0x6b3343cf);
    byte[] longCid = HEX.parseHex("c000000001" + "15" + "00".repeat(21) + "00");
    assertThat(QuicHeader.parse(longCid, 0, longCid.length, 0))
        .isInstanceOf(tlslab.wire.WireResult.Malformed.class);
    byte[] cut = HEX.parseHex("c0000000010408");
    assertThat(QuicHeader.parse(cut, 0, cut.length, 0))
        .isInstanceOf(tlslab.wire.WireResult.NeedMore.class);
  }

  /** RFC 9001 A.4 and RFC 9369 A.4: a Retry packet whose tag covers the client's first DCID. */
  @Test
  void retryIntegrityTagsOfBothVersions() {
    byte[] v1 =
        HEX.parseHex("ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");
    byte[] v2 =
        HEX.parseHex("cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6");
    for (byte[] pkt : new byte[][] {v1, v2}) {
      QuicHeader h = QuicHeader.parse(pkt, 0, pkt.length, 0).valueOrNull();
      assertThat(h.type()).isEqualTo(PacketType.RETRY);
      assertThat(HEX.formatHex(h.token())).isEqualTo("746f6b656e"); // "token"
      assertThat(RetryIntegrity.check(pkt, h, DCID)).isEqualTo(RetryIntegrity.Check.VALID);
      byte[] otherDcid = DCID.clone();
      otherDcid[0] ^= 1;
      assertThat(RetryIntegrity.check(pkt, h, otherDcid))
          .as("the tag binds the client's original Destination Connection ID")
          .isEqualTo(RetryIntegrity.Check.INVALID);
      byte[] changed = pkt.clone();
      changed[changed.length - 20] ^= 1; // in the token
      assertThat(RetryIntegrity.check(changed, h, DCID)).isEqualTo(RetryIntegrity.Check.INVALID);
    }
  }
}
