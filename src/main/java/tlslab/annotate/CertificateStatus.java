package tlslab.annotate;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * What a Certificate Status handshake message (RFC 6066 section 8; type 22) says: the OCSP response
 * (RFC 6960) the server stapled for its own certificate, decoded with BouncyCastle.
 *
 * <pre>
 * struct {
 *     CertificateStatusType status_type;      // ocsp(1), ocsp_multi(2) (RFC 6961)
 *     select (status_type) {
 *         case ocsp:       OCSPResponse;       // opaque OCSPResponse&lt;1..2^24-1&gt;
 *         case ocsp_multi: OCSPResponseList;   // OCSPResponse ocsp_response_list&lt;1..2^24-1&gt;
 *     } response;
 * } CertificateStatus;
 * </pre>
 *
 * JSSE answers a JSSE client with {@code ocsp_multi} (the client also offered status_request_v2),
 * openssl's {@code s_client -status} with {@code ocsp}. Only the first response (the leaf's) is
 * read. Who signed it is found from the responder ID; when the server's chain holds the certificate
 * with that key, the signature is checked against it.
 *
 * @param statusType 1 (ocsp) or 2 (ocsp_multi), or the unknown code seen
 * @param responseStatus OCSP responseStatus ({@code successful}, {@code tryLater}...), or null
 * @param certStatus {@code good}, {@code revoked} or {@code unknown}, or null without a response
 * @param revokedAt when revoked, the revocation time, else null
 * @param reason when revoked with a reason, its RFC 5280 name, else null
 * @param serialHex the serial the answer is about (upper-case hex), or null
 * @param responder who signed: the matching chain certificate's subject, else the responder ID
 * @param signature "verifies", "does NOT verify" or "not checked (...)"
 * @param producedAt producedAt, thisUpdate, nextUpdate (nextUpdate may be null)
 * @param problem why the message could not be read, or null
 */
record CertificateStatus(
    int statusType,
    String responseStatus,
    String certStatus,
    Instant revokedAt,
    String reason,
    String serialHex,
    String responder,
    String signature,
    Instant producedAt,
    Instant thisUpdate,
    Instant nextUpdate,
    String problem) {

  private static final String[] RESPONSE_STATUS = {
    "successful",
    "malformedRequest",
    "internalError",
    "tryLater",
    "4",
    "sigRequired",
    "unauthorized"
  };

  /** Reads the message body {@code buf[b..end)}; never throws. */
  static CertificateStatus parse(byte[] buf, int b, int end, List<X509Certificate> chain) {
    if (end - b < 4) {
      return failed(-1, "Certificate Status body shorter than 4 bytes");
    }
    int type = buf[b] & 0xff;
    int p = b + 1;
    if (type == 2) {
      int listLen = uint24(buf, p);
      p += 3;
      if (p + listLen > end || listLen < 3) {
        return failed(type, "OCSP response list length " + listLen + " exceeds the message");
      }
    } else if (type != 1) {
      return failed(type, "unknown CertificateStatusType " + type);
    }
    int len = uint24(buf, p);
    p += 3;
    if (len == 0) {
      return failed(type, "the server sent an empty OCSP response for its certificate");
    }
    if (p + len > end) {
      return failed(type, "OCSP response length " + len + " exceeds the message");
    }
    byte[] der = java.util.Arrays.copyOfRange(buf, p, p + len);
    try {
      return decode(type, der, chain);
    } catch (IOException | OCSPException | RuntimeException e) {
      return failed(
          type, "the OCSP response does not decode (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static CertificateStatus decode(int type, byte[] der, List<X509Certificate> chain)
      throws IOException, OCSPException {
    OCSPResp resp = new OCSPResp(der);
    int st = resp.getStatus();
    String status = st >= 0 && st < RESPONSE_STATUS.length ? RESPONSE_STATUS[st] : "status " + st;
    if (st != OCSPResp.SUCCESSFUL || !(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
      return new CertificateStatus(
          type, status, null, null, null, null, null, null, null, null, null, null);
    }
    SingleResp[] singles = basic.getResponses();
    if (singles.length == 0) {
      return failed(type, "the OCSP response holds no certificate status");
    }
    SingleResp one = singles[0];
    Object s = one.getCertStatus();
    String cert;
    Instant revokedAt = null;
    String reason = null;
    if (s == null) {
      cert = "good";
    } else if (s instanceof RevokedStatus r) {
      cert = "revoked";
      revokedAt = r.getRevocationTime().toInstant();
      if (r.hasRevocationReason()) {
        reason = reasonName(r.getRevocationReason());
      }
    } else if (s instanceof UnknownStatus) {
      cert = "unknown";
    } else {
      cert = "unknown";
    }
    X509Certificate signer = signerIn(basic.getResponderId(), chain);
    String responder =
        signer != null
            ? signer.getSubjectX500Principal().getName()
            : describe(basic.getResponderId());
    String signature;
    if (signer == null) {
      signature = "not checked (the signer's certificate is not in the server's chain)";
    } else {
      try {
        ContentVerifierProvider v = new JcaContentVerifierProviderBuilder().build(signer);
        signature = basic.isSignatureValid(v) ? "verifies" : "does NOT verify";
      } catch (OperatorCreationException | OCSPException e) {
        signature = "not checked (" + e.getClass().getSimpleName() + ")";
      }
    }
    return new CertificateStatus(
        type,
        status,
        cert,
        revokedAt,
        reason,
        one.getCertID().getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
        responder,
        signature,
        basic.getProducedAt().toInstant(),
        one.getThisUpdate().toInstant(),
        one.getNextUpdate() == null ? null : one.getNextUpdate().toInstant(),
        null);
  }

  /**
   * The answer in a few words, for the connection summary ({@code ConnectionFacts}): "good",
   * "REVOKED since T (reason R)", "unknown", the responder's error, or why it could not be read;
   * then who signed it and the validity window.
   */
  String summary() {
    if (problem != null) {
      return "unreadable: " + problem;
    }
    if (certStatus == null) {
      return "the responder answered " + responseStatus + " (no status)";
    }
    StringBuilder sb = new StringBuilder();
    if ("revoked".equals(certStatus)) {
      sb.append("status REVOKED since ").append(revokedAt);
      if (reason != null) {
        sb.append(" (reason ").append(reason).append(')');
      }
    } else {
      sb.append("status ").append(certStatus);
    }
    return sb.append(", signed by ")
        .append(responder)
        .append(" (signature ")
        .append(signature)
        .append("), thisUpdate ")
        .append(thisUpdate)
        .append(nextUpdate != null ? ", nextUpdate " + nextUpdate : ", no nextUpdate")
        .toString();
  }

  /** The plain-language note for this message. */
  String explain() {
    StringBuilder sb =
        new StringBuilder("Certificate Status (RFC 6066 8): the server staples an OCSP response");
    sb.append(statusType == 2 ? " (type ocsp_multi, RFC 6961)" : "")
        .append(
            ", the CA responder's signed answer (RFC 6960) about the server certificate, so the")
        .append(" client need not ask the responder itself.");
    if (problem != null) {
      return sb.append(" It could not be read: ").append(problem).append('.').toString();
    }
    if (certStatus == null) {
      return sb.append(" The responder did not answer with a status but with '")
          .append(responseStatus)
          .append("', which vouches for nothing.")
          .toString();
    }
    sb.append(" It says serial ").append(serialHex).append(" is ").append(certStatus.toUpperCase());
    if ("revoked".equals(certStatus)) {
      sb.append(" since ").append(revokedAt);
      if (reason != null) {
        sb.append(" (reason ").append(reason).append(')');
      }
      sb.append(": a verifying client must refuse this server");
    } else if ("unknown".equals(certStatus)) {
      sb.append(": the responder does not know this certificate, so it vouches for nothing");
    }
    sb.append(". Signed by ").append(responder).append("; signature ").append(signature);
    sb.append(". thisUpdate ").append(thisUpdate);
    sb.append(nextUpdate != null ? ", nextUpdate " + nextUpdate : ", no nextUpdate");
    sb.append(" (produced ").append(producedAt).append(").");
    return sb.toString();
  }

  private static CertificateStatus failed(int type, String problem) {
    return new CertificateStatus(
        type, null, null, null, null, null, null, null, null, null, null, problem);
  }

  private static X509Certificate signerIn(RespID id, List<X509Certificate> chain) {
    if (chain == null) {
      return null;
    }
    for (X509Certificate c : chain) {
      if (id.toASN1Primitive().getName() != null) {
        if (org.bouncycastle.asn1.x500.X500Name.getInstance(
                c.getSubjectX500Principal().getEncoded())
            .equals(id.toASN1Primitive().getName())) {
          return c;
        }
      } else if (java.util.Arrays.equals(id.toASN1Primitive().getKeyHash(), keyHash(c))) {
        return c;
      }
    }
    return null;
  }

  /** RFC 6960 4.2.1: SHA-1 of the BIT STRING subjectPublicKey (tag, length, unused bits off). */
  private static byte[] keyHash(X509Certificate c) {
    try {
      byte[] key =
          SubjectPublicKeyInfo.getInstance(c.getPublicKey().getEncoded())
              .getPublicKeyData()
              .getBytes();
      return MessageDigest.getInstance("SHA-1").digest(key);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-1", e);
    }
  }

  private static String describe(RespID id) {
    if (id.toASN1Primitive().getName() != null) {
      return "responder " + id.toASN1Primitive().getName();
    }
    byte[] h = id.toASN1Primitive().getKeyHash();
    return "the responder whose key hash is "
        + HexFormat.of().formatHex(h == null ? new byte[0] : h)
        + " (its certificate is not in the server's chain)";
  }

  private static String reasonName(int code) {
    return switch (code) {
      case CRLReason.unspecified -> "unspecified";
      case CRLReason.keyCompromise -> "keyCompromise";
      case CRLReason.cACompromise -> "cACompromise";
      case CRLReason.affiliationChanged -> "affiliationChanged";
      case CRLReason.superseded -> "superseded";
      case CRLReason.cessationOfOperation -> "cessationOfOperation";
      case CRLReason.certificateHold -> "certificateHold";
      case CRLReason.removeFromCRL -> "removeFromCRL";
      case CRLReason.privilegeWithdrawn -> "privilegeWithdrawn";
      case CRLReason.aACompromise -> "aACompromise";
      default -> "code " + code;
    };
  }

  private static int uint24(byte[] b, int p) {
    return (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | b[p + 2] & 0xff;
  }
}
