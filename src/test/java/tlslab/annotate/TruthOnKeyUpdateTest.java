package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.wire.HandshakeType;

/**
 * TLS 1.3 Key Updates between openssl s_client and s_server, with a key log: s_client's "K" asks
 * the server to update too (update_requested), "k" does not. Decryption goes on across them as
 * tshark's does, and each note says what its request_update field asks.
 */
@Tag("slow")
class TruthOnKeyUpdateTest {

  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        List.of(TruthOnKeyUpdateTest::requested, TruthOnRealPeersTest::keyUpdate));
  }

  /** s_client's "K": a Key Update with update_requested; s_server reads it ("Read BLOCK"). */
  static LoopbackCaptures.Capture requested() throws Exception {
    return TruthOnRealPeersTest.commands(
        "tls13-key-update-requested", "-tls1_3", "-tls1_3", false, "K\n", "Read BLOCK", true);
  }

  /**
   * tshark with keys: the client's Key Update has request_update 1, the server answers with its
   * own, request_update 0, then sends its line. The notes said only "switches to the next
   * generation of traffic keys" for both, nothing of the request or the answer.
   */
  @Test
  void anUpdateRequestedAndItsAnswerAreSaidAsSuch() throws Exception {
    LoopbackCaptures.Capture c = requested();
    List<String> client =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 24 && tcp.dstport == " + c.port(),
            "tls.handshake.key_update.request_update",
            "-o",
            "tls.keylog_file:" + c.keylog());
    List<String> server =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 24 && tcp.srcport == " + c.port(),
            "tls.handshake.key_update.request_update",
            "-o",
            "tls.keylog_file:" + c.keylog());
    assertThat(client).containsExactly("1");
    assertThat(server).containsExactly("0");
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);

    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated k = TruthOnRealPeersTest.annotate(c, keys);
    assertThat(k.hs(1, Sender.CLIENT, HandshakeType.KEY_UPDATE))
        .startsWith("Key Update (RFC 8446 4.6.3): the client switches its sending keys")
        .contains("update_requested: it asks the server to update its own sending keys too");
    assertThat(k.hs(1, Sender.SERVER, HandshakeType.KEY_UPDATE))
        .startsWith("Key Update (RFC 8446 4.6.3): the server switches its sending keys")
        .contains("update_not_requested: it does not ask the client to follow");
    assertThat(k.facts().get(0).decryptionStatus()).isNull();
    StringBuilder text = new StringBuilder();
    for (Row r : TsharkParityTest.annotate(c, keys).values())
      text.append(DecryptionVersusTsharkTest.decryptedText(r));
    assertThat(text.toString()).contains("hello from server");
  }

  /** "k": update_not_requested, and the server does not answer with one (tshark). */
  @Test
  void anUpdateNotRequestedAsksNothing() throws Exception {
    LoopbackCaptures.Capture c = TruthOnRealPeersTest.keyUpdate();
    assertThat(
            TruthOnResumptionTest.fields(
                c,
                "tls.handshake.type == 24",
                "tls.handshake.key_update.request_update",
                "-o",
                "tls.keylog_file:" + c.keylog()))
        .containsExactly("0");
    ExplanationMatrixTest.Annotated k =
        TruthOnRealPeersTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    assertThat(k.hs(1, Sender.CLIENT, HandshakeType.KEY_UPDATE))
        .contains("update_not_requested: it does not ask the server to follow")
        .doesNotContain("update_requested:");
  }
}
