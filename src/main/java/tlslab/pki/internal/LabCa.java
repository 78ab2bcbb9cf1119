package tlslab.pki.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import tlslab.common.LabException;

/**
 * The lab CA loaded from a certs folder ({@code ca.pem} + {@code ca.key}), checked once: the key
 * must belong to the certificate, and the certificate must be a CA that has not expired.
 */
public record LabCa(X509Certificate cert, PrivateKey key) {

  /**
   * Loads and checks the CA in {@code dir}.
   *
   * @throws LabException BAD_INPUT when the files are missing, corrupt or do not belong together
   */
  public static LabCa load(Path dir) {
    Path certFile = dir.resolve("ca.pem");
    Path keyFile = dir.resolve("ca.key");
    if (!Files.exists(certFile) || !Files.exists(keyFile)) {
      throw LabException.badInput(
          "no lab CA in "
              + dir
              + " ("
              + (Files.exists(certFile) ? keyFile : certFile)
              + " is missing); run 'lab certs init --dir "
              + dir
              + "' first");
    }
    X509Certificate cert = PemIo.readCertificate(certFile);
    PrivateKey key = PemIo.readPrivateKey(keyFile);
    if (!Crypto.keysMatch(key, cert.getPublicKey())) {
      throw LabException.badInput(
          keyFile + ": this key does not match the certificate " + certFile);
    }
    if (cert.getBasicConstraints() < 0) {
      throw LabException.badInput(certFile + ": not a CA certificate (basicConstraints CA:false)");
    }
    if (cert.getNotAfter().toInstant().isBefore(Instant.now())) {
      // A leaf cannot outlive its issuer: nothing this CA signs now would verify.
      throw LabException.badInput(
          certFile
              + ": the lab CA expired at "
              + cert.getNotAfter().toInstant()
              + "; create a new one with 'lab certs init --dir "
              + dir
              + " --force'");
    }
    return new LabCa(cert, key);
  }
}
