package tlslab.trace.internal;

import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.util.Locale;
import java.util.Set;

/**
 * Algorithm constraints that allow every algorithm except the TLS key-exchange groups (RFC 8446
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
   * @param group the one group to allow, in JSSE's spelling (e.g. {@code secp384r1})
   */
  public OnlyGroup(String group) {
    this.allowed = group.toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters p) {
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
    return permits(primitives, algorithm, p);
  }
}
