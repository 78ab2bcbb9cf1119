package tlslab.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The human-readable facts of one X.509 certificate, the fields {@code lab certs show} prints and a
 * student should learn to read: who it names (subject, SANs), who vouches for it (issuer), for how
 * long, with what key, for what purposes (key usage, extended key usage), whether it may sign other
 * certificates (basic constraints), and its SHA-256 fingerprint, the hash a person compares out of
 * band to know two copies are the same certificate.
 *
 * @param subject subject distinguished name (RFC 2253 order, most specific first)
 * @param issuer issuer distinguished name
 * @param serial serial number in upper-case hex, as {@code openssl x509 -serial} prints it
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param key key type and size, e.g. "RSA 2048 bits" or "EC P-256"
 * @param signatureAlgorithm e.g. "SHA256withRSA"
 * @param subjectAltNames e.g. "DNS:localhost", "IP:127.0.0.1"; empty when absent
 * @param keyUsages e.g. "digitalSignature"; empty when the extension is absent
 * @param extendedKeyUsages e.g. "serverAuth"; empty when absent
 * @param basicConstraints "CA:true", "CA:true, pathlen:0", "CA:false" or "absent"
 * @param sha256Fingerprint colon-separated upper-case hex of SHA-256 over the DER encoding
 */
public record CertificateSummary(
    String subject,
    String issuer,
    String serial,
    Instant notBefore,
    Instant notAfter,
    String key,
    String signatureAlgorithm,
    List<String> subjectAltNames,
    List<String> keyUsages,
    List<String> extendedKeyUsages,
    String basicConstraints,
    String sha256Fingerprint) {

  /** RFC 5280 section 4.2.1.3, in bit order. */
  private static final String[] KEY_USAGE_NAMES = {
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly"
  };

  /** RFC 5280 section 4.2.1.12 purposes, by OID. */
  private static final Map<String, String> EKU_NAMES =
      Map.of(
          "1.3.6.1.5.5.7.3.1", "serverAuth",
          "1.3.6.1.5.5.7.3.2", "clientAuth",
          "1.3.6.1.5.5.7.3.3", "codeSigning",
          "1.3.6.1.5.5.7.3.4", "emailProtection",
          "1.3.6.1.5.5.7.3.8", "timeStamping",
          "1.3.6.1.5.5.7.3.9", "OCSPSigning",
          "2.5.29.37.0", "anyExtendedKeyUsage");

  private static final Map<String, String> CURVES =
      Map.of(
          "1.2.840.10045.3.1.7", "P-256",
          "1.3.132.0.34", "P-384",
          "1.3.132.0.35", "P-521");

  /** Reads the facts out of a certificate. */
  public static CertificateSummary of(X509Certificate cert) {
    Set<String> critical = cert.getCriticalExtensionOIDs();
    boolean kuCritical = critical != null && critical.contains("2.5.29.15");
    boolean bcCritical = critical != null && critical.contains("2.5.29.19");
    List<String> ku = new ArrayList<>();
    boolean[] bits = cert.getKeyUsage();
    if (bits != null) {
      for (int i = 0; i < bits.length && i < KEY_USAGE_NAMES.length; i++) {
        if (bits[i]) {
          ku.add(KEY_USAGE_NAMES[i]);
        }
      }
      if (kuCritical) {
        ku.add("(critical)");
      }
    }
    String bc;
    if (cert.getExtensionValue("2.5.29.19") == null) {
      bc = "absent";
    } else {
      int path = cert.getBasicConstraints();
      bc =
          path < 0
              ? "CA:false"
              : "CA:true" + (path == Integer.MAX_VALUE ? "" : ", pathlen:" + path);
      if (bcCritical) {
        bc += " (critical)";
      }
    }
    return new CertificateSummary(
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
        cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
        cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
        cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(),
        describeKey(cert.getPublicKey()),
        cert.getSigAlgName(),
        subjectAltNames(cert),
        List.copyOf(ku),
        extendedKeyUsages(cert),
        bc,
        sha256Fingerprint(cert));
  }

  /** The summary as "label: value" lines, validity judged at {@code now}. */
  public List<String> lines(Instant now) {
    List<String> out = new ArrayList<>();
    out.add(row("subject", subject));
    out.add(row("issuer", issuer + (subject.equals(issuer) ? " (self-signed)" : "")));
    out.add(row("serial", serial));
    out.add(row("valid from", notBefore.toString()));
    out.add(row("valid until", notAfter + " (" + remaining(now) + ")"));
    out.add(row("key", key));
    out.add(row("signature", signatureAlgorithm));
    out.add(row("SANs", orNone(subjectAltNames)));
    out.add(row("key usage", orNone(keyUsages)));
    out.add(row("ext key usage", orNone(extendedKeyUsages)));
    out.add(row("basic constr.", basicConstraints));
    out.add(row("SHA-256", sha256Fingerprint));
    return out;
  }

  /**
   * Colon-separated upper-case hex SHA-256 of the DER bytes, as {@code openssl x509 -fingerprint
   * -sha256}.
   */
  public static String sha256Fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new AssertionError("SHA-256 and DER re-encoding are always available", e);
    }
  }

  /** "RSA 2048 bits", "EC P-256", or the algorithm name for anything else. */
  public static String describeKey(PublicKey key) {
    if (key instanceof RSAKey) {
      return "RSA " + ((RSAKey) key).getModulus().bitLength() + " bits";
    }
    if ("EC".equals(key.getAlgorithm()) || "ECDSA".equals(key.getAlgorithm())) {
      Object params =
          SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
      String curve =
          params instanceof ASN1ObjectIdentifier
              ? CURVES.getOrDefault(params.toString(), params.toString())
              : "explicit curve";
      return "EC " + curve;
    }
    return key.getAlgorithm();
  }

  private String remaining(Instant now) {
    if (now.isBefore(notBefore)) {
      return "NOT YET VALID";
    }
    if (now.isAfter(notAfter)) {
      return "EXPIRED " + Duration.between(notAfter, now).toDays() + " days ago";
    }
    long days = Math.round(Duration.between(now, notAfter).toHours() / 24.0);
    return days + (days == 1 ? " day left" : " days left");
  }

  private static List<String> subjectAltNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          String prefix =
              type == 2
                  ? "DNS:"
                  : type == 7 ? "IP:" : type == 1 ? "email:" : type == 6 ? "URI:" : "other:";
          out.add(prefix + san.get(1));
        }
      }
    } catch (CertificateParsingException e) {
      out.add("(unreadable subjectAltName: " + e.getMessage() + ")");
    }
    return List.copyOf(out);
  }

  private static List<String> extendedKeyUsages(X509Certificate cert) {
    try {
      List<String> oids = cert.getExtendedKeyUsage();
      if (oids == null) {
        return List.of();
      }
      return oids.stream().map(o -> EKU_NAMES.getOrDefault(o, o)).toList();
    } catch (CertificateParsingException e) {
      return List.of("(unreadable extKeyUsage: " + e.getMessage() + ")");
    }
  }

  private static String orNone(List<String> values) {
    return values.isEmpty()
        ? "(none)"
        : String.join(", ", values).replace(", (critical)", " (critical)");
  }

  private static String row(String label, String value) {
    return String.format(Locale.ROOT, "%-15s %s", label + ":", value);
  }
}
