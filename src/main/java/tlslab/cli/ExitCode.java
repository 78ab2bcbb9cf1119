package tlslab.cli;

import tlslab.common.LabException;

/**
 * Every exit code the {@code lab} command uses, defined once. The README's table is generated from
 * the same list by {@code ./lab --help}.
 */
public final class ExitCode {
  /** Success. */
  public static final int OK = 0;

  /** The command ran and the answer is "no": a check, verification or exercise failed. */
  public static final int FAILED = 1;

  /** Bad command line: unknown option, missing argument, invalid value. */
  public static final int USAGE = 2;

  /** An input file is missing, unreadable or malformed. */
  public static final int BAD_INPUT = 3;

  /** The machine lacks something: libpcap, capture permission, a JDK internal. */
  public static final int ENVIRONMENT = 4;

  /** A network peer could not be reached, or the TLS handshake failed. */
  public static final int NETWORK = 5;

  /** Refused to overwrite existing data without {@code --force}. */
  public static final int REFUSED = 6;

  /**
   * The command finished but its result is incomplete: a capture lost packets (the kernel dropped
   * them); the file is written and the losses are counted in FILE.stats.
   */
  public static final int INCOMPLETE = 7;

  /** A bug in the lab: an unexpected exception (the stack trace goes to stderr). */
  public static final int INTERNAL = 70;

  /** Interrupted by Ctrl-C / SIGTERM. */
  public static final int INTERRUPTED = 130;

  /** The table printed in {@code --help} footers and the README. */
  public static final String TABLE =
      "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 bad input file, 4 environment"
          + " (permission, libpcap, JDK), 5 network/TLS failure, 6 refused to overwrite,"
          + " 7 incomplete (a capture lost packets), 70 internal error, 130 interrupted.";

  private ExitCode() {}

  static int of(LabException.Kind kind) {
    switch (kind) {
      case FAILED:
        return FAILED;
      case BAD_INPUT:
        return BAD_INPUT;
      case ENVIRONMENT:
        return ENVIRONMENT;
      case NETWORK:
        return NETWORK;
      case REFUSED:
        return REFUSED;
      default:
        throw new AssertionError(kind);
    }
  }
}
