package tlslab.tls;

import java.util.Arrays;
import java.util.stream.Collectors;
import tlslab.common.LabException;

/**
 * Which TLS implementation a server's {@link javax.net.ssl.SSLEngine}s come from.
 *
 * <ul>
 *   <li>{@link #JSSE}: the JDK's own TLS, written in Java. The default, and the only one the lab
 *       can look inside: the handshake trace and the NSS key log read JSSE's debug records and
 *       internal secrets.
 *   <li>{@link #BORINGSSL}: Google's BoringSSL (the TLS of Chrome and Android) in native code,
 *       reached through netty's OpenSSL engine (netty-tcnative). The same {@code SSLEngine}
 *       interface, so the same driver runs it, with the same profiles, certificates and client-auth
 *       modes; its handshakes cost a fraction of JSSE's (see docs/HANDSHAKES.md). It gives the lab
 *       no view inside: no trace, no key log, no OCSP stapling or revocation checks here.
 * </ul>
 */
public enum TlsEngine {
  JSSE("jsse", null),
  BORINGSSL(
      "boringssl",
      "NOTE: engine 'boringssl' (native BoringSSL via netty-tcnative): no handshake trace, no key"
          + " log, no --staple or --revocation; the lab cannot see inside it. Use --engine jsse"
          + " for those.");

  private final String label;
  private final String limitation;

  TlsEngine(String label, String limitation) {
    this.label = label;
    this.limitation = limitation;
  }

  /** The name on the command line. */
  public String label() {
    return label;
  }

  /** The one loud line to print when this engine is chosen, or {@code null} for JSSE. */
  public String limitation() {
    return limitation;
  }

  /** Parses a command-line label; an unknown one is a user error naming the choices. */
  public static TlsEngine parse(String label) {
    for (TlsEngine e : values()) {
      if (e.label.equalsIgnoreCase(label)) {
        return e;
      }
    }
    throw LabException.badInput(
        "unknown engine '"
            + label
            + "' (choose one of: "
            + Arrays.stream(values()).map(TlsEngine::label).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return label;
  }
}
