package tlslab.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.internal.Names;
import tlslab.pki.internal.PemIo;

/** The verifier's checks one by one, and RFC 6125 host-name matching. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateVerifierTest {
  private X509Certificate ca;
  private X509Certificate server;
  private X509Certificate wildcard;

  @BeforeAll
  void createLab(@TempDir Path dir) {
    LabFiles a =
        LabCertificates.init(
            InitOptions.builder().dir(dir.resolve("a")).keyType(KeyType.EC_P256).build());
    ca = PemIo.readCertificate(a.caCert());
    server = PemIo.readCertificate(a.serverCert());
    LabFiles w =
        LabCertificates.init(
            InitOptions.builder()
                .dir(dir.resolve("w"))
                .keyType(KeyType.EC_P256)
                .sans(List.of("*.lab.example", "fe80::1"))
                .build());
    wildcard = PemIo.readCertificate(w.serverCert());
    // w has its own CA: verify it against that one
    wildcardCa = PemIo.readCertificate(w.caCert());
  }

  private X509Certificate wildcardCa;

  @Test
  void aGoodServerCertificatePassesEveryCheckInOrder() {
    CertificateVerifier.Result r =
        CertificateVerifier.verify(ca, List.of(server, ca), "localhost", Instant.now());
    assertThat(r.passed()).isTrue();
    assertThat(r.checks())
        .extracting(CertificateVerifier.Check::name)
        .containsExactly("CA", "chain", "validity", "key usage", "hostname");
    assertThat(r.firstFailure()).isEmpty();
  }

  @Test
  void withoutAHostTheHostnameCheckIsNotMade() {
    CertificateVerifier.Result r =
        CertificateVerifier.verify(ca, List.of(server), null, Instant.now());
    assertThat(r.checks()).extracting(CertificateVerifier.Check::name).doesNotContain("hostname");
    assertThat(r.passed()).isTrue();
  }

  @Test
  void validityIsJudgedAtTheGivenTime() {
    Instant end = server.getNotAfter().toInstant();
    assertThat(CertificateVerifier.verify(ca, List.of(server), null, end).passed()).isTrue();
    CertificateVerifier.Result late =
        CertificateVerifier.verify(ca, List.of(server), null, end.plus(Duration.ofSeconds(1)));
    assertThat(late.firstFailure().orElseThrow().name()).isEqualTo("validity");
    assertThat(late.firstFailure().orElseThrow().detail())
        .contains("CN=localhost")
        .contains("expired at " + end);
  }

  @Test
  void wildcardsMatchExactlyOneLabelAndIpsOnlyIpSans() {
    Instant now = Instant.now();
    assertThat(
            CertificateVerifier.verify(wildcardCa, List.of(wildcard), "chat.lab.example", now)
                .passed())
        .isTrue();
    assertThat(
            CertificateVerifier.verify(wildcardCa, List.of(wildcard), "CHAT.Lab.Example.", now)
                .passed())
        .isTrue();
    assertThat(
            CertificateVerifier.verify(wildcardCa, List.of(wildcard), "lab.example", now).passed())
        .isFalse();
    assertThat(
            CertificateVerifier.verify(wildcardCa, List.of(wildcard), "a.b.lab.example", now)
                .passed())
        .isFalse();
    assertThat(
            CertificateVerifier.verify(wildcardCa, List.of(wildcard), "fe80:0:0:0:0:0:0:1", now)
                .passed())
        .isTrue();
    assertThat(CertificateVerifier.verify(ca, List.of(server), "127.0.0.1", now).passed()).isTrue();
    assertThat(CertificateVerifier.verify(ca, List.of(server), "127.0.0.2", now).passed())
        .isFalse();
  }

  @Test
  void dnsMatchingRules() {
    assertThat(Names.dnsMatches("localhost", "LOCALHOST")).isTrue();
    assertThat(Names.dnsMatches("*.example.com", "www.example.com")).isTrue();
    assertThat(Names.dnsMatches("*.example.com", "example.com")).isFalse();
    assertThat(Names.dnsMatches("*.example.com", ".example.com")).isFalse();
    assertThat(Names.dnsMatches("*.example.com", "a.b.example.com")).isFalse();
    assertThat(Names.dnsMatches("www.example.com", "www.example.co")).isFalse();
  }

  @Test
  void aCertificateIsNotItsOwnServer() {
    CertificateVerifier.Result r = CertificateVerifier.verify(ca, List.of(ca), null, Instant.now());
    assertThat(r.checks().get(1).detail()).contains("trust anchor");
    assertThat(r.firstFailure().orElseThrow().name()).isEqualTo("key usage");
    assertThat(r.firstFailure().orElseThrow().detail()).contains("is a CA certificate");
  }
}
