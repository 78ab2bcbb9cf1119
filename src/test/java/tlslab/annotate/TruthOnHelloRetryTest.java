package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.bench.HeadlessChromium;
import tlslab.wire.HandshakeType;

/**
 * The second Client Hello after a Hello Retry Request was "the same as the first except for a key
 * share on the group the server named", said without looking: now what changed is read from both
 * hellos' bytes, with tshark's reading of the same two hellos as the oracle. Headless Chromium
 * against s_server -groups P-256 (Chromium's shares are X25519MLKEM768 and x25519) changes only its
 * key share; OpenSSL's client resuming with early data against s_server -groups P-384 also leaves
 * out early_data and updates pre_shared_key, as RFC 8446 4.1.2 requires.
 */
@Tag("slow")
class TruthOnHelloRetryTest {
  private static final Sender C = Sender.CLIENT;

  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        List.of(TruthOnHelloRetryTest::chromiumRetry, TruthOnHelloRetryTest::pskRetry));
  }

  /** Headless Chromium loads a page from s_server -www that accepts only secp256r1. */
  static LoopbackCaptures.Capture chromiumRetry() throws Exception {
    return LoopbackCaptures.around(
        "chromium-hello-retry",
        port -> {
          Path d = LoopbackCaptures.dir().resolve("chromium-hello-retry");
          Files.createDirectories(d);
          Path keylog = d.resolve("chromium.keylog");
          Process server =
              new ProcessBuilder(LoopbackCaptures.sServer(port, "-www", "-groups", "P-256"))
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
                    "https://lab.example:" + port + "/"));
            LoopbackCaptures.runWithKeyLog(chromium, keylog, 60);
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return keylog;
        });
  }

  /** s_client resumes with early data against a server that wants a secp384r1 share. */
  static LoopbackCaptures.Capture pskRetry() throws Exception {
    Path early = LoopbackCaptures.dir().resolve("retry-early-data.txt");
    Files.writeString(early, "early data before the retry\n");
    return LoopbackCaptures.openssl(
        "tls13-psk-hello-retry",
        "-tls1_3 -groups P-384 -early_data",
        List.of("-tls1_3 -sess_out SESS", "-tls1_3 -sess_in SESS -early_data " + early),
        0);
  }

  /** tshark: each Client Hello of TCP stream {@code stream} as "type=body" extension strings. */
  private static List<List<String>> hellos(LoopbackCaptures.Capture c, int stream)
      throws Exception {
    List<String> types =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 1 && tcp.stream == " + stream,
            "tls.handshake.extension.type");
    List<String> lens =
        TruthOnResumptionTest.fields(
            c, "tls.handshake.type == 1 && tcp.stream == " + stream, "tls.handshake.extension.len");
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      String[] t = types.get(i).split(",");
      String[] l = lens.get(i).split(",");
      List<String> h = new ArrayList<>();
      for (int k = 0; k < t.length; k++) h.add(t[k] + "/" + l[k]);
      out.add(h);
    }
    return out;
  }

  @Test
  void chromiumsRetryChangesOnlyItsKeyShare() throws Exception {
    LoopbackCaptures.Capture c = chromiumRetry();
    List<String[]> retries = LoopbackCaptures.tshark(c, "-Y", "tls.handshake.type == 2");
    assertThat(retries).anySatisfy(r -> assertThat(r[2]).startsWith("Hello Retry Request"));
    List<List<String>> h = hellos(c, 0);
    assertThat(h).as("tshark: two hellos on the first connection").hasSize(2);
    // The same extensions, in the same order and of the same lengths, but key_share (51).
    List<String> first = new ArrayList<>(h.get(0));
    List<String> second = new ArrayList<>(h.get(1));
    first.removeIf(e -> e.startsWith("51/"));
    second.removeIf(e -> e.startsWith("51/"));
    assertThat(second).isEqualTo(first);
    List<String> randoms =
        TruthOnResumptionTest.fields(
            c, "tls.handshake.type == 1 && tcp.stream == 0", "tls.handshake.random");
    assertThat(randoms).hasSize(2);
    assertThat(randoms.get(1)).isEqualTo(randoms.get(0));
    List<String> groups =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 1 && tcp.stream == 0",
            "tls.handshake.extensions_key_share_group");
    assertThat(groups.get(1).split(",")).containsExactly("23");

    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    List<String> notes = a.notes(1, C, m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code());
    assertThat(notes).hasSize(2);
    assertThat(notes.get(1))
        .isEqualTo(
            "Second Client Hello (RFC 8446 4.1.2, 4.1.4): the client answers the Hello Retry"
                + " Request with a new hello, the same as the first except for a key share on the"
                + " group the server named (secp256r1).");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "Hello Retry Request: the server asked for a key share on secp256r1",
            "key shares offered: X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec)), x25519,"
                + " secp256r1; the server chose secp256r1, a classical group: not post-quantum");
  }

  /**
   * The client's compatibility Change Cipher Spec went with its 0-RTT data, before the retry: its
   * second Client Hello and the server's Server Hello were "Encrypted Handshake Message" (tshark:
   * "Client Hello", "Server Hello, ..."), and the hello was explained as "its Finished (RFC 5246
   * 7.4.9)". Wireshark forgets the CCS frames at every Server Hello, a retry included.
   */
  @Test
  void afterEarlyDataAndARetryTheLabelsAreTsharks() throws Exception {
    LoopbackCaptures.Capture c = pskRetry();
    List<String[]> expected = LoopbackCaptures.tshark(c);
    java.util.Map<Long, Row> ours = TsharkParityTest.annotate(c, KeyMaterial.none());
    List<String> diffs = new ArrayList<>();
    for (String[] t : expected) {
      if (!t[1].startsWith("TLS")) continue;
      Row r = ours.get(Long.parseLong(t[0]));
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(t[1] + " | " + t[2]))
        diffs.add("frame " + t[0] + ": tshark [" + t[1] + " | " + t[2] + "] ours [" + got + "]");
    }
    assertThat(expected).anySatisfy(t -> assertThat(t[2]).isEqualTo("Client Hello"));
    assertThat(diffs).as("differences from tshark without keys").isEmpty();
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);
    assertThat(TruthOnRealPeersTest.annotate(c, KeyMaterial.none()).allNotes())
        .noneSatisfy(n -> assertThat(n).contains("RFC 5246"));
  }

  @Test
  void aResumingRetryLeavesOutEarlyDataAndUpdatesItsPsk() throws Exception {
    LoopbackCaptures.Capture c = pskRetry();
    List<List<String>> h = hellos(c, 1);
    assertThat(h).as("tshark: two hellos on the resuming connection").hasSize(2);
    assertThat(h.get(0)).anySatisfy(e -> assertThat(e).startsWith("42/"));
    assertThat(h.get(1)).noneSatisfy(e -> assertThat(e).startsWith("42/"));
    // tshark's fields give the binders' count only; its JSON with -x carries their bytes.
    Process p =
        new ProcessBuilder(
                "tshark",
                "-r",
                c.file().toString(),
                "-d",
                "tcp.port==" + c.port() + ",tls",
                "-Y",
                "tls.handshake.type == 1 && tcp.stream == 1",
                "-T",
                "json",
                "-x")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String json =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> binders = new ArrayList<>();
    java.util.regex.Matcher binder =
        java.util.regex.Pattern.compile(
                "\"tls\\.handshake\\.extensions\\.psk\\.binders_raw\":\\s*\\[\\s*\"([0-9a-f]+)\"")
            .matcher(json);
    while (binder.find()) binders.add(binder.group(1));
    assertThat(binders).hasSize(2);
    assertThat(binders.get(1)).as("tshark: the retry's PSK binder").isNotEqualTo(binders.get(0));
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    List<String> notes = a.notes(2, C, m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code());
    assertThat(notes).hasSize(2);
    assertThat(notes.get(1))
        .startsWith(
            "Second Client Hello (RFC 8446 4.1.2, 4.1.4): the client answers the Hello Retry"
                + " Request with a new hello, the same as the first except for a key share on the"
                + " group the server named (secp384r1), early_data left out (no 0-RTT after a"
                + " Hello Retry Request, 4.2.10) and its pre_shared_key updated (new ages and"
                + " binders, 4.2.11).")
        .doesNotContain("It also changes");
    // The 0-RTT data went, and the retry rejected it: said, not lost with the first hello.
    assertThat(a.facts().get(1).earlyDataOffered()).isTrue();
    assertThat(a.facts().get(1).earlyDataAccepted()).isFalse();
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 2))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("early data (0-RTT): ")
                    .endsWith(
                        "the server answered with a Hello Retry Request, which rejects it: the"
                            + " client's second hello leaves early_data out, and the server skipped"
                            + " those records (RFC 8446 4.2.10)"));
    List<String> plain = a.notes(1, C, m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code());
    assertThat(plain.get(1))
        .startsWith(
            "Second Client Hello (RFC 8446 4.1.2, 4.1.4): the client answers the Hello Retry"
                + " Request with a new hello, the same as the first except for a key share on the"
                + " group the server named (secp384r1).");
  }
}
