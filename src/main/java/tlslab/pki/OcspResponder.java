package tlslab.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import tlslab.pki.internal.CaRecords;
import tlslab.pki.internal.CaSigning;
import tlslab.pki.internal.LabCa;

/**
 * The lab CA's OCSP responder logic (RFC 6960), without the HTTP around it ({@link OcspServer} adds
 * that): an OCSP request in, a signed OCSP response out.
 *
 * <p>A request names each certificate by a {@code CertID} (RFC 6960 4.1.1): hashes of the issuer's
 * name and public key, and the serial. For each one the responder answers (4.2.1, 2.2):
 *
 * <ul>
 *   <li><b>good</b>: the issuer is the lab CA, the CA issued this serial ({@code issued.tsv}) and
 *       has not revoked it;
 *   <li><b>revoked</b>: listed in {@code revoked.tsv}, with the time and the reason;
 *   <li><b>unknown</b>: another issuer, or a serial this CA never issued.
 * </ul>
 *
 * The answer is signed by the CA's own key (RFC 6960 4.2.2.2 allows the CA itself as signer) and
 * carries the CA certificate in its {@code certs} field, so that a client holding only the trust
 * anchor elsewhere (openssl with {@code -CAfile}) finds the signer; the responder is named by the
 * hash of that key ({@code byKey}), every answer carries thisUpdate and nextUpdate, and a request's
 * nonce (4.4.1) is echoed so the client can tell the answer is fresh. A request that cannot be
 * parsed gets the unsigned status {@code malformedRequest} (4.2.1); a CA folder that cannot be
 * read, {@code internalError}.
 *
 * <p>The ledgers are read on every request: a revocation counts the moment it is recorded.
 */
public final class OcspResponder {
  private final Path caDir;
  private final Duration validity;
  private final Clock clock;

  /**
   * @param caDir the lab CA folder ({@code ca.pem}, {@code ca.key}, {@code issued.tsv}, {@code
   *     revoked.tsv})
   * @param validity from thisUpdate to nextUpdate in each answer; a stapling server caches the
   *     answer until nextUpdate
   */
  public OcspResponder(Path caDir, Duration validity, Clock clock) {
    this.caDir = caDir;
    this.validity = validity;
    this.clock = clock;
  }

  /** What one request got, for the responder's log. */
  public record Answer(byte[] response, String summary) {}

  /** Answers a DER-encoded OCSP request with a DER-encoded OCSP response. Never throws. */
  public Answer respond(byte[] requestDer) {
    OCSPReq req;
    Req[] items;
    try {
      req = new OCSPReq(requestDer);
      items = req.getRequestList();
      if (items.length == 0) {
        return unsigned(OCSPRespBuilder.MALFORMED_REQUEST, "malformed request (no CertID)");
      }
    } catch (IOException | RuntimeException e) {
      return unsigned(OCSPRespBuilder.MALFORMED_REQUEST, "malformed request (not an OCSPRequest)");
    }
    LabCa ca;
    Map<String, CaRecords.Issued> issued;
    Map<String, CaRecords.Revoked> revoked;
    try {
      ca = LabCa.load(caDir);
      issued = CaRecords.issued(caDir);
      revoked = CaRecords.revoked(caDir);
    } catch (RuntimeException e) {
      return unsigned(OCSPRespBuilder.INTERNAL_ERROR, "internal error: " + e.getMessage());
    }
    try {
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      DigestCalculatorProvider digests = CaSigning.digests();
      X509CertificateHolder caHolder = new JcaX509CertificateHolder(ca.cert());
      BasicOCSPRespBuilder b =
          new BasicOCSPRespBuilder(
              new RespID(caHolder.getSubjectPublicKeyInfo(), digests.get(RespID.HASH_SHA1)));
      StringBuilder summary = new StringBuilder();
      for (Req r : items) {
        CertificateID id = r.getCertID();
        String serial = id.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
        CertificateStatus status;
        String word;
        if (!id.matchesIssuer(caHolder, digests)) {
          status = new UnknownStatus();
          word = "unknown (another issuer)";
        } else if (revoked.containsKey(serial)) {
          CaRecords.Revoked rv = revoked.get(serial);
          status = new RevokedStatus(Date.from(rv.at()), rv.reasonCode());
          word = "revoked (" + RevocationReason.ofCode(rv.reasonCode()).rfcName() + ")";
        } else if (issued.containsKey(serial)) {
          status = CertificateStatus.GOOD;
          word = "good";
        } else {
          status = new UnknownStatus();
          word = "unknown (never issued)";
        }
        b.addResponse(id, status, Date.from(now), Date.from(now.plus(validity)), null);
        if (summary.length() > 0) {
          summary.append("; ");
        }
        summary.append("serial ").append(serial).append(": ").append(word);
      }
      Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
      if (nonce != null) {
        b.setResponseExtensions(new Extensions(nonce));
      }
      BasicOCSPResp basic =
          b.build(
              CaSigning.signer(ca.key()), new X509CertificateHolder[] {caHolder}, Date.from(now));
      byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
      return new Answer(der, summary + (nonce != null ? " (nonce echoed)" : ""));
    } catch (OCSPException
        | OperatorCreationException
        | CertificateEncodingException
        | IOException e) {
      return unsigned(OCSPRespBuilder.INTERNAL_ERROR, "internal error: " + e.getMessage());
    }
  }

  private static Answer unsigned(int status, String summary) {
    try {
      return new Answer(new OCSPRespBuilder().build(status, null).getEncoded(), summary);
    } catch (OCSPException | IOException e) {
      throw new AssertionError("an unsigned OCSP status always encodes", e);
    }
  }
}
