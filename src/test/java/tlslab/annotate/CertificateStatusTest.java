package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.pki.LabFiles;
import tlslab.pki.OcspResponder;
import tlslab.pki.RevocationReason;
import tlslab.pki.Revocations;
import tlslab.pki.internal.PemIo;

/**
 * The Certificate Status decoder on OCSP responses signed by the lab responder, wrapped the two
 * ways TLS 1.2 carries them (RFC 6066 ocsp, RFC 6961 ocsp_multi): every sentence must hold for the
 * bytes given, a revoked answer must never read as good, and no input makes it throw.
 */
class CertificateStatusTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  @TempDir Path dir;
  private LabFiles files;
  private X509Certificate ca;
  private X509Certificate server;

  @BeforeEach
  void ca() {
    files = LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.EC_P256).build());
    ca = PemIo.readCertificate(files.caCert());
    server = PemIo.readCertificate(files.serverCert());
  }

  private byte[] response() throws Exception {
    CertificateID id =
        new CertificateID(
            new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
            new JcaX509CertificateHolder(ca),
            server.getSerialNumber());
    byte[] req = new OCSPReqBuilder().addRequest(id).build().getEncoded();
    return new OcspResponder(dir, Duration.ofMinutes(30), Clock.fixed(NOW, ZoneOffset.UTC))
        .respond(req)
        .response();
  }

  private static byte[] body(int type, byte[] der) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(type);
    if (type == 2) {
      u24(b, der.length + 3);
    }
    u24(b, der.length);
    b.writeBytes(der);
    return b.toByteArray();
  }

  private static void u24(ByteArrayOutputStream b, int n) {
    b.write(n >> 16);
    b.write(n >> 8);
    b.write(n);
  }

  @Test
  void goodAnswerNamesTheSignerAndItsTimes() throws Exception {
    byte[] m = body(1, response());
    CertificateStatus s = CertificateStatus.parse(m, 0, m.length, List.of(server, ca));
    assertThat(s.certStatus()).isEqualTo(CertificateStatus.CertStatus.GOOD);
    assertThat(s.signature()).isEqualTo(CertificateStatus.Signature.VERIFIES);
    assertThat(s.signerInChain()).isTrue();
    assertThat(Explanations.certificateStatusNote(s))
        .contains("is GOOD")
        .contains("Signed by " + ca.getSubjectX500Principal().getName() + "; signature verifies")
        .contains("thisUpdate 2026-12-01T10:00:00Z, nextUpdate 2026-12-01T10:30:00Z")
        .doesNotContain("ocsp_multi")
        .doesNotContain("revoked");
  }

  @Test
  void revokedAnswerSaysRevokedWithReasonAndTime() throws Exception {
    Revocations.Revoked r =
        Revocations.revokeCertificate(dir, files.serverCert(), RevocationReason.KEY_COMPROMISE);
    byte[] m = body(2, response());
    CertificateStatus s = CertificateStatus.parse(m, 0, m.length, List.of(server, ca));
    assertThat(s.certStatus()).isEqualTo(CertificateStatus.CertStatus.REVOKED);
    assertThat(s.reason()).isEqualTo("keyCompromise");
    assertThat(Explanations.certificateStatusNote(s))
        .contains("(type ocsp_multi, RFC 6961)")
        .contains("is REVOKED since " + r.at() + " (reason keyCompromise)")
        .contains("a verifying client must refuse this server")
        .doesNotContain("GOOD");
  }

  @Test
  void withoutTheSignerInTheChainTheSignatureIsNotClaimed() throws Exception {
    byte[] m = body(1, response());
    CertificateStatus s = CertificateStatus.parse(m, 0, m.length, List.of(server));
    assertThat(s.signature()).isEqualTo(CertificateStatus.Signature.SIGNER_NOT_IN_CHAIN);
    assertThat(s.signerInChain()).isFalse();
    assertThat(Explanations.certificateStatusNote(s))
        .contains("not checked (the signer's certificate is not in the server's chain)")
        .doesNotContain("signature verifies");
  }

  @Test
  void aTamperedResponseDoesNotVerify() throws Exception {
    byte[] der = response();
    // Flip a bit of the serial inside the signed tbsResponseData (the response also carries the
    // CA certificate after the signature, where a flip would prove nothing).
    byte[] serial = server.getSerialNumber().toByteArray();
    int at = indexOf(der, serial);
    assertThat(at).as("serial inside the response").isPositive();
    der[at + serial.length - 1] ^= 0x01;
    byte[] m = body(1, der);
    CertificateStatus s = CertificateStatus.parse(m, 0, m.length, List.of(server, ca));
    assertThat(Explanations.certificateStatusNote(s))
        .satisfiesAnyOf(
            e -> assertThat(e).contains("signature does NOT verify"),
            e -> assertThat(e).contains("could not be read"));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void truncatedAndRandomBodiesNeverThrow() throws Exception {
    byte[] m = body(2, response());
    for (int end = 0; end < m.length; end++) {
      CertificateStatus s = CertificateStatus.parse(m, 0, end, List.of(server, ca));
      assertThat(s.problem()).as("cut at %d", end).isNotNull();
      assertThat(Explanations.certificateStatusNote(s)).contains("could not be read");
    }
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      assertThat(
              Explanations.certificateStatusNote(
                  CertificateStatus.parse(junk, 0, junk.length, List.of())))
          .startsWith("Certificate Status (RFC 6066 8)");
    }
  }
}
