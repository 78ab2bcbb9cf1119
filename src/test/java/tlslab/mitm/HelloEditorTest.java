package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.wire.ClientHello;
import tlslab.wire.HandshakeMessages;

/**
 * {@link HelloEditor} on bytes alone: Client Hellos built by hand and one produced by JSSE, each
 * edit re-parsed with the lab's own Client Hello parser, so every length field must be right.
 */
class HelloEditorTest {
  private static ClientHello parse(byte[] record) {
    ClientHello ch = HandshakeMessages.clientHello(record, 9, record.length).valueOrNull();
    assertThat(ch).as("the edited record parses as a Client Hello").isNotNull();
    int recLen = ((record[3] & 0xff) << 8) | (record[4] & 0xff);
    int hsLen = ((record[6] & 0xff) << 16) | ((record[7] & 0xff) << 8) | (record[8] & 0xff);
    assertThat(recLen).isEqualTo(record.length - 5);
    assertThat(hsLen).isEqualTo(recLen - 4);
    return ch;
  }

  /** A Client Hello record with the given suites, supported_versions (or none) and a key share. */
  static byte[] hello(int[] suites, int[] versions, boolean keyShare) {
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    if (versions != null) {
      u16(ext, 43);
      u16(ext, 1 + 2 * versions.length);
      ext.write(2 * versions.length);
      for (int v : versions) {
        u16(ext, v);
      }
    }
    if (keyShare) {
      u16(ext, 10); // supported_groups: x25519
      u16(ext, 4);
      u16(ext, 2);
      u16(ext, 0x001d);
      u16(ext, 51); // key_share: x25519, 32 bytes
      u16(ext, 2 + 4 + 32);
      u16(ext, 4 + 32);
      u16(ext, 0x001d);
      u16(ext, 32);
      ext.writeBytes(new byte[32]);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, 0x0303);
    for (int i = 0; i < 32; i++) {
      body.write(i);
    }
    body.write(0); // no session id
    u16(body, 2 * suites.length);
    for (int s : suites) {
      u16(body, s);
    }
    body.write(1);
    body.write(0);
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());
    byte[] b = body.toByteArray();
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    rec.write(22);
    u16(rec, 0x0301);
    u16(rec, b.length + 4);
    rec.write(1);
    rec.write(0);
    u16(rec, b.length);
    rec.writeBytes(b);
    return rec.toByteArray();
  }

  private static void u16(ByteArrayOutputStream b, int v) {
    b.write(v >> 8);
    b.write(v & 0xff);
  }

  @Test
  void stripDheKeepsRsaTransportTls13SuitesScsvAndGrease() {
    int[] suites = {0x0a0a, 0x1301, 0xc02f, 0x009e, 0x009c, 0x002f, 0xcca8, 0x00ff};
    HelloEditor.Edit e =
        HelloEditor.edit(TamperMode.STRIP_DHE, hello(suites, new int[] {0x0303}, false));
    assertThat(e.changed()).isTrue();
    ClientHello ch = parse(e.record());
    assertThat(ch.cipherSuites()).containsExactly(0x0a0a, 0x1301, 0x009c, 0x002f, 0x00ff);
    assertThat(e.before()).contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(e.after()).doesNotContain("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    // Not a TLS 1.3 hello: its extensions stay.
    assertThat(e.removedExtensions()).isEmpty();
  }

  @Test
  void stripDheOnATls13HelloAlsoRemovesKeyShareAndGroups() {
    HelloEditor.Edit e =
        HelloEditor.edit(
            TamperMode.STRIP_DHE, hello(new int[] {0x1301, 0x1302}, new int[] {0x0304}, true));
    assertThat(e.changed()).isTrue();
    ClientHello ch = parse(e.record());
    assertThat(ch.extensions()).containsExactly(43);
    assertThat(ch.keyShareGroups()).isEmpty();
    assertThat(e.removedExtensions()).containsExactly("supported_groups", "key_share");
  }

  @Test
  void downgradeRemovesTls13AndKeepsGrease() {
    HelloEditor.Edit e =
        HelloEditor.edit(
            TamperMode.DOWNGRADE,
            hello(new int[] {0x1301, 0xc02f}, new int[] {0x3a3a, 0x0304, 0x0303}, true));
    ClientHello ch = parse(e.record());
    assertThat(ch.supportedVersions()).containsExactly(0x3a3a, 0x0303);
    assertThat(e.before()).containsExactly("GREASE 0x3a3a", "TLS 1.3", "TLS 1.2");
    assertThat(e.after()).containsExactly("GREASE 0x3a3a", "TLS 1.2");
  }

  @Test
  void downgradeOfATls12OnlyHelloOffersTls11() {
    HelloEditor.Edit viaExtension =
        HelloEditor.edit(
            TamperMode.DOWNGRADE, hello(new int[] {0xc02f}, new int[] {0x0303}, false));
    assertThat(parse(viaExtension.record()).supportedVersions()).containsExactly(0x0302);
    assertThat(parse(viaExtension.record()).version()).isEqualTo(0x0302);
    HelloEditor.Edit legacy =
        HelloEditor.edit(TamperMode.DOWNGRADE, hello(new int[] {0xc02f}, null, false));
    assertThat(legacy.field()).isEqualTo("legacy_version");
    assertThat(parse(legacy.record()).version()).isEqualTo(0x0302);
  }

  @Test
  void flipRandomChangesOneByteOnly() {
    byte[] in = hello(new int[] {0xc02f}, null, false);
    HelloEditor.Edit e = HelloEditor.edit(TamperMode.FLIP_RANDOM, in);
    assertThat(e.record()).hasSize(in.length);
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      if (in[i] != e.record()[i]) {
        diff.add(i);
      }
    }
    assertThat(diff).containsExactly(11); // header 5 + handshake header 4 + version 2
    assertThat(parse(e.record()).random()[0]).isEqualTo((byte) 0xff);
  }

  @Test
  void somethingElseIsPassedOnUnchangedAndSaysSo() {
    byte[] appData = {23, 3, 3, 0, 2, 1, 2};
    HelloEditor.Edit e = HelloEditor.edit(TamperMode.STRIP_DHE, appData);
    assertThat(e.changed()).isFalse();
    assertThat(e.record()).isSameAs(appData);
    assertThat(e.problem()).contains("not a Client Hello");
    byte[] truncated = java.util.Arrays.copyOf(hello(new int[] {0xc02f}, null, false), 40);
    assertThat(HelloEditor.edit(TamperMode.DOWNGRADE, truncated).changed()).isFalse();
  }

  @Test
  void jssesOwnClientHelloEditsCleanly() throws Exception {
    // The first record the lab's TLS 1.3 client sends, taken from its handshake observer; the
    // "server" is a socket that never answers.
    java.util.concurrent.CompletableFuture<byte[]> first =
        new java.util.concurrent.CompletableFuture<>();
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      tlslab.net.ChatClient client =
          tlslab.net.ChatClient.builder()
              .host("localhost")
              .port(silent.getLocalPort())
              .context(tlslab.tls.TlsContexts.client(null, null, true))
              .insecure(true)
              .profile(tlslab.tls.TlsProfile.TLS13)
              .handshakeTimeout(java.time.Duration.ofSeconds(5))
              .observers(
                  e ->
                      new tlslab.tls.HandshakeObserver() {
                        @Override
                        public void onRecords(
                            javax.net.ssl.SSLEngine engine, boolean outbound, ByteBuffer records) {
                          byte[] b = new byte[records.remaining()];
                          records.duplicate().get(b);
                          if (outbound) {
                            first.complete(b);
                          }
                        }
                      })
              .build();
      client.connectAsync();
      byte[] record = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
      client.closedFuture().exceptionally(t -> null);
      for (TamperMode m : TamperMode.values()) {
        HelloEditor.Edit e = HelloEditor.edit(m, record);
        assertThat(e.changed()).as(m.label()).isTrue();
        ClientHello ch = parse(e.record());
        if (m == TamperMode.DOWNGRADE) {
          assertThat(ch.supportedVersions()).containsExactly(0x0303);
        }
        if (m == TamperMode.STRIP_DHE) {
          assertThat(ch.keyShareGroups()).isEmpty();
          assertThat(e.removedExtensions()).contains("key_share");
        }
      }
    }
  }

  @Test
  void theDowngradeSentinelIsRecognised() {
    byte[] random = new byte[32];
    System.arraycopy(HelloEditor.DOWNGRADE_TLS12, 0, random, 24, 8);
    assertThat(HelloEditor.downgradeSentinel(random)).startsWith("DOWNGRD\\x01");
    System.arraycopy(HelloEditor.DOWNGRADE_TLS11, 0, random, 24, 8);
    assertThat(HelloEditor.downgradeSentinel(random)).startsWith("DOWNGRD\\x00");
    assertThat(HelloEditor.downgradeSentinel(new byte[32])).isNull();
  }

  @Test
  void parsingTheModeNamesTheChoices() {
    assertThat(TamperMode.parse("STRIP-DHE")).isEqualTo(TamperMode.STRIP_DHE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TamperMode.parse("nope"))
        .hasMessageContaining("strip-dhe, downgrade, flip-random");
  }
}
