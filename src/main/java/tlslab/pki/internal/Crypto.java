package tlslab.pki.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import tlslab.pki.KeyType;

/**
 * Key generation, serial numbers and signatures, all through one BouncyCastle provider instance
 * that is passed explicitly and never registered with {@code Security.addProvider}: installing it
 * globally would change which provider JSSE picks for the lab's TLS code.
 */
public final class Crypto {
  /** The lab's BouncyCastle provider; used by name nowhere, by reference everywhere. */
  public static final Provider BC = new BouncyCastleProvider();

  private static final SecureRandom RANDOM = new SecureRandom();

  private Crypto() {}

  /** A fresh key pair of the given type. */
  public static KeyPair generate(KeyType type) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance(type.algorithm(), BC);
      if (type.isRsa()) {
        gen.initialize(new RSAKeyGenParameterSpec(type.bits(), RSAKeyGenParameterSpec.F4), RANDOM);
      } else {
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      }
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("BouncyCastle cannot generate " + type, e);
    }
  }

  /**
   * A random positive serial of 128 bits. RFC 5280 section 4.1.2.2 wants serials unique per CA,
   * positive and at most 20 octets; randomness (CA/Browser Forum: at least 64 bits) also stops a
   * forger from predicting the to-be-signed bytes.
   */
  public static BigInteger randomSerial() {
    BigInteger serial;
    do {
      serial = new BigInteger(128, RANDOM);
    } while (serial.signum() == 0);
    return serial;
  }

  /** The signature algorithm a CA with this private key signs with. */
  public static String signatureAlgorithm(PrivateKey signer) {
    switch (signer.getAlgorithm()) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
      case "ECDSA":
        return "SHA256withECDSA";
      default:
        throw new IllegalArgumentException("unsupported key algorithm " + signer.getAlgorithm());
    }
  }

  /**
   * The closest lab key type for a public key: RSA up to 2048 bits is RSA_2048, larger RSA is
   * RSA_3072, anything else EC_P256. Used to give a client the same kind of key as its CA.
   */
  public static KeyType keyTypeOf(PublicKey key) {
    if (key instanceof RSAKey) {
      int bits = ((RSAKey) key).getModulus().bitLength();
      return bits > 2048 ? KeyType.RSA_3072 : KeyType.RSA_2048;
    }
    return KeyType.EC_P256;
  }

  /**
   * Does this private key belong to this public key? Answered by signing a challenge and verifying
   * it: works for every key type without recomputing public points.
   */
  public static boolean keysMatch(PrivateKey privateKey, PublicKey publicKey) {
    String privAlg = normalise(privateKey.getAlgorithm());
    if (!privAlg.equals(normalise(publicKey.getAlgorithm()))) {
      return false;
    }
    byte[] challenge = "tlslab key match".getBytes(StandardCharsets.US_ASCII);
    try {
      String alg = signatureAlgorithm(privateKey);
      Signature signer = Signature.getInstance(alg, BC);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg, BC);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String normalise(String alg) {
    return "ECDSA".equals(alg) ? "EC" : alg;
  }
}
