package tlslab.exercise.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 11: revocation. Three pieces of the student's own evidence:
 *
 * <ol>
 *   <li>{@code captures/11-good.pcap}: a full handshake with their own server ({@code
 *       certs/server.pem}) whose first flight carries a Certificate Status (the stapled OCSP
 *       answer, RFC 6066 8), after which the chat went on: the client accepted it.
 *   <li>{@code certs/crl.pem}: a CRL signed by their own CA ({@code certs/ca.pem}) that lists that
 *       server certificate's serial as revoked (RFC 5280 5.3).
 *   <li>{@code captures/11-revoked.pcap}: a handshake with the same server certificate, again with
 *       a Certificate Status, which the client refused with a fatal alert ({@code
 *       bad_certificate_status_response} for a stapled "revoked", or {@code certificate_revoked})
 *       before any application data.
 * </ol>
 *
 * A copy of the good capture fails step 3, a CRL from another CA or without the serial fails step
 * 2, another student's captures fail the certificate comparison. The server certificate carries the
 * student's challenge as a SAN ({@code CHALLENGE.invalid}, as in exercise 1), so a friend's
 * certificates with their captures and CRL fail too: they carry the friend's challenge. With {@code
 * --student NAME} the server certificate must also name the student (made with {@code lab certs
 * init --cn NAME}).
 *
 * <p>Each stapled answer is read too: about the student's serial, signed by their own CA, "good" in
 * the first capture and "revoked" in the second; the refusal alert alone could come from an answer
 * that was broken rather than revoked.
 */
public final class RevocationCheck implements Checker {
  static final String GOOD = "11-good.pcap";
  static final String REVOKED = "11-revoked.pcap";
  private static final List<String> REFUSALS =
      List.of(
          "Alert (Level: Fatal, Description: Bad Certificate Status Response)",
          "Alert (Level: Fatal, Description: Certificate Revoked)");

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    X509Certificate ca = Steps.ownCa(r, ws);
    if (mine == null || ca == null || id == null) {
      return r;
    }
    // The certificate both captures show, and the CRL revokes, carries the student's challenge:
    // a friend's certificates, captures and CRL carry the friend's (RFC 6761 6.4 .invalid SAN).
    if (!Steps.serverCertificateCarriesChallenge(r, ws, id, mine)) {
      return r;
    }
    if (ws.student().isPresent()) {
      boolean named = MutualTlsCheck.namesStudent(mine, ws.student().get());
      r.expect(
          named,
          "your server certificate names you",
          "make your certificates with: lab certs init --dir "
              + ws.certs()
              + " --cn '"
              + ws.student().get()
              + "' --force, then redo the exercise");
      if (!named) {
        return r;
      }
    }
    String serverCmd = "lab server --certs " + ws.certs() + " --staple (and lab ca ocsp)";

    // 1. The stapled good answer, accepted.
    CaptureEvidence good =
        Steps.capture(
            r, ws, GOOD, KeyMaterial.none(), "lab capture --port 8443 --out " + ws.capture(GOOD));
    if (good == null) {
      return r;
    }
    Optional<ConnectionFacts> g = Steps.ownServerHandshake(r, ws, good, GOOD, mine, serverCmd);
    if (g.isEmpty()) {
      return r;
    }
    r.expect(
        hasLabel(good.rowsOf(g.get()), "Certificate Status"),
        "the server staples a Certificate Status in " + GOOD,
        "no Certificate Status after the server's Certificate: run " + serverCmd);
    staple(r, g.get(), ca, mine, tlslab.annotate.CertificateStatus.CertStatus.GOOD, GOOD);
    r.expect(
        g.get().clientApplicationData() > 0 && g.get().serverApplicationData() > 0,
        "the client accepted the server in " + GOOD,
        "no application data: chat a line (or /whoami) before you quit, with the capture running");
    // In class the good session carries the student's class certificate and its Certificate
    // Verify (verified with the handshake): the holder of their class key made it. The refusal
    // cannot: the client stops at the server's certificate, before it would send its own.
    if (Steps.classCertificateUsed(r, ws, id, good, List.of(g.get()), GOOD)
        && id.mode() != Identity.Mode.SELF_STUDY) {
      r.note(
          REVOKED
              + " carries no class certificate (your client refuses before it would send one): it"
              + " is yours by your server certificate, its challenge and its key's signature only");
    }

    // 2. The CA's signed statement that the certificate is revoked.
    if (!crlRevokes(r, ws, ca, mine)) {
      return r;
    }

    // 3. The refusal.
    CaptureEvidence bad =
        Steps.capture(
            r,
            ws,
            REVOKED,
            KeyMaterial.none(),
            "lab capture --port 8443 --out " + ws.capture(REVOKED));
    if (bad == null) {
      return r;
    }
    Optional<ConnectionFacts> b = Steps.ownServerHandshake(r, ws, bad, REVOKED, mine, serverCmd);
    if (b.isEmpty()) {
      return r;
    }
    if (!Steps.complete(
        r, bad, REVOKED, "the refusal is an alert after which no application data was sent")) {
      return r;
    }
    List<Row> rows = bad.rowsOf(b.get());
    r.expect(
        hasLabel(rows, "Certificate Status"),
        "the server staples a Certificate Status in " + REVOKED,
        "no Certificate Status: keep --staple on the server (restart it, or wait 30 s for its"
            + " cached answer to expire)");
    staple(r, b.get(), ca, mine, tlslab.annotate.CertificateStatus.CertStatus.REVOKED, REVOKED);
    // The client is whoever sent the Client Hello.
    int clientPort =
        rows.stream()
            .filter(row -> CaptureEvidence.labels(row).contains("Client Hello"))
            .mapToInt(row -> row.sourcePort)
            .findFirst()
            .orElse(-1);
    boolean refused =
        rows.stream()
            .filter(row -> row.sourcePort == clientPort)
            .anyMatch(row -> REFUSALS.stream().anyMatch(row.info::contains));
    r.expect(
        refused && b.get().clientApplicationData() == 0 && b.get().serverApplicationData() == 0,
        "the client refused the revoked server in " + REVOKED,
        "the client must end the handshake with a fatal certificate_revoked or"
            + " bad_certificate_status_response alert and send no data: revoke the certificate, then"
            + " connect with lab client (it checks revocation)");
    return r;
  }

  /**
   * "the stapled answer in NAME says STATUS for your server certificate, signed by your CA": the
   * OCSP response (RFC 6960 §4.2.1) in the Certificate Status is about the serial of {@code mine},
   * says {@code want}, and its signature verifies with the key of the student's own CA (the
   * responder's certificate in the server's chain is {@code certs/ca.pem}). A client refusing for
   * another reason (a broken or unsigned answer), or an answer signed by a CA made up for it, is
   * not a revocation by the student's CA.
   */
  private static void staple(
      Report r,
      ConnectionFacts c,
      X509Certificate ca,
      X509Certificate mine,
      tlslab.annotate.CertificateStatus.CertStatus want,
      String name) {
    tlslab.annotate.CertificateStatus cs = c.certificateStatus();
    if (cs == null) {
      return; // "the server staples a Certificate Status" fails already, saying what to do
    }
    String serial = mine.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
    List<X509Certificate> signers =
        c.serverCertificates().stream()
            .filter(x -> x.getSubjectX500Principal().getName().equals(cs.responderName()))
            .toList();
    boolean byMyCa =
        cs.signature() == tlslab.annotate.CertificateStatus.Signature.VERIFIES
            && !signers.isEmpty()
            && signers.stream().allMatch(x -> CaptureEvidence.same(x, ca));
    String requirement =
        "the stapled answer in "
            + name
            + " says "
            + want.name().toLowerCase(java.util.Locale.ROOT)
            + " for your server certificate, signed by your CA";
    if (cs.problem() != null || cs.certStatus() == null) {
      r.fail(
          requirement,
          "the Certificate Status holds no OCSP answer ("
              + (cs.problem() != null ? cs.problem() : "responseStatus " + cs.responseStatus())
              + "): run the lab's responder (lab ca ocsp) beside lab server --staple");
    } else if (!serial.equals(cs.serialHex())) {
      r.fail(
          requirement,
          "the stapled answer is about serial "
              + cs.serialHex()
              + ", not your server certificate's "
              + serial);
    } else if (!byMyCa) {
      r.fail(
          requirement,
          "the stapled answer is not signed by your CA ("
              + CaptureEvidence.describe(ca)
              + "): staple the answer of lab ca ocsp for your own certs folder");
    } else {
      r.expect(
          cs.certStatus() == want,
          requirement,
          "your CA's answer says "
              + cs.certStatus().name().toLowerCase(java.util.Locale.ROOT)
              + (want == tlslab.annotate.CertificateStatus.CertStatus.REVOKED
                  ? ": revoke the certificate (lab certs revoke) before this capture; the server"
                      + " re-asks the responder every 30 s"
                  : ": capture this one before you revoke the certificate"));
    }
  }

  private static boolean crlRevokes(
      Report r, Workspace ws, X509Certificate ca, X509Certificate mine) {
    Path file = ws.certs().resolve("crl.pem");
    String requirement = "your CA's CRL revokes your server certificate";
    if (!Files.isRegularFile(file)) {
      r.fail(
          requirement,
          file + " is missing: lab certs revoke ..., then lab certs crl --dir " + ws.certs());
      return false;
    }
    X509CRL crl;
    try (InputStream in = Files.newInputStream(file)) {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      r.fail(requirement, file + " is not a CRL (" + e.getMessage() + ")");
      return false;
    }
    try {
      crl.verify(ca.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      r.fail(requirement, file + " is not signed by your CA " + ws.certs().resolve("ca.pem"));
      return false;
    }
    X509CRLEntry entry = crl.getRevokedCertificate(mine.getSerialNumber());
    if (entry == null) {
      r.fail(
          requirement,
          file
              + " does not list serial "
              + mine.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
              + ": lab certs revoke "
              + ws.certs().resolve("server.pem")
              + ", then lab certs crl --dir "
              + ws.certs());
      return false;
    }
    r.pass(requirement);
    return true;
  }

  private static boolean hasLabel(List<Row> rows, String label) {
    return rows.stream().anyMatch(row -> CaptureEvidence.labels(row).contains(label));
  }
}
