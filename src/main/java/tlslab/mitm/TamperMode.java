package tlslab.mitm;

import java.util.Arrays;
import java.util.stream.Collectors;
import tlslab.common.LabException;

/**
 * The edits {@code lab mitm --tamper} makes to the first Client Hello that passes, without
 * terminating TLS. Each is an attack that would help an eavesdropper if nobody noticed; TLS notices
 * because both sides authenticate the whole handshake transcript (the Finished message, RFC 5246
 * §7.4.9 and RFC 8446 §4.4.4) and, in TLS 1.3, derive their keys from it (RFC 8446 §7.1).
 */
public enum TamperMode {
  /**
   * Remove every (EC)DHE cipher suite (and any other suite without RSA key transport), so that a
   * server that still accepts RSA key transport picks it: no forward secrecy (RFC 5246 §7.4.7.1). A
   * Client Hello that offers TLS 1.3 also loses its key_share and supported_groups extensions,
   * since TLS 1.3's only key exchange without a pre-shared key is (EC)DHE (RFC 8446 §4.2.7,
   * §4.2.8).
   */
  STRIP_DHE("strip-dhe", "remove the (EC)DHE cipher suites: force RSA key transport"),
  /**
   * Lower the highest version offered by one step: TLS 1.3 removed from supported_versions (RFC
   * 8446 §4.2.1), or, for a TLS 1.2 hello, TLS 1.1 in legacy_version.
   */
  DOWNGRADE("downgrade", "lower the versions offered: TLS 1.3 to 1.2 (or 1.2 to 1.1)"),
  /** Flip every bit of the first byte of the client random (RFC 5246 §7.4.1.2). */
  FLIP_RANDOM("flip-random", "flip a byte of the client random");

  private final String label;
  private final String description;

  TamperMode(String label, String description) {
    this.label = label;
    this.description = description;
  }

  /** The name on the command line, e.g. {@code strip-dhe}. */
  public String label() {
    return label;
  }

  /** What the edit does, in a few words. */
  public String description() {
    return description;
  }

  /** Parses a command-line name; an unknown one is a user error listing the choices. */
  public static TamperMode parse(String label) {
    for (TamperMode m : values()) {
      if (m.label.equalsIgnoreCase(label)) {
        return m;
      }
    }
    throw LabException.badInput(
        "unknown tamper mode '"
            + label
            + "' (choose one of: "
            + Arrays.stream(values()).map(TamperMode::label).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return label;
  }
}
