package tlslab.pki;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import tlslab.common.LabException;

/**
 * The key types the lab can generate, named the way the command line spells them.
 *
 * <p>Why the choice matters on the wire: a TLS 1.2 server with an RSA key can offer the old {@code
 * TLS_RSA_WITH_*} suites, where the client encrypts the pre-master secret to the server's public
 * key (RFC 5246 section 7.4.7.1) and there is no forward secrecy. An EC key only works with (EC)DHE
 * key exchange plus an ECDSA signature. That is why the lab's default is RSA-2048: the report's
 * weak profile needs it. P-256 keys are much faster to generate and smaller on the wire.
 */
public enum KeyType {
  /** ECDSA on NIST P-256 (secp256r1), signed with SHA256withECDSA. */
  EC_P256("ec-p256", "EC", 256),
  /** RSA with a 2048-bit modulus: the lab default, needed for TLS_RSA key transport. */
  RSA_2048("rsa-2048", "RSA", 2048),
  /** RSA with a 3072-bit modulus (about 128-bit security, NIST SP 800-57). */
  RSA_3072("rsa-3072", "RSA", 3072);

  private final String label;
  private final String algorithm;
  private final int bits;

  KeyType(String label, String algorithm, int bits) {
    this.label = label;
    this.algorithm = algorithm;
    this.bits = bits;
  }

  /** The command-line spelling, e.g. {@code "ec-p256"}. */
  public String label() {
    return label;
  }

  /** The JCA key algorithm name: {@code "RSA"} or {@code "EC"}. */
  public String algorithm() {
    return algorithm;
  }

  /** Key size in bits (modulus length for RSA, field size for EC). */
  public int bits() {
    return bits;
  }

  /** True for RSA keys, which may also encrypt (TLS_RSA key transport needs keyEncipherment). */
  public boolean isRsa() {
    return "RSA".equals(algorithm);
  }

  /**
   * Parses a command-line label ({@code ec-p256}, {@code rsa-2048}, {@code rsa-3072}), ignoring
   * case.
   *
   * @throws LabException of kind BAD_INPUT naming the accepted labels when {@code label} is unknown
   */
  public static KeyType parse(String label) {
    if (label != null) {
      String wanted = label.trim().toLowerCase(Locale.ROOT);
      for (KeyType type : values()) {
        if (type.label.equals(wanted)) {
          return type;
        }
      }
    }
    throw LabException.badInput(
        "unknown key type '" + label + "' (expected one of: " + labels() + ")");
  }

  /** All labels, comma-separated, for help texts and error messages. */
  public static String labels() {
    return Arrays.stream(values()).map(KeyType::label).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return label;
  }

  /** A fresh key pair of this type (BouncyCastle). */
  public java.security.KeyPair generate() {
    return tlslab.pki.internal.Crypto.generate(algorithm, bits);
  }

  /**
   * The closest lab key type for a public key: RSA up to 2048 bits is RSA_2048, larger RSA is
   * RSA_3072, anything else EC_P256. Used to give a client the same kind of key as its CA.
   */
  public static KeyType of(java.security.PublicKey key) {
    if (key instanceof java.security.interfaces.RSAKey rsa) {
      return rsa.getModulus().bitLength() > 2048 ? RSA_3072 : RSA_2048;
    }
    return EC_P256;
  }
}
