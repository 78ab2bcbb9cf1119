package tlslab.pki.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tlslab.common.LabException;

/**
 * PKCS#12 (RFC 7292) files, written with the JDK's own {@code KeyStore.getInstance("PKCS12")}.
 * Why the JDK and not BouncyCastle here: a trust store entry only counts as trusted for Java when
 * it carries Oracle's "trusted key usage" attribute, which the JDK writes; and the JDK's defaults
 * since 11.0.12/17 (PBES2 with AES-256, HmacSHA256 MAC) are also what OpenSSL 3.0 reads without
 * its legacy provider.
 */
public final class KeyStores {
  private KeyStores() {}

  /** What a PKCS#12 file held: the first key entry's key and chain, or trusted certificates. */
  public record Contents(String alias, PrivateKey key, List<X509Certificate> chain) {}

  /** A key store with one key entry: {@code alias} -> key + chain (leaf first). */
  public static byte[] keyStore(
      String alias, PrivateKey key, char[] password, X509Certificate... chain) {
    try {
      KeyStore ks = empty();
      ks.setKeyEntry(alias, key, password, chain);
      return store(ks, password);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("the JDK refused a freshly built key entry", e);
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
