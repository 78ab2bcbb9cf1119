package tlslab.common;

/**
 * The one exception type that library code uses for a problem the user can fix or must be told
 * about: a missing file, a corrupt key, a certificate that does not verify, a port already taken.
 *
 * <p>Its message is a single line meant for a human, with no stack trace. The {@link Kind} says
 * what sort of problem it is; the command-line layer turns the kind into a documented exit code, so
 * the library never decides how the process ends.
 */
public final class LabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What sort of problem this is. The CLI maps each kind to one exit code. */
  public enum Kind {
    /** The operation ran and its answer is "no" (a check failed, a certificate does not verify). */
    FAILED,
    /** An input is missing, unreadable or malformed (not PEM, wrong password, corrupt pcap). */
    BAD_INPUT,
    /** The machine lacks something (libpcap, capture permission, a JDK internal). */
    ENVIRONMENT,
    /** A network peer could not be reached or the TLS handshake failed. */
    NETWORK,
    /** The command would destroy existing data (a key) and was not told {@code --force}. */
    REFUSED
  }

  private final Kind kind;

  public LabException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public LabException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static LabException badInput(String message) {
    return new LabException(Kind.BAD_INPUT, message);
  }

  public static LabException badInput(String message, Throwable cause) {
    return new LabException(Kind.BAD_INPUT, message, cause);
  }

  public static LabException failed(String message) {
    return new LabException(Kind.FAILED, message);
  }

  public static LabException environment(String message) {
    return new LabException(Kind.ENVIRONMENT, message);
  }

  public static LabException network(String message, Throwable cause) {
    return new LabException(Kind.NETWORK, message, cause);
  }

  public static LabException refused(String message) {
    return new LabException(Kind.REFUSED, message);
  }
}
