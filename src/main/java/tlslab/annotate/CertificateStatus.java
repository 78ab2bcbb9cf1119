package tlslab.annotate;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;

/**
 * What a stapled OCSP response says (RFC 6066 8, RFC 6960 4.2), read with BouncyCastle.
 *
 * <pre>
 * struct { CertificateStatusType status_type;   // 1 = ocsp
 *          select (status_type) { case ocsp: OCSPResponse; } response; } CertificateStatus;
 * opaque OCSPResponse&lt;1..2^24-1&gt;;
 * </pre>
 */
final class CertificateStatus {
  private CertificateStatus() {}

  /** "good", "revoked (reason N)", "unknown", the responder's error, or null if unreadable. */
  static String describe(byte[] b, int from, int to) {
    if (to - from < 4 || (b[from] & 0xff) != 1) return null;
    int len = ((b[from + 1] & 0xff) << 16) | ((b[from + 2] & 0xff) << 8) | (b[from + 3] & 0xff);
    if (from + 4 + len > to) return null;
    try {
      OCSPResp resp = new OCSPResp(Arrays.copyOfRange(b, from + 4, from + 4 + len));
      if (resp.getStatus() != OCSPResp.SUCCESSFUL)
        return "the responder answered with error status " + resp.getStatus();
      if (!(resp.getResponseObject() instanceof BasicOCSPResp basic)) return null;
      SingleResp[] rs = basic.getResponses();
      if (rs.length == 0) return "a response about no certificate";
      Object st = rs[0].getCertStatus();
      if (st == null) return "status good (not revoked), produced " + basic.getProducedAt();
      if (st instanceof RevokedStatus r)
        return "status REVOKED since "
            + r.getRevocationTime()
            + (r.hasRevocationReason() ? " (reason " + r.getRevocationReason() + ")" : "");
      if (st instanceof UnknownStatus) return "status unknown (the responder does not know it)";
      return null;
    } catch (IOException | OCSPException | RuntimeException e) {
      return null;
    }
  }
}
