package tlslab.pki.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.CipherOutputStream;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCS12PBEParams;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.MacCalculator;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12MacCalculatorBuilder;

/**
 * The password-based crypto inside a PKCS#12 file, computed by the JDK while BouncyCastle builds
 * the file's structure. Why: writing a bundle is dominated by password hashing (three derivations
 * of 2048 iterations each), and the JDK's SHA-256 runs on the CPU's SHA instructions, roughly three
 * times faster than BouncyCastle's pure-Java digest. The output is the same standard encoding
 * either way:
 *
 * <ul>
 *   <li>{@link #pbes2Encryptor}: PBES2 (RFC 8018 section 6.2) = PBKDF2 with HMAC-SHA256 derives a
 *       256-bit key from the password and a random salt; AES-256-CBC with a random IV encrypts.
 *   <li>{@link #sha256Mac}: the PKCS#12 integrity MAC (RFC 7292 appendix B): HMAC-SHA256 keyed by
 *       the PKCS#12 key-derivation function over the password.
 * </ul>
 */
final class Pbe {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Pbe() {}

  /** A one-shot encryptor with a fresh salt and IV (never reuse one for two bags). */
  static OutputEncryptor pbes2Encryptor(char[] password, int iterations) {
    byte[] salt = random(16);
    byte[] iv = random(16);
    try {
      SecretKeyFactory kdf = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      byte[] key = kdf.generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      AlgorithmIdentifier prf =
          new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE);
      AlgorithmIdentifier algorithm =
          new AlgorithmIdentifier(
              PKCSObjectIdentifiers.id_PBES2,
              new PBES2Parameters(
                  new KeyDerivationFunc(
                      PKCSObjectIdentifiers.id_PBKDF2, new PBKDF2Params(salt, iterations, prf)),
                  new EncryptionScheme(
                      NISTObjectIdentifiers.id_aes256_CBC, new DEROctetString(iv))));
      return new OutputEncryptor() {
        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
          return algorithm;
        }

        @Override
        public OutputStream getOutputStream(OutputStream out) {
          return new CipherOutputStream(out, cipher);
        }

        @Override
        public GenericKey getKey() {
          return new GenericKey(algorithm, key);
        }
      };
    } catch (GeneralSecurityException e) {
      throw new AssertionError("PBKDF2WithHmacSHA256 and AES-CBC are in every JDK 17+", e);
    }
  }

  /** The PKCS#12 MAC: SHA-256 based, with a fresh salt per file. */
  static PKCS12MacCalculatorBuilder sha256Mac(int iterations) {
    AlgorithmIdentifier sha256 =
        new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
    return new PKCS12MacCalculatorBuilder() {
      @Override
      public AlgorithmIdentifier getDigestAlgorithmIdentifier() {
        return sha256;
      }

      @Override
      public MacCalculator build(char[] password) {
        byte[] salt = random(32);
        try {
          // "HmacPBESHA256" is the JDK's RFC 7292 appendix B derivation + HMAC-SHA256.
          Mac mac = Mac.getInstance("HmacPBESHA256");
          SecretKey pbeKey =
              SecretKeyFactory.getInstance("PBE").generateSecret(new PBEKeySpec(password));
          mac.init(pbeKey, new PBEParameterSpec(salt, iterations));
          ByteArrayOutputStream data = new ByteArrayOutputStream();
          AlgorithmIdentifier algorithm =
              new AlgorithmIdentifier(
                  NISTObjectIdentifiers.id_sha256, new PKCS12PBEParams(salt, iterations));
          return new MacCalculator() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
              return algorithm;
            }

            @Override
            public OutputStream getOutputStream() {
              return data;
            }

            @Override
            public byte[] getMac() {
              return mac.doFinal(data.toByteArray());
            }

            @Override
            public GenericKey getKey() {
              return new GenericKey(
                  algorithm,
                  new String(password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
          };
        } catch (GeneralSecurityException e) {
          throw new AssertionError("HmacPBESHA256 is in every JDK 17+", e);
        }
      }
    };
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
