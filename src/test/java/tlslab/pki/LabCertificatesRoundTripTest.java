package tlslab.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.common.LabException;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.PemIo;

/** Every key type: init writes files that read back into the same keys and a valid chain. */
@Tag("jdk") // PKCS#12 defaults differ between JDK 17 and 25: both must read what either writes
class LabCertificatesRoundTripTest {

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void initWritesAChainThatReadsBack(KeyType type, @TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("certs");
    LabFiles files = LabCertificates.init(InitOptions.builder().dir(dir).keyType(type).build());

    X509Certificate ca = PemIo.readCertificate(files.caCert());
    X509Certificate server = PemIo.readCertificate(files.serverCert());
    PrivateKey serverKey = PemIo.readPrivateKey(files.serverKey());
    server.verify(ca.getPublicKey());
    ca.verify(ca.getPublicKey());
    assertThat(Crypto.keysMatch(serverKey, server.getPublicKey())).isTrue();
    assertThat(Crypto.keysMatch(PemIo.readPrivateKey(files.caKey()), ca.getPublicKey())).isTrue();
    assertThat(KeyType.of(server.getPublicKey())).isEqualTo(type);
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(server.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(server.getSerialNumber().signum()).isPositive();
    assertThat(server.getSerialNumber().bitLength()).isBetween(100, 128);

    PemIo.Contents combined = PemIo.read(files.combinedPem());
    assertThat(combined.certificates()).containsExactly(server);
    assertThat(combined.key().getEncoded()).isEqualTo(serverKey.getEncoded());

    char[] pw = LabCertificates.STORE_PASSWORD.toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(files.serverKeyStore())) {
      ks.load(in, pw);
    }
    Certificate[] chain = ks.getCertificateChain("server");
    assertThat(chain).containsExactly(server, ca);
    assertThat(ks.getKey("server", pw).getEncoded()).isEqualTo(serverKey.getEncoded());

    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(files.trustStore())) {
      ts.load(in, pw);
    }
    assertThat(ts.isCertificateEntry("lab-ca")).isTrue();
    assertThat(ts.getCertificate("lab-ca")).isEqualTo(ca);

    for (Path secret :
        List.of(files.caKey(), files.serverKey(), files.combinedPem(), files.serverKeyStore())) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
          .as(secret.toString())
          .isEqualTo("rw-------");
    }
  }

  @Test
  void clientCertificateIsSignedByTheLabCaForClientAuth(@TempDir Path dir) throws Exception {
    LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.EC_P256).build());
    ClientFiles client = LabCertificates.issueClient(dir, "alice", false);

    X509Certificate ca = PemIo.readCertificate(dir.resolve("ca.pem"));
    X509Certificate cert = PemIo.readCertificate(client.cert());
    cert.verify(ca.getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName()).contains("CN=alice");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(Crypto.keysMatch(PemIo.readPrivateKey(client.key()), cert.getPublicKey())).isTrue();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(client.keyStore())) {
      ks.load(in, LabCertificates.STORE_PASSWORD.toCharArray());
    }
    assertThat(ks.getCertificateChain("alice")).containsExactly(cert, ca);

    assertThatThrownBy(() -> LabCertificates.issueClient(dir, "alice", false))
        .isInstanceOfSatisfying(
            LabException.class, e -> assertThat(e.kind()).isEqualTo(LabException.Kind.REFUSED));
  }

  @Test
  void initRefusesToOverwriteKeysWithoutForce(@TempDir Path dir) {
    LabCertificates.init(InitOptions.builder().dir(dir).keyType(KeyType.EC_P256).build());
    byte[] before = readAll(dir.resolve("ca.key"));
    assertThatThrownBy(
            () ->
                LabCertificates.init(
                    InitOptions.builder().dir(dir).keyType(KeyType.EC_P256).build()))
        .isInstanceOfSatisfying(
            LabException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(LabException.Kind.REFUSED);
              assertThat(e.getMessage()).contains("already exists").contains("--force");
            });
    assertThat(readAll(dir.resolve("ca.key"))).isEqualTo(before);
    LabCertificates.init(
        InitOptions.builder().dir(dir).keyType(KeyType.EC_P256).force(true).build());
    assertThat(readAll(dir.resolve("ca.key"))).isNotEqualTo(before);
  }

  @Test
  void keyTypeLabelsRoundTripAndUnknownLabelsAreBadInput() {
    for (KeyType t : KeyType.values()) {
      assertThat(KeyType.parse(t.label())).isEqualTo(t);
    }
    assertThatThrownBy(() -> KeyType.parse("dsa-1024"))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("ec-p256, rsa-2048, rsa-3072");
  }

  private static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
