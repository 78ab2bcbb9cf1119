package tlslab.pki.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import tlslab.common.LabException;

/**
 * PEM (RFC 7468) reading and writing. Certificates are "CERTIFICATE" blocks; private keys are
 * written as unencrypted PKCS#8 "PRIVATE KEY" blocks (RFC 5208), the form OpenSSL 1.0+, Python's
 * ssl module and Java all read. When reading, the older OpenSSL "RSA PRIVATE KEY" and "EC PRIVATE
 * KEY" forms are accepted too.
 */
public final class PemIo {
  private PemIo() {}

  /** What a PEM file held: certificates in file order, and at most one private key. */
  public record Contents(List<X509Certificate> certificates, PrivateKey key) {}

  /** The PEM text of certificates and (optionally, first) a private key. */
  public static byte[] encode(PrivateKey key, X509Certificate... certs) {
    StringWriter out = new StringWriter();
    try (PemWriter pem = new PemWriter(out)) {
      if (key != null) {
        pem.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
      }
      for (X509Certificate cert : certs) {
        pem.writeObject(new PemObject("CERTIFICATE", cert.getEncoded()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    } catch (CertificateEncodingException e) {
      throw new AssertionError("a parsed certificate always re-encodes", e);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Reads every block of a PEM file.
   *
   * @throws LabException BAD_INPUT when the file is missing, holds no PEM block, is corrupt, holds
   *     an encrypted or second private key
   */
  public static Contents read(Path file) {
    String text = new String(SecureFiles.read(file), StandardCharsets.ISO_8859_1);
    if (!text.contains("-----BEGIN ")) {
      throw LabException.badInput(file + ": not a PEM file (no '-----BEGIN' line)");
    }
    List<X509Certificate> certs = new ArrayList<>();
    PrivateKey key = null;
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Crypto.BC);
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object obj;
      while ((obj = parser.readObject()) != null) {
        PrivateKey found = null;
        if (obj instanceof X509CertificateHolder) {
          certs.add(toX509(((X509CertificateHolder) obj).getEncoded(), file));
        } else if (obj instanceof PrivateKeyInfo) {
          found = converter.getPrivateKey((PrivateKeyInfo) obj);
        } else if (obj instanceof PEMKeyPair) {
          found = converter.getKeyPair((PEMKeyPair) obj).getPrivate();
        } else if (obj instanceof PKCS8EncryptedPrivateKeyInfo
            || obj instanceof PEMEncryptedKeyPair) {
          throw LabException.badInput(
              file
                  + ": the private key is encrypted; the lab reads only unencrypted keys"
                  + " (openssl pkey -in KEY -out PLAIN.key)");
        }
        // other blocks (parameters, CRLs) are skipped, as OpenSSL does
        if (found != null) {
          if (key != null) {
            throw LabException.badInput(file + ": holds more than one private key");
          }
          key = found;
        }
      }
    } catch (IOException e) {
      throw LabException.badInput(file + ": corrupt PEM (" + oneLine(e) + ")");
    } catch (LabException e) {
      throw e;
    } catch (RuntimeException e) {
      // BouncyCastle reports bad base64 or ASN.1 as various runtime exceptions
      throw LabException.badInput(file + ": corrupt PEM (" + oneLine(e) + ")");
    }
    if (certs.isEmpty() && key == null) {
      throw LabException.badInput(file + ": no certificate or private key in this PEM file");
    }
    return new Contents(List.copyOf(certs), key);
  }

  /** Reads a file that must hold exactly a certificate (the first one is returned). */
  public static X509Certificate readCertificate(Path file) {
    Contents c = read(file);
    if (c.certificates().isEmpty()) {
      throw LabException.badInput(file + ": no CERTIFICATE block in this PEM file");
    }
    return c.certificates().get(0);
  }

  /** Reads a file that must hold a private key. */
  public static PrivateKey readPrivateKey(Path file) {
    Contents c = read(file);
    if (c.key() == null) {
      throw LabException.badInput(file + ": no PRIVATE KEY block in this PEM file");
    }
    return c.key();
  }

  /** DER bytes to a JDK X509Certificate (SUN provider, so KeyStores and JSSE take it as is). */
  public static X509Certificate toX509(byte[] der, Path source) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw LabException.badInput(source + ": corrupt certificate (" + oneLine(e) + ")");
    }
  }

  static String oneLine(Exception e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return msg.replaceAll("\\s+", " ").trim();
  }
}
