package tlslab.tls;

import java.util.Arrays;
import java.util.stream.Collectors;
import tlslab.common.LabException;

/**
 * The TLS settings the lab can speak. A profile fixes the protocol versions and the cipher suites a
 * client or server offers; everything else (certificates, client auth) is configured separately.
 *
 * <ul>
 *   <li>{@link #MODERN}: TLS 1.2 with ECDHE key exchange and AES-GCM. The key exchange is ephemeral
 *       (RFC 5246 §7.4.3, RFC 8422), so recording the traffic and later stealing the server's key
 *       does not reveal it: forward secrecy.
 *   <li>{@link #REPORT}: exactly the student report's {@code set_ciphers('AES128-SHA')} on TLS 1.2,
 *       that is {@code TLS_RSA_WITH_AES_128_CBC_SHA}. The client encrypts the pre-master secret
 *       with the server's RSA public key (RFC 5246 §7.4.7.1): whoever has the server key can
 *       decrypt every recorded session. It exists because the lab teaches that weakness.
 *   <li>{@link #TLS13}: TLS 1.3 (RFC 8446), where every key exchange is ephemeral and most of the
 *       handshake is encrypted.
 * </ul>
 *
 * TLS 1.0 and 1.1 are never enabled (RFC 8996 deprecates them).
 */
public enum TlsProfile {
  MODERN(
      "modern",
      new String[] {"TLSv1.2"},
      new String[] {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      },
      true,
      null),
  REPORT(
      "report",
      new String[] {"TLSv1.2"},
      new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA"},
      false,
      "WARNING: profile 'report' uses TLS_RSA_WITH_AES_128_CBC_SHA (the report's AES128-SHA):"
          + " RSA key transport, NO forward secrecy. Anyone holding the server's private key can"
          + " decrypt every recorded session. For teaching only."),
  TLS13(
      "tls13",
      new String[] {"TLSv1.3"},
      new String[] {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"
      },
      true,
      null);

  /** The one suite of the report profile, OpenSSL's {@code AES128-SHA}. */
  public static final String REPORT_SUITE = "TLS_RSA_WITH_AES_128_CBC_SHA";

  private final String label;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final boolean forwardSecret;
  private final String warning;

  TlsProfile(
      String label, String[] protocols, String[] suites, boolean forwardSecret, String warning) {
    this.label = label;
    this.protocols = protocols;
    this.cipherSuites = suites;
    this.forwardSecret = forwardSecret;
    this.warning = warning;
  }

  /** The name used on the command line: {@code modern}, {@code report} or {@code tls13}. */
  public String label() {
    return label;
  }

  /** The JSSE protocol names this profile enables (a copy). */
  public String[] protocols() {
    return protocols.clone();
  }

  /** The JSSE cipher suite names this profile enables, in preference order (a copy). */
  public String[] cipherSuites() {
    return cipherSuites.clone();
  }

  /** Whether every suite of this profile uses an ephemeral key exchange. */
  public boolean forwardSecret() {
    return forwardSecret;
  }

  /** A loud warning to print when this profile is chosen, or {@code null} if none is due. */
  public String warning() {
    return warning;
  }

  /** Parses a command-line label; an unknown one is a user error naming the valid choices. */
  public static TlsProfile parse(String label) {
    for (TlsProfile p : values()) {
      if (p.label.equalsIgnoreCase(label)) {
        return p;
      }
    }
    throw LabException.badInput(
        "unknown profile '"
            + label
            + "' (choose one of: "
            + Arrays.stream(values()).map(TlsProfile::label).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return label;
  }
}
