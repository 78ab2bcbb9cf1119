package tlslab.exercise.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;

/**
 * The offline forger: a client certificate is public (it travels in the clear in every TLS 1.2
 * capture of its holder), and whoever has a session's key log can recompute its Finished messages
 * over any transcript. So a handshake showing a classmate's class certificate proves the classmate
 * took part only through the Certificate Verify, the one signature made with that certificate's
 * private key. A Certificate with no Certificate Verify after it must not count.
 *
 * <p>The handshake is a real one (JSSE client and server with client authentication, captured by
 * libpcap: the test fixture {@code tls12-client-auth.pcap}); read without keys, its Finished
 * messages are not checked, which is exactly the forger's position once they recomputed them.
 */
class ClientCertificateProofTest {
  private static final Path FIXTURE = Path.of("src/test/resources/captures/tls12-client-auth.pcap");

  @Test
  void aRealClientCertificateHandshakeVerifiesItsCertificateVerify() {
    CaptureEvidence cap = CaptureEvidence.read(FIXTURE, KeyMaterial.none());
    ConnectionFacts c = withClientCertificate(cap);
    HandshakeProof.Result p = HandshakeProof.verify(c, cap.handshake(c), KeyMaterial.none());
    assertThat(p.problems()).isEmpty();
    assertThat(p.verified())
        .contains("the client's Certificate Verify is signed by its certificate's key");
  }

  @Test
  void theCertificateVerifyCutOutOfTheHandshakeFails() {
    CaptureEvidence cap = CaptureEvidence.read(FIXTURE, KeyMaterial.none());
    ConnectionFacts c = withClientCertificate(cap);
    List<HandshakeProof.Message> forged =
        cap.handshake(c).stream().filter(m -> !(m.type() == 15 && !m.fromServer())).toList();
    assertThat(forged).hasSize(cap.handshake(c).size() - 1);
    HandshakeProof.Result p = HandshakeProof.verify(c, forged, KeyMaterial.none());
    assertThat(p.genuine()).isFalse();
    assertThat(p.problems())
        .anyMatch(s -> s.contains("is followed by no Certificate Verify"))
        .anyMatch(s -> s.contains(CaptureEvidence.describe(c.clientCertificates().get(0))));
  }

  private static ConnectionFacts withClientCertificate(CaptureEvidence cap) {
    return cap.facts().stream()
        .filter(x -> !x.clientCertificates().isEmpty())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no client certificate in " + FIXTURE));
  }
}
