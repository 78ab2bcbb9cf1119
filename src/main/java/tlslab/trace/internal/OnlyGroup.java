package tlslab.trace.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLParameters;

/**
 * How {@code lab trace --hello-retry} makes a server accept one key-exchange group only. On JDK 17:
 * algorithm constraints that allow every algorithm except the TLS key-exchange groups (RFC 8446
 * §4.2.7) other than one. Set on a server socket's {@code SSLParameters}, they make JSSE refuse the
 * key shares of any other group, which is how {@code lab trace --hello-retry} makes a real JSSE
 * server send a Hello Retry Request: JDK 17 has no {@code SSLParameters.setNamedGroups}, and {@code
 * jdk.tls.namedGroups} would change the client in the same process too.
 */
public final class OnlyGroup implements AlgorithmConstraints {
  /** The groups JSSE knows on JDK 17 and 25 (RFC 8446, RFC 7919, and the hybrid ML-KEM ones). */
  private static final Set<String> GROUPS =
      Set.of(
          "x25519",
          "x448",
          "secp256r1",
          "secp384r1",
          "secp521r1",
          "ffdhe2048",
          "ffdhe3072",
          "ffdhe4096",
          "ffdhe6144",
          "ffdhe8192",
          "x25519mlkem768",
          "secp256r1mlkem768",
          "secp384r1mlkem1024");

  private final String allowed;

  /**
   * Makes the server behind {@code p} accept {@code group} only as its key exchange: with {@code
   * SSLParameters.setNamedGroups} where the JDK has it (JDK 20 and later), else with these
   * constraints.
   *
   * <p>Why not always the constraints: JSSE also applies a group's constraint to the signature
   * scheme of the same curve, so a server that refuses secp256r1 drops ecdsa_secp256r1_sha256 and
   * (measured on JDK 17) signs its TLS 1.3 Certificate Verify with ecdsa_sha1, which RFC 8446
   * §4.4.3 forbids; see {@link #breaksSignatures}.
   */
  public static void apply(SSLParameters p, String group) {
    Method setNamedGroups = setNamedGroups();
    if (setNamedGroups != null) {
      try {
        setNamedGroups.invoke(p, (Object) new String[] {group});
        return;
      } catch (ReflectiveOperationException e) {
        // fall through to the constraints
      }
    }
    p.setAlgorithmConstraints(new OnlyGroup(group));
  }

  /**
   * Whether {@link #apply} would take ECDSA signatures on another curve away from the server (this
   * JDK has no {@code setNamedGroups}, and a certificate has an EC key): the handshake would then
   * use SHA-1 signatures or fail.
   */
  public static boolean breaksSignatures(List<Path> certificatePems) {
    if (setNamedGroups() != null) {
      return false;
    }
    for (Path pem : certificatePems) {
      String algorithm = keyAlgorithm(pem);
      if (algorithm != null && !"RSA".equals(algorithm)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The key algorithm ({@code RSA}, {@code EC}) of the first certificate in a PEM file, or {@code
   * null} when there is no such file or it cannot be read (that is reported where the handshake
   * loads it).
   */
  public static String keyAlgorithm(Path pem) {
    if (!Files.isRegularFile(pem)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(pem)) {
      Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
      return c.getPublicKey().getAlgorithm();
    } catch (IOException | CertificateException e) {
      return null;
    }
  }

  private static Method setNamedGroups() {
    try {
      return SSLParameters.class.getMethod("setNamedGroups", String[].class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /**
   * @param group the one group to allow, in JSSE's spelling (e.g. {@code secp384r1})
   */
  public OnlyGroup(String group) {
    this.allowed = group.toLowerCase(Locale.ROOT);
  }

  /**
   * Refuses a group only as a key exchange (JSSE asks with {@code KEY_AGREEMENT}): a certificate or
   * signature on the same curve (an ECDSA P-256 client certificate) stays allowed.
   */
  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters p) {
    if (primitives == null || !primitives.contains(CryptoPrimitive.KEY_AGREEMENT)) {
      return true;
    }
    String a = algorithm == null ? "" : algorithm.toLowerCase(Locale.ROOT);
    return !GROUPS.contains(a) || a.equals(allowed);
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
    return true;
  }

  @Override
  public boolean permits(
      Set<CryptoPrimitive> primitives, String algorithm, Key key, AlgorithmParameters p) {
    return true;
  }
}
