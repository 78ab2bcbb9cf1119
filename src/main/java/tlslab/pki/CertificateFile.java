package tlslab.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import tlslab.common.LabException;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.KeyStores;
import tlslab.pki.internal.PemIo;
import tlslab.pki.internal.SecureFiles;

/**
 * What a certificate file holds, whatever its format: PEM certificates, a combined PEM (private key
 * plus certificate, like {@code cert.pem}), a DER certificate, or a PKCS#12 key or trust store.
 * When the file holds a private key, reading it checks that the key belongs to the first
 * certificate: a server configured with a key that does not match its certificate can never finish
 * a handshake, and the error it gives then is much harder to read than this one.
 *
 * @param path the file
 * @param format how it was encoded
 * @param certificates leaf first (for a PKCS#12 key entry: the chain; for a trust store: every
 *     trusted certificate)
 * @param key the private key, when the file holds one
 */
public record CertificateFile(
    Path path, Format format, List<X509Certificate> certificates, Optional<PrivateKey> key) {

  /** File formats the lab reads. */
  public enum Format {
    /** PEM with only CERTIFICATE blocks. */
    PEM,
    /** PEM with a PRIVATE KEY block and CERTIFICATE blocks. */
    COMBINED_PEM,
    /** A single certificate in binary DER (often .cer or .der). */
    DER,
    /** PKCS#12 (.p12, .pfx), password protected. */
    PKCS12;

    /** How {@code lab certs show} names the format. */
    public String description() {
      switch (this) {
        case PEM:
          return "PEM certificate";
        case COMBINED_PEM:
          return "combined PEM: private key + certificate";
        case DER:
          return "DER certificate";
        case PKCS12:
          return "PKCS#12 store";
        default:
          throw new AssertionError(this);
      }
    }
  }

  /**
   * Reads a certificate file, telling PEM, DER and PKCS#12 apart by content (not by name).
   *
   * @param password for PKCS#12 files; ignored otherwise
   * @throws LabException BAD_INPUT when the file is missing, in no known format, protected by
   *     another password, holds no certificate, or holds a key that does not match its certificate
   */
  public static CertificateFile read(Path path, String password) {
    byte[] bytes = SecureFiles.read(path);
    CertificateFile file;
    if (new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ")) {
      PemIo.Contents pem = PemIo.read(path);
      if (pem.certificates().isEmpty()) {
        throw LabException.badInput(path + ": holds a private key but no certificate");
      }
      file =
          new CertificateFile(
              path,
              pem.key() == null ? Format.PEM : Format.COMBINED_PEM,
              pem.certificates(),
              Optional.ofNullable(pem.key()));
    } else if (bytes.length == 0) {
      throw LabException.badInput(path + ": the file is empty");
    } else if (looksLikeDerCertificate(bytes)) {
      file =
          new CertificateFile(
              path, Format.DER, List.of(PemIo.toX509(bytes, path)), Optional.empty());
    } else if ((bytes[0] & 0xff) == 0x30) {
      KeyStores.Contents p12 =
          KeyStores.read(
              path, (password == null ? LabCertificates.STORE_PASSWORD : password).toCharArray());
      if (p12.chain().isEmpty()) {
        throw LabException.badInput(path + ": the PKCS#12 key entry has no certificate");
      }
      file = new CertificateFile(path, Format.PKCS12, p12.chain(), Optional.ofNullable(p12.key()));
    } else {
      throw LabException.badInput(path + ": not a certificate file (neither PEM, DER nor PKCS#12)");
    }
    if (file.key().isPresent() && !Crypto.keysMatch(file.key().get(), file.leaf().getPublicKey())) {
      throw LabException.badInput(
          path
              + ": the private key does not match the certificate ("
              + file.leaf().getSubjectX500Principal().getName()
              + ")");
    }
    return file;
  }

  /** The first certificate: the end-entity one for a chain. */
  public X509Certificate leaf() {
    return certificates.get(0);
  }

  /**
   * DER certificates begin with SEQUENCE, SEQUENCE (tbsCertificate); PKCS#12 with SEQUENCE, INTEGER
   * (version 3).
   */
  private static boolean looksLikeDerCertificate(byte[] b) {
    if ((b[0] & 0xff) != 0x30 || b.length < 4) {
      return false;
    }
    int i = 1;
    int len = b[i] & 0xff;
    i += (len & 0x80) != 0 ? 1 + (len & 0x7f) : 1;
    return i < b.length && (b[i] & 0xff) == 0x30;
  }
}
