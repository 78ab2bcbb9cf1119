package tlslab.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.Names;

/**
 * Checks a certificate chain against one trusted CA, the way a TLS client does (RFC 5280 section 6,
 * simplified to what the lab needs), and reports every check separately so that a student sees
 * exactly which one failed:
 *
 * <ol>
 *   <li><b>CA</b>: the trust anchor really is a CA (basicConstraints CA:true, keyCertSign).
 *   <li><b>chain</b>: each certificate's issuer name is its parent's subject and its signature
 *       verifies with the parent's public key, up to the CA.
 *   <li><b>validity</b>: every certificate is within notBefore..notAfter at the given time.
 *   <li><b>key usage</b>: the leaf is not a CA, may sign (digitalSignature) and is meant for TLS
 *       (extKeyUsage serverAuth/clientAuth; serverAuth when a host name is checked).
 *   <li><b>hostname</b> (when asked): the name appears in the subjectAltName (RFC 6125; the CN is
 *       not consulted, as in every modern client).
 * </ol>
 */
public final class CertificateVerifier {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  private CertificateVerifier() {}

  /** The outcome of one check. */
  public record Check(String name, boolean passed, String detail) {
    /** "ok chain ..." / "FAIL hostname ...". */
    public String line() {
      return String.format("%-5s %-10s %s", passed ? "ok" : "FAIL", name, detail);
    }
  }

  /** Every check, in the order they were made. */
  public record Result(List<Check> checks) {
    /** True when every check passed. */
    public boolean passed() {
      return checks.stream().allMatch(Check::passed);
    }

    /** The first failed check, if any. */
    public java.util.Optional<Check> firstFailure() {
      return checks.stream().filter(c -> !c.passed()).findFirst();
    }
  }

  /**
   * Verifies {@code chain} (leaf first; a copy of the CA at its end is ignored) against {@code ca}.
   *
   * @param host the host name or IP the client connected to, or null to skip the hostname check
   * @param at the time to judge validity at (normally now)
   */
  public static Result verify(
      X509Certificate ca, List<X509Certificate> chain, String host, Instant at) {
    List<X509Certificate> path = new ArrayList<>(chain);
    while (path.size() > 1 && path.get(path.size() - 1).equals(ca)) {
      path.remove(path.size() - 1);
    }
    X509Certificate leaf = path.get(0);
    List<Check> checks = new ArrayList<>();
    checks.add(checkCa(ca));
    checks.add(checkChain(ca, path));
    checks.add(checkValidity(ca, path, at));
    checks.add(checkUsage(leaf, host != null));
    if (host != null) {
      checks.add(checkHost(leaf, host));
    }
    return new Result(List.copyOf(checks));
  }

  private static Check checkCa(X509Certificate ca) {
    String who = name(ca);
    if (ca.getBasicConstraints() < 0) {
      return new Check(
          "CA", false, who + " is not a CA certificate (basicConstraints CA:false or absent)");
    }
    boolean[] ku = ca.getKeyUsage();
    if (ku != null && !ku[5]) {
      return new Check(
          "CA", false, who + " has no keyCertSign key usage, so it may not sign certificates");
    }
    return new Check("CA", true, who);
  }

  private static Check checkChain(X509Certificate ca, List<X509Certificate> path) {
    if (path.size() == 1 && path.get(0).equals(ca)) {
      return new Check("chain", true, "the certificate is the CA itself (a trust anchor)");
    }
    List<String> links = new ArrayList<>();
    for (int i = 0; i < path.size(); i++) {
      X509Certificate child = path.get(i);
      X509Certificate parent = i + 1 < path.size() ? path.get(i + 1) : ca;
      String parentName = i + 1 < path.size() ? name(parent) : name(parent) + " (the CA)";
      if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
        return new Check(
            "chain",
            false,
            name(child)
                + " was not issued by "
                + parentName
                + ": its issuer is "
                + child.getIssuerX500Principal().getName(X500Principal.RFC2253));
      }
      try {
        child.verify(parent.getPublicKey(), Crypto.BC);
      } catch (GeneralSecurityException e) {
        return new Check(
            "chain",
            false,
            name(child)
                + " was not signed by "
                + parentName
                + ": the signature does not verify with its public key (same name, different key)");
      }
      if (i + 1 < path.size() && parent.getBasicConstraints() < 0) {
        return new Check(
            "chain", false, name(parent) + " signed " + name(child) + " but is not a CA");
      }
      links.add(name(child));
    }
    links.add(name(ca));
    return new Check("chain", true, String.join(" <- signed by ", links));
  }

  private static Check checkValidity(X509Certificate ca, List<X509Certificate> path, Instant at) {
    List<X509Certificate> all = new ArrayList<>(path);
    if (!all.contains(ca)) {
      all.add(ca);
    }
    for (X509Certificate c : all) {
      Instant from = c.getNotBefore().toInstant();
      Instant until = c.getNotAfter().toInstant();
      if (at.isBefore(from)) {
        return new Check(
            "validity",
            false,
            name(c) + " is not valid before " + from + " (checked at " + at + ")");
      }
      if (at.isAfter(until)) {
        return new Check(
            "validity", false, name(c) + " expired at " + until + " (checked at " + at + ")");
      }
    }
    X509Certificate leaf = path.get(0);
    return new Check(
        "validity",
        true,
        "valid until " + leaf.getNotAfter().toInstant() + " (checked at " + at + ")");
  }

  private static Check checkUsage(X509Certificate leaf, boolean server) {
    if (leaf.getBasicConstraints() >= 0) {
      return new Check(
          "key usage",
          false,
          name(leaf) + " is a CA certificate, not one for a TLS server or client");
    }
    boolean[] ku = leaf.getKeyUsage();
    if (ku != null && !ku[0]) {
      // TLS 1.3 (RFC 8446 4.4.3) and (EC)DHE in TLS 1.2 need the key to sign the handshake.
      if (!(ku[2] && "RSA".equals(leaf.getPublicKey().getAlgorithm()))) {
        return new Check(
            "key usage",
            false,
            name(leaf) + " lacks digitalSignature, so it cannot sign TLS handshakes");
      }
    }
    List<String> eku;
    try {
      eku = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      return new Check("key usage", false, name(leaf) + " has an unreadable extKeyUsage extension");
    }
    CertificateSummary s = CertificateSummary.of(leaf);
    String usages =
        "key usage "
            + String.join(", ", s.keyUsages())
            + "; ext key usage "
            + (s.extendedKeyUsages().isEmpty()
                ? "(none: any purpose)"
                : String.join(", ", s.extendedKeyUsages()));
    if (eku != null && !eku.contains(ANY_EKU)) {
      if (server && !eku.contains(SERVER_AUTH)) {
        return new Check(
            "key usage",
            false,
            name(leaf)
                + " is not for TLS servers (extKeyUsage lacks serverAuth; has "
                + String.join(", ", s.extendedKeyUsages())
                + ")");
      }
      if (!eku.contains(SERVER_AUTH) && !eku.contains(CLIENT_AUTH)) {
        return new Check(
            "key usage",
            false,
            name(leaf) + " is not for TLS (extKeyUsage has neither serverAuth nor clientAuth)");
      }
    }
    return new Check("key usage", true, usages.replace(", (critical)", " (critical)"));
  }

  private static Check checkHost(X509Certificate leaf, String host) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if ((Integer) san.get(0) == 2) {
            dns.add((String) san.get(1));
          } else if ((Integer) san.get(0) == 7) {
            ips.add((String) san.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return new Check(
          "hostname", false, name(leaf) + " has an unreadable subjectAltName extension");
    }
    String listed = String.join(", ", CertificateSummary.of(leaf).subjectAltNames());
    if (dns.isEmpty() && ips.isEmpty()) {
      return new Check(
          "hostname",
          false,
          name(leaf)
              + " has no DNS or IP subjectAltName; clients do not"
              + " accept the CN as a host name (RFC 6125 section 6.4.4)");
    }
    boolean match;
    if (Names.isIpLiteral(host)) {
      // An IP must match an iPAddress SAN byte for byte, never a dNSName (RFC 6125 section 1.7.2).
      byte[] wanted = Names.ipBytes(host);
      match = ips.stream().anyMatch(ip -> java.util.Arrays.equals(Names.ipBytes(ip), wanted));
    } else {
      match = dns.stream().anyMatch(p -> Names.dnsMatches(p, host));
    }
    return match
        ? new Check("hostname", true, "'" + host + "' matches the subjectAltName (" + listed + ")")
        : new Check(
            "hostname", false, "'" + host + "' does not match the subjectAltName (" + listed + ")");
  }

  private static String name(X509Certificate c) {
    return c.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }
}
