package tlslab.exercise.checks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tlslab.common.LabException;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.CertificateVerifier;
import tlslab.pki.LabCertificates;

/** Exercise 1: the student's own CA and server certificate, and what they read off it. */
public final class CertificatesCheck implements Checker {
  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Path caPem = ws.certs().resolve("ca.pem");
    Path serverPem = ws.certs().resolve("server.pem");
    Path serverKey = ws.certs().resolve("server.key");
    if (!Files.isRegularFile(caPem) || !Files.isRegularFile(serverPem)) {
      return r.fail(
          "your certificates exist",
          "run: lab certs init --dir " + ws.certs() + " (no ca.pem/server.pem there)");
    }
    X509Certificate ca;
    X509Certificate server;
    try {
      ca = CertificateFile.read(caPem, LabCertificates.STORE_PASSWORD).leaf();
      server = CertificateFile.read(serverPem, LabCertificates.STORE_PASSWORD).leaf();
    } catch (LabException e) {
      return r.fail("your certificates are readable", e.getMessage());
    }
    r.pass("your certificates exist");
    Identity id = Steps.identity(r, ws);
    Checkers.noteBinding(r, id, 1);
    if (id != null) {
      Steps.serverCertificateCarriesChallenge(r, ws, id, server);
    }
    CertificateVerifier.Result v =
        CertificateVerifier.verify(ca, List.of(server), "localhost", Instant.now());
    r.expect(
        v.passed(),
        "server.pem is signed by ca.pem, valid now, for localhost",
        v.firstFailure().map(CertificateVerifier.Check::line).orElse(""));
    try {
      CertificateFile combined = CertificateFile.read(serverKey, LabCertificates.STORE_PASSWORD);
      r.expect(
          combined.key().isPresent(),
          "server.key holds a private key",
          "server.key should be the PEM private key lab certs init wrote");
    } catch (LabException e) {
      if (e.getMessage().contains("no certificate")) {
        r.pass("server.key holds a private key");
      } else {
        r.fail("server.key holds a private key", e.getMessage());
      }
    }

    CertificateSummary s = CertificateSummary.of(server);
    Answers a = ws.answers("01.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    r.expect(
        fingerprint(a.lower("fingerprint"))
            .equals(hex(s.sha256Fingerprint().toLowerCase(Locale.ROOT))),
        "fingerprint is your server certificate's SHA-256 fingerprint",
        "use the fingerprint lab certs show prints for " + serverPem + " (yours, not a friend's)");
    r.expect(
        keyForm(a.lower("key")).equals(keyForm(s.key().toLowerCase(Locale.ROOT))),
        "key names your server key's type and size",
        "the key line of lab certs show "
            + serverPem
            + " names its type and size, e.g. RSA 2048 bits");
    String issuerCn = commonName(s.issuer());
    r.expect(
        !issuerCn.isEmpty()
            && issuerForms(s.issuer(), issuerCn).contains(issuerForm(a.lower("issuer"))),
        "issuer names the CA that signed your certificate",
        "the issuer line of lab certs show, its CN (that name alone, or the whole line)");
    Set<String> sans =
        s.subjectAltNames().stream()
            .map(x -> x.replaceFirst("^[A-Za-z]+:", "").toLowerCase(Locale.ROOT))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> answered =
        Arrays.stream(a.lower("sans").split("[,\\s]+"))
            .map(x -> x.replaceFirst("^[a-z]+:", ""))
            .filter(x -> !x.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    r.expect(
        !sans.isEmpty() && sans.equals(answered),
        "sans lists every SubjectAltName",
        "list all SubjectAltNames of your certificate, comma-separated");
    return r;
  }

  /**
   * The 64 hex digits of a SHA-256 fingerprint in an answer, however pasted: {@code AB:CD:...}, the
   * whole {@code SHA-256: AB:CD:...} line of lab certs show, spaces, lower case. "" when there is
   * none.
   */
  static String fingerprint(String answer) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?:[0-9a-f]{2}[:\\s]?){32}").matcher(answer);
    return m.find() ? hex(m.group()) : "";
  }

  /**
   * A key description reduced to type and size: "RSA 2048 bits", "RSA-2048", "rsa 2048" and "key:
   * RSA 2048 bits" all read "rsa2048".
   */
  static String keyForm(String answer) {
    String s = answer.replaceFirst("^key:\\s*", "");
    return s.replaceAll("\\bbits?\\b", "").replaceAll("[^a-z0-9]", "");
  }

  private static String hex(String s) {
    return s.replaceAll("[^0-9a-f]", "");
  }

  private static String words(String s) {
    return Arrays.stream(s.split("[^a-z0-9]+"))
        .filter(w -> !w.isEmpty())
        .collect(Collectors.joining(" "));
  }

  /**
   * The issuer as a student may write it, squashed: its CN, "CN=" and its CN, or the whole issuer
   * line of lab certs show. Exactly one of them: an answer that also names other candidates
   * ("localhost, TLS Lab CA") is a hedge, not an answer.
   */
  private static Set<String> issuerForms(String dn, String cn) {
    // A DN of its CN alone squashes like "CN=" and the CN: a set that allows the repeat.
    return new TreeSet<>(List.of(Steps.squash(cn), Steps.squash("CN=" + cn), Steps.squash(dn)));
  }

  private static String issuerForm(String answer) {
    return Steps.squash(answer.strip().replaceFirst("^issuer:\\s*", ""));
  }

  private static String commonName(String dn) {
    for (String part : dn.split(",")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "CN=", 0, 3)) {
        return p.substring(3);
      }
    }
    return dn;
  }
}
