package tlslab.net;

import java.net.ConnectException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;

/** Turns a failed connection into one line a student can act on. */
final class HandshakeFailures {
  private HandshakeFailures() {}

  /**
   * {@code reason}, and the alert this side sent as {@link TlsDriver#failureAlert()} gives it (the
   * alert a capture shows, beside JSSE's reason), if any.
   */
  static String withSentAlert(String reason, String alert) {
    if (alert == null) {
      return reason;
    }
    return (reason == null ? "failed" : reason)
        + (alert.equals("encrypted")
            ? " (sent an encrypted alert)"
            : " (sent alert: " + alert + ")");
  }

  static String describe(Throwable e, String host, int port) {
    String target = host + ":" + port;
    String all = chainText(e);
    if (e instanceof ConnectException) {
      return "cannot connect to " + target + ": " + e.getMessage();
    }
    if (all.contains("No subject alternative") || all.contains("No name matching")) {
      return "server certificate at "
          + target
          + " is not valid for host '"
          + host
          + "' (hostname check, RFC 6125); use the name in its certificate, or --insecure to skip"
          + " the check (unsafe)";
    }
    String revocation = revocation(e);
    if (revocation != null) {
      return "server certificate at " + target + " " + revocation + "; refusing to connect";
    }
    if (has(e, CertPathValidatorException.class)
        || all.contains("PKIX path")
        || all.contains("unable to find valid certification path")) {
      return "server certificate at "
          + target
          + " is not issued by a trusted CA (check --ca);"
          + " --insecure skips the check (unsafe)";
    }
    if (has(e, CertificateException.class)) {
      return "server certificate at " + target + " rejected: " + firstLine(all);
    }
    if (e instanceof SSLHandshakeException || e instanceof javax.net.ssl.SSLException) {
      return "TLS handshake with " + target + " failed: " + e.getMessage();
    }
    return "connection to " + target + " failed: " + e;
  }

  /** "was revoked ... (reason ...)" or "has an unknown revocation status ...", else null. */
  private static String revocation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateRevokedException r) {
        return "was REVOKED by its CA at "
            + r.getRevocationDate().toInstant()
            + " (reason "
            + r.getRevocationReason()
            + ", per "
            + r.getAuthorityName().getName()
            + ")";
      }
      if (t instanceof CertPathValidatorException v
          && v.getReason()
              == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
        return "has no known revocation status ("
            + firstLine(chainText(v))
            + "); --revocation hard refuses it";
      }
    }
    return null;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String chainText(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    int bar = s.indexOf(" | ");
    return bar < 0 ? s : s.substring(0, bar);
  }
}
