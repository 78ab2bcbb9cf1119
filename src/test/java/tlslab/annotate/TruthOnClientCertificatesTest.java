package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Client certificates on real peers' traffic (openssl s_server -verify / -Verify, s_client with and
 * without -cert), with and without a key log: who sent what and how it ended, against tshark's
 * decryption of the same files.
 */
@Tag("slow")
class TruthOnClientCertificatesTest {

  @BeforeAll
  static void prepare() {
    LoopbackCaptures.prepare(
        List.of(
            TruthOnClientCertificatesTest::required13, TruthOnClientCertificatesTest::optional12));
  }

  /** TLS 1.3, s_server -Verify (a certificate is required), s_client without one. */
  static LoopbackCaptures.Capture required13() throws Exception {
    // The server's alert ends s_client by itself (it exits with an error).
    return TruthOnStudentTrafficTest.failing(
        "tls13-client-cert-required",
        "-tls1_3 -Verify 1 -CAfile " + LoopbackCaptures.dir().resolve("client.pem"),
        "-tls1_3");
  }

  /** TLS 1.2, s_server -verify (asked, not required), s_client without a certificate. */
  static LoopbackCaptures.Capture optional12() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-client-cert-optional", "-tls1_2 -verify 1 -CAfile CLIENT_CA", List.of("-tls1_2"), 0);
  }

  /**
   * The client answers the Certificate Request with an empty Certificate and its Finished; the
   * server then refuses with a fatal certificate_required (tshark with the key log). With keys the
   * summary said only "handshake: full handshake", as if the connection had gone on.
   */
  @Test
  void aHandshakeRefusedAfterTheClientsFinishedSaysSo() throws Exception {
    LoopbackCaptures.Capture c = required13();
    List<String[]> t = TruthOnRealPeersTest.tsharkWithKeys(c);
    String[] alert =
        t.stream()
            .filter(r -> r[2].equals("Alert (Level: Fatal, Description: Certificate Required)"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("tshark: no certificate_required"));
    assertThat(t)
        .as("tshark: the client's empty Certificate and Finished come before the alert")
        .anySatisfy(
            r -> {
              assertThat(r[2]).contains("Certificate").contains("Finished");
              assertThat(Long.parseLong(r[0])).isLessThan(Long.parseLong(alert[0]));
            });
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);

    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    assertThat(TruthOnRealPeersTest.summary(c, keys, 1))
        .contains(
            "client authentication: requested, but the client sent no certificate",
            "handshake: full handshake, then the server ended the connection with a fatal"
                + " certificate_required alert (frame "
                + alert[0]
                + ")",
            "alert: server sent fatal certificate_required (frame " + alert[0] + ")")
        .doesNotContain("handshake: full handshake");
    // Without keys the request, the empty answer and the alert are all encrypted.
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "handshake: full handshake",
            "alerts: none visible (TLS 1.3 alerts are encrypted; a key log shows them)")
        .noneSatisfy(l -> assertThat(l).startsWith("client authentication"));
  }

  /**
   * tshark's labels with the key log against ours, frame by frame, up to the client's
   * post-handshake Finished (its second Finished); after it tshark 4.0 decrypts none of the
   * client's records (docs/TSHARK-PARITY.md), so there each must be one tshark leaves as
   * "Application Data" and the lab decrypts and authenticates. Returns the frames after it.
   */
  static List<String[]> sameLabelsAsTsharkUpToThePostHandshakeFinished(LoopbackCaptures.Capture c)
      throws Exception {
    List<String[]> t = TruthOnRealPeersTest.tsharkWithKeys(c);
    KeyMaterial keys = KeyMaterial.none().withKeyLog(c.keylog());
    java.util.Map<Long, Row> ours = TsharkParityTest.annotate(c, keys);
    List<String> clientFinished =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 20 && tcp.dstport == " + c.port(),
            "frame.number",
            "-o",
            "tls.keylog_file:" + c.keylog());
    assertThat(clientFinished).as("tshark: the client's two Finished").hasSize(2);
    long pha = Long.parseLong(clientFinished.get(1));
    List<String[]> after = new java.util.ArrayList<>();
    for (String[] r : t) {
      if (!r[1].startsWith("TLS")) continue;
      long n = Long.parseLong(r[0]);
      Row row = ours.get(n);
      assertThat(row).as("frame " + n).isNotNull();
      boolean fromClient = row.sender == Sender.CLIENT;
      if (n > pha && fromClient) {
        assertThat(r[2]).as("tshark, frame %d", n).isEqualTo("Application Data");
        assertThat(row.info).as("frame %d", n).isNotEqualTo("Application Data");
        after.add(new String[] {r[0], row.info});
      } else {
        assertThat(row.protocol + " | " + row.info)
            .as("frame %d", n)
            .isEqualTo(r[1] + " | " + r[2]);
      }
    }
    assertThat(TruthOnRealPeersTest.annotate(c, keys).facts().get(0).decryptionStatus())
        .as("every record authenticates")
        .isNull();
    return after;
  }

  /**
   * After post-handshake authentication (s_server's "c", s_client -enable_pha) the lab moved the
   * client back to its first application keys at the second Finished: its close_notify "failed to
   * decrypt (AEADBadTagException): wrong keys?" and the Finished was "the client's MAC over the
   * whole handshake, keyed by the new secrets".
   */
  @Test
  void decryptionGoesOnAfterPostHandshakeAuthentication() throws Exception {
    LoopbackCaptures.Capture c = TruthOnRealPeersTest.postHandshakeAuth();
    List<String[]> after = sameLabelsAsTsharkUpToThePostHandshakeFinished(c);
    assertThat(after)
        .as("the client's close_notify, read by the lab only")
        .anySatisfy(
            r -> assertThat(r[1]).isEqualTo("Alert (Level: Warning, Description: Close Notify)"));
    ExplanationMatrixTest.Annotated k =
        TruthOnRealPeersTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> finished =
        k.notes(
            1, Sender.CLIENT, m -> m.handshakeType() == tlslab.wire.HandshakeType.FINISHED.code());
    assertThat(finished).hasSize(2);
    assertThat(finished.get(0)).startsWith("Finished (RFC 8446 4.4.4)");
    assertThat(finished.get(1))
        .startsWith("Finished after post-handshake authentication (RFC 8446 4.4.4, 4.6.2)")
        .contains("The traffic keys do not change")
        .doesNotContain("keyed by the new secrets");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none().withKeyLog(c.keylog()), 1))
        .contains("client authentication: the client sent a certificate")
        .noneSatisfy(l -> assertThat(l).contains("stopped"));
  }

  /** An empty client Certificate in TLS 1.2 (tshark: in the clear, Certificates Length 0). */
  @Test
  void anEmptyTls12ClientCertificateIsSaidEmpty() throws Exception {
    LoopbackCaptures.Capture c = optional12();
    assertThat(
            TruthOnResumptionTest.fields(
                c,
                "tls.handshake.type == 11 && tls.handshake.certificates_length == 0"
                    + " && tcp.dstport == "
                    + c.port(),
                "frame.number"))
        .hasSize(1);
    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.hs(1, Sender.CLIENT, tlslab.wire.HandshakeType.CERTIFICATE))
        .contains("empty, the client has no certificate to offer");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "client authentication: requested, but the client sent no certificate",
            "handshake: full handshake")
        .noneSatisfy(l -> assertThat(l).startsWith("certificate client"));
  }
}
