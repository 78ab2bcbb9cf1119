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
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

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

  /**
   * A fresh key pair: {@code "RSA"} with a modulus of {@code bits}, or {@code "EC"} on P-256. (The
   * caller, {@code KeyType}, names the kinds; this package takes plain values so that it never
   * depends on the package it serves.)
   */
  public static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm, BC);
      if ("RSA".equals(algorithm)) {
        gen.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), RANDOM);
      } else {
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      }
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("BouncyCastle cannot generate " + algorithm + " " + bits, e);
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
