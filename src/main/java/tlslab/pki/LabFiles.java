package tlslab.pki;

import java.nio.file.Path;

/**
 * Where {@link LabCertificates#init} put the lab's material. Every {@code .p12} file uses the
 * password {@link LabCertificates#STORE_PASSWORD}.
 *
 * @param dir the folder holding everything below
 * @param caCert {@code ca.pem}: the lab CA certificate, the trust anchor clients need
 * @param caKey {@code ca.key}: the CA private key (PKCS#8 PEM, mode 0600); signs every lab cert
 * @param serverCert {@code server.pem}: the server certificate, signed by the CA
 * @param serverKey {@code server.key}: the server private key (PKCS#8 PEM, mode 0600)
 * @param combinedPem {@code cert.pem}: server key and certificate in one PEM file, as Python's
 *     {@code load_cert_chain("cert.pem")} reads it
 * @param serverKeyStore {@code server.p12}: PKCS#12 key store, alias {@code server}, chain [server,
 *     CA]
 * @param trustStore {@code truststore.p12}: PKCS#12 trust store, alias {@code lab-ca}
 */
public record LabFiles(
    Path dir,
    Path caCert,
    Path caKey,
    Path serverCert,
    Path serverKey,
    Path combinedPem,
    Path serverKeyStore,
    Path trustStore) {

  /** The standard file names inside {@code dir}, whether or not they exist yet. */
  public static LabFiles in(Path dir) {
    return new LabFiles(
        dir,
        dir.resolve("ca.pem"),
        dir.resolve("ca.key"),
        dir.resolve("server.pem"),
        dir.resolve("server.key"),
        dir.resolve("cert.pem"),
        dir.resolve("server.p12"),
        dir.resolve("truststore.p12"));
  }
}
