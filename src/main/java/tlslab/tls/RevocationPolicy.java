package tlslab.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import tlslab.common.LabException;

/**
 * Whether and how a TLS peer checks that the other side's certificate has not been revoked (RFC
 * 5280 section 6.3, RFC 6960), used by {@link TlsContexts} for the trust manager.
 *
 * <ul>
 *   <li>{@link Mode#OFF}: no revocation check (what most TLS software does by default).
 *   <li>{@link Mode#SOFT}: check, using a stapled OCSP response when the server sent one
 *       (Certificate Status, RFC 6066 8), else the OCSP responder named in the certificate (AIA),
 *       else the given CRL files; a certificate that is <em>known</em> to be revoked is refused,
 *       but when no answer can be had at all (responder down, no CRL) the certificate is accepted.
 *       Browsers behave this way.
 *   <li>{@link Mode#HARD}: the same, but no answer is a failure too: the certificate is refused
 *       unless its status is known to be good.
 * </ul>
 *
 * With {@code crls}, the given CRL files are consulted first and no network is used for CRLs; they
 * are re-read when they change, so a server picks up {@code lab certs crl} without a restart.
 *
 * @param mode off, soft or hard
 * @param crls CRL files (PEM or DER) to consult; may be empty
 */
public record RevocationPolicy(Mode mode, List<Path> crls) {
  /** How strict the check is. */
  public enum Mode {
    OFF,
    SOFT,
    HARD
  }

  public RevocationPolicy {
    crls = crls == null ? List.of() : List.copyOf(crls);
    if (mode == Mode.OFF && !crls.isEmpty()) {
      throw LabException.badInput("a CRL was given but revocation checking is off");
    }
  }

  /** No revocation checking. */
  public static RevocationPolicy off() {
    return new RevocationPolicy(Mode.OFF, List.of());
  }

  /** Parses {@code off|soft|hard}. */
  public static Mode parseMode(String text) {
    for (Mode m : Mode.values()) {
      if (m.name().equalsIgnoreCase(text)) {
        return m;
      }
    }
    throw LabException.badInput(
        "unknown revocation mode '" + text + "' (choose one of: off, soft, hard)");
  }

  /** Whether certificates are checked at all. */
  public boolean enabled() {
    return mode != Mode.OFF;
  }

  /** "off", "soft (OCSP, stapled or from the AIA)", "hard, CRL crl.pem", ... */
  public String describe() {
    if (mode == Mode.OFF) {
      return "off";
    }
    String m = mode.name().toLowerCase(Locale.ROOT);
    return crls.isEmpty()
        ? m + " (stapled OCSP, else the certificate's OCSP responder)"
        : m
            + " (CRL "
            + crls.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).get()
            + ", stapled OCSP)";
  }
}
