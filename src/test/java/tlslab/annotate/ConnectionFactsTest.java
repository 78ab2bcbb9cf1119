package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * {@link Annotator#facts()} on sessions between openssl peers, checked against tshark's fields:
 * suite, Server Key Exchange group, the certificates each side sent, client authentication,
 * resumption and tickets.
 */
@Tag("slow")
class ConnectionFactsTest {
  private static List<ConnectionFacts> facts(LoopbackCaptures.Capture c, KeyMaterial keys) {
    Annotator a = new Annotator(keys, false);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      while (r.next(f)) {
        a.annotate(f);
      }
    }
    return a.facts();
  }

  /** One tshark field (all occurrences) of the frames matching {@code filter}, in frame order. */
  private static List<String> tshark(LoopbackCaptures.Capture c, String filter, String field)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "tshark",
                "-r",
                c.file().toString(),
                "-d",
                "tcp.port==" + c.port() + ",tls",
                "-Y",
                filter,
                "-T",
                "fields",
                "-E",
                "occurrence=a",
                "-E",
                "aggregator=,",
                "-e",
                field)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> values = new ArrayList<>();
    for (String line : out.split("\n")) {
      for (String v : line.split(",")) {
        if (!v.isBlank()) values.add(v.strip());
      }
    }
    return values;
  }

  private static String hex(java.security.cert.X509Certificate x) throws Exception {
    return HexFormat.of().formatHex(x.getEncoded());
  }

  @Test
  void ecdheSessionHasItsSuiteGroupAndServerChainAsTsharkSeesThem() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls12Gcm();
    ConnectionFacts f = facts(c, KeyMaterial.none()).get(0);
    assertThat(f.version()).isEqualTo(0x0303);
    assertThat(String.format("0x%04x", f.cipherSuite()))
        .isEqualTo(tshark(c, "tls.handshake.type == 2", "tls.handshake.ciphersuite").get(0));
    assertThat(f.serverKeyExchange()).isTrue();
    assertThat(f.keyExchangeGroup())
        .isEqualTo(
            Integer.decode(
                tshark(c, "tls.handshake.type == 12", "tls.handshake.server_named_curve").get(0)));
    List<String> chain = tshark(c, "tls.handshake.type == 11", "tls.handshake.certificate");
    assertThat(f.serverCertificates()).hasSize(chain.size());
    assertThat(hex(f.serverCertificates().get(0)))
        .isEqualToIgnoringCase(chain.get(0).replace(":", ""));
    assertThat(f.certificateRequest()).isFalse();
    assertThat(f.clientCertificates()).isEmpty();
    assertThat(f.clientApplicationData()).isPositive();
    assertThat(f.resumed()).isFalse();
  }

  @Test
  void rsaKeyTransportHasNoServerKeyExchange() throws Exception {
    ConnectionFacts f = facts(Scenarios.tls12Rsa(), KeyMaterial.none()).get(0);
    assertThat(f.cipherSuiteName()).isEqualTo("TLS_RSA_WITH_AES_128_CBC_SHA");
    assertThat(f.serverKeyExchange()).isFalse();
    assertThat(f.keyExchangeGroup()).isEqualTo(-1);
  }

  @Test
  void clientAuthenticationShowsRequestClientChainAndVerify() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.clientAuth();
    ConnectionFacts f = facts(c, KeyMaterial.none()).get(0);
    assertThat(f.certificateRequest()).isTrue();
    assertThat(f.clientCertificateVerify()).isTrue();
    List<String> fromClient =
        tshark(
            c,
            "tls.handshake.type == 11 && tcp.dstport == " + c.port(),
            "tls.handshake.certificate");
    assertThat(fromClient).isNotEmpty();
    assertThat(hex(f.clientCertificates().get(0)))
        .isEqualToIgnoringCase(fromClient.get(0).replace(":", ""));
    assertThat(hex(f.clientCertificates().get(0))).isNotEqualTo(hex(f.serverCertificates().get(0)));
  }

  @Test
  void resumptionIsAbbreviatedAndTheFullHandshakeIssuedATicket() throws Exception {
    List<ConnectionFacts> f = facts(Scenarios.resumed(), KeyMaterial.none());
    assertThat(f).hasSize(2);
    assertThat(f.get(0).resumed()).isFalse();
    assertThat(f.get(0).ticketsIssued()).isPositive();
    assertThat(f.get(1).resumed()).isTrue();
    assertThat(f.get(1).serverCertificates()).isEmpty();
  }

  @Test
  void tls13HidesItsCertificatesUnlessAKeyLogDecryptsThem() throws Exception {
    LoopbackCaptures.Capture c = Scenarios.tls13ClientAuth();
    ConnectionFacts hidden = facts(c, KeyMaterial.none()).get(0);
    assertThat(hidden.version()).isEqualTo(0x0304);
    assertThat(hidden.serverCertificates()).isEmpty();
    assertThat(hidden.certificateRequest()).isFalse();
    ConnectionFacts seen = facts(c, KeyMaterial.none().withKeyLog(c.keylog())).get(0);
    assertThat(seen.decryptedRecords()).isPositive();
    assertThat(seen.serverCertificates()).isNotEmpty();
    assertThat(seen.certificateRequest()).isTrue();
    assertThat(seen.clientCertificates()).isNotEmpty();
    assertThat(seen.clientCertificateVerify()).isTrue();
  }
}
