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

  /** The frames of the client's and the server's Key Updates, by tshark with the key log. */
  private static List<String> keyUpdateFrames(LoopbackCaptures.Capture c, String direction)
      throws Exception {
    return TruthOnResumptionTest.fields(
        c,
        "tls.handshake.type == 24 && " + direction + " == " + c.port(),
        "frame.number",
        "-o",
        "tls.keylog_file:" + c.keylog());
  }

  /**
   * The server's update_not_requested was "it may be the answer to the client's request", whether
   * or not a request came before it; and nothing said whether the client's update_requested got its
   * answer. Now the answer names the request's frame (tshark's), and the summary links both.
   */
  @Test
  void theAnswerToAnUpdateRequestNamesTheRequest() throws Exception {
    LoopbackCaptures.Capture c = requested();
    List<String> client = keyUpdateFrames(c, "tcp.dstport");
    List<String> server = keyUpdateFrames(c, "tcp.srcport");
    assertThat(client).hasSize(1);
    assertThat(server).hasSize(1);
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    ExplanationMatrixTest.Annotated k = TruthOnRealPeersTest.annotate(c, keys);
    assertThat(k.hs(1, Sender.SERVER, HandshakeType.KEY_UPDATE))
        .contains(
            "It is the server's first Key Update after the client's update_requested in frame "
                + client.get(0)
                + ", so it answers that request.")
        .doesNotContain("may be");
    assertThat(k.hs(1, Sender.CLIENT, HandshakeType.KEY_UPDATE)).doesNotContain("answers");
    assertThat(k.facts().get(0).keyUpdates())
        .containsExactly(
            new KeyUpdate(
                Sender.CLIENT, Long.parseLong(client.get(0)), 1, -1, Long.parseLong(server.get(0))),
            new KeyUpdate(
                Sender.SERVER,
                Long.parseLong(server.get(0)),
                0,
                Long.parseLong(client.get(0)),
                -1));
    assertThat(TruthOnRealPeersTest.summary(c, keys, 1))
        .contains(
            "key update: client (frame "
                + client.get(0)
                + "), update_requested: the server answered in frame "
                + server.get(0),
            "key update: server (frame "
                + server.get(0)
                + "), answering the client's update_requested (frame "
                + client.get(0)
                + "), update_not_requested");
  }

  /**
   * The same session cut right after the client's request (a capture stopped early: editcap keeps
   * the frames up to it): tshark reads the request and no Key Update from the server, and the
   * summary says no answer was read.
   */
  @Test
  void anUnansweredUpdateRequestIsSaidToBeUnanswered() throws Exception {
    LoopbackCaptures.Capture whole = requested();
    String request = keyUpdateFrames(whole, "tcp.dstport").get(0);
    LoopbackCaptures.Capture c =
        LoopbackCaptures.transformed(
            "tls13-key-update-unanswered",
            whole,
            (in, out) -> {
              Process p =
                  new ProcessBuilder("editcap", "-r", in.toString(), out.toString(), "1-" + request)
                      .redirectErrorStream(true)
                      .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                      .start();
              try {
                assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
              assertThat(p.exitValue()).as("editcap").isZero();
            });
    assertThat(keyUpdateFrames(c, "tcp.dstport")).containsExactly(request);
    assertThat(keyUpdateFrames(c, "tcp.srcport")).isEmpty();
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    assertThat(TruthOnRealPeersTest.summary(c, keys, 1))
        .contains(
            "key update: client (frame "
                + request
                + "), update_requested: no Key Update from the server was read after it (RFC 8446"
                + " 4.6.3 requires one before the server's next application data)");
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
        .contains("it answers no request: no update_requested from the server was read before it")
        .doesNotContain("update_requested:");
    String frame =
        TruthOnResumptionTest.fields(
                c,
                "tls.handshake.type == 24",
                "frame.number",
                "-o",
                "tls.keylog_file:" + c.keylog())
            .get(0);
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none().withKeyLog(c.keylog()), 1))
        .contains("key update: client (frame " + frame + "), update_not_requested");
  }
}
