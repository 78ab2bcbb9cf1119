package tlslab.pki;

import java.nio.file.Path;

/**
 * A client certificate bundle for mutual TLS, written by {@link LabCertificates#issueClient}.
 *
 * @param cert {@code client-NAME.pem}: the client certificate (EKU clientAuth), signed by the CA
 * @param key {@code client-NAME.key}: its private key (PKCS#8 PEM, mode 0600)
 * @param combinedPem {@code client-NAME-combined.pem}: key and certificate in one PEM file
 * @param keyStore {@code client-NAME.p12}: PKCS#12, alias NAME, chain [client, CA], password {@link
 *     LabCertificates#STORE_PASSWORD}
 */
public record ClientFiles(Path cert, Path key, Path combinedPem, Path keyStore) {

  /** The standard file names for client {@code name} inside {@code dir}. */
  public static ClientFiles in(Path dir, String name) {
    return new ClientFiles(
        dir.resolve("client-" + name + ".pem"),
        dir.resolve("client-" + name + ".key"),
        dir.resolve("client-" + name + "-combined.pem"),
        dir.resolve("client-" + name + ".p12"));
  }
}
