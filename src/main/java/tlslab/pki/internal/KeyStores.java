package tlslab.pki.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import tlslab.common.LabException;

/**
 * PKCS#12 (RFC 7292) files: key stores written with BouncyCastle (see {@link #keyStore}), trust
 * stores with the JDK's own {@code KeyStore.getInstance("PKCS12")}: a certificate entry only counts
 * as trusted for Java when it carries Oracle's "trusted key usage" attribute, which the JDK writes.
 * Reading always goes through the JDK, the reader that matters for Java peers.
 */
public final class KeyStores {
  private KeyStores() {}

  /** What a PKCS#12 file held: the first key entry's key and chain, or trusted certificates. */
  public record Contents(String alias, PrivateKey key, List<X509Certificate> chain) {}

  /**
   * Iterations of the password-based key derivations. The same as OpenSSL 3.0's {@code pkcs12
   * -export} default (PKCS12_DEFAULT_ITER): every lab store uses the published password "changeit",
   * so the count buys no secrecy here; file mode 0600 is what protects the key.
   */
  static final int ITERATIONS = 2048;

  /**
   * A key store with one key entry: {@code alias} -> key + chain (leaf first), written with
   * BouncyCastle in exactly the layout {@code openssl pkcs12 -export} (OpenSSL 3.0) produces: the
   * key in a shrouded key bag, the certificates in an encrypted bag, both PBES2 with
   * PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018), and an HMAC-SHA256 integrity MAC (RFC 7292
   * appendix B). The key and the leaf certificate share a localKeyId attribute, which is how
   * readers (the JDK, OpenSSL) pair them; the friendlyName becomes the JDK alias. Writing it
   * ourselves keeps the format the same whichever JDK runs the lab.
   */
  public static byte[] keyStore(
      String alias, PrivateKey key, char[] password, X509Certificate... chain) {
    try {
      // Two encryptors: each gets its own salt and IV, so no key/IV pair encrypts twice.
      OutputEncryptor certEncryptor = Pbe.pbes2Encryptor(password, ITERATIONS);
      OutputEncryptor keyEncryptor = Pbe.pbes2Encryptor(password, ITERATIONS);
      byte[] keyId =
          MessageDigest.getInstance("SHA-1").digest(chain[0].getPublicKey().getEncoded());
      PKCS12SafeBag[] certBags = new PKCS12SafeBag[chain.length];
      for (int i = 0; i < chain.length; i++) {
        PKCS12SafeBagBuilder bag = new JcaPKCS12SafeBagBuilder(chain[i]);
        if (i == 0) {
          bag.addBagAttribute(PKCS12SafeBag.friendlyNameAttribute, new DERBMPString(alias));
          bag.addBagAttribute(PKCS12SafeBag.localKeyIdAttribute, new DEROctetString(keyId));
        }
        certBags[i] = bag.build();
      }
      PKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(key, keyEncryptor);
      keyBag.addBagAttribute(PKCS12SafeBag.friendlyNameAttribute, new DERBMPString(alias));
      keyBag.addBagAttribute(PKCS12SafeBag.localKeyIdAttribute, new DEROctetString(keyId));
      PKCS12PfxPdu pfx =
          new PKCS12PfxPduBuilder()
              .addEncryptedData(certEncryptor, certBags)
              .addData(keyBag.build())
              .build(Pbe.sha256Mac(ITERATIONS), password);
      return pfx.getEncoded(ASN1Encoding.DER);
    } catch (IOException | GeneralSecurityException | PKCSException e) {
      throw new AssertionError("building a PKCS#12 key store failed", e);
    }
  }

  /** A trust store with one trusted certificate entry. */
  public static byte[] trustStore(String alias, X509Certificate ca, char[] password) {
    try {
      KeyStore ks = empty();
      ks.setCertificateEntry(alias, ca);
      return store(ks, password);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("the JDK refused a trusted certificate entry", e);
    }
  }

  /**
   * Reads a PKCS#12 file: the first key entry (key + chain) if there is one, else every trusted
   * certificate.
   *
   * @throws LabException BAD_INPUT for a missing file, a file that is not PKCS#12, a wrong password
   */
  public static Contents read(Path file, char[] password) {
    byte[] bytes = SecureFiles.read(file);
    KeyStore ks;
    try {
      ks = KeyStore.getInstance("PKCS12");
      ks.load(new ByteArrayInputStream(bytes), password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).contains("password")) {
        throw LabException.badInput(file + ": wrong password for this PKCS#12 file");
      }
      throw LabException.badInput(file + ": not a PKCS#12 file (" + PemIo.oneLine(e) + ")");
    } catch (GeneralSecurityException | RuntimeException e) {
      throw LabException.badInput(file + ": not a PKCS#12 file (" + PemIo.oneLine(e) + ")");
    }
    try {
      List<X509Certificate> trusted = new ArrayList<>();
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          Key key = ks.getKey(alias, password);
          Certificate[] chain = ks.getCertificateChain(alias);
          List<X509Certificate> certs = new ArrayList<>();
          for (Certificate c : chain == null ? new Certificate[0] : chain) {
            certs.add((X509Certificate) c);
          }
          return new Contents(alias, (PrivateKey) key, List.copyOf(certs));
        }
        trusted.add((X509Certificate) ks.getCertificate(alias));
      }
      if (trusted.isEmpty()) {
        throw LabException.badInput(file + ": the PKCS#12 file holds no entries");
      }
      return new Contents(null, null, List.copyOf(trusted));
    } catch (UnrecoverableKeyException e) {
      throw LabException.badInput(file + ": wrong password for the key inside this PKCS#12 file");
    } catch (GeneralSecurityException e) {
      throw LabException.badInput(file + ": unreadable PKCS#12 entry (" + PemIo.oneLine(e) + ")");
    }
  }

  private static KeyStore empty() throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new AssertionError("an empty key store cannot fail to load", e);
    }
    return ks;
  }

  private static byte[] store(KeyStore ks, char[] password) throws GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ks.store(out, password);
    } catch (IOException e) {
      throw new AssertionError("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
