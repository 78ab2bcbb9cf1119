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
 * <p>This is a value: the connection summary, the notes and JSON render it ({@link
 * ConnectionSummary}, {@link Explanations}, {@code AnnotateReport}); nothing here is a sentence.
 *
 * @param statusType 1 (ocsp) or 2 (ocsp_multi), or the unknown code seen (-1: body too short)
 * @param responseStatus OCSP responseStatus by its RFC 6960 name ({@code successful}, {@code
 *     tryLater}...), or null when the message could not be read
 * @param certStatus what the responder says about the certificate, or null without a successful
 *     response
 * @param revokedAt when revoked, the revocation time, else null
 * @param reason when revoked with a reason, its RFC 5280 CRLReason name, else null
 * @param serialHex the serial the answer is about (upper-case hex), or null
 * @param responderName the responder ID by name (an X.500 name), or null when it is by key hash
 * @param responderKeyHash the responder ID by key hash (hex of SHA-1 of its public key), or null
 * @param signerInChain whether the responder's certificate is in the server's chain
 * @param signature whether the response's signature was checked and held
 * @param producedAt producedAt, thisUpdate, nextUpdate (nextUpdate may be null)
 * @param problem why the message could not be read, or null
 */
public record CertificateStatus(
    int statusType,
    String responseStatus,
    CertStatus certStatus,
    Instant revokedAt,
    String reason,
    String serialHex,
    String responderName,
    String responderKeyHash,
    boolean signerInChain,
    Signature signature,
    Instant producedAt,
    Instant thisUpdate,
    Instant nextUpdate,
    String problem) {

  /** RFC 6960 4.2.1 CertStatus. */
  public enum CertStatus {
    GOOD,
    REVOKED,
    UNKNOWN
  }

  /** What checking the response's signature gave. */
  public enum Signature {
    VERIFIES,
    DOES_NOT_VERIFY,
    /** The signer's certificate is not in the server's chain: nothing to check it against. */
    SIGNER_NOT_IN_CHAIN,
    /** The JDK could not run the check (unsupported algorithm, bad key). */
    CHECK_FAILED
  }

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
          type, status, null, null, null, null, null, null, false, null, null, null, null, null);
    }
    SingleResp[] singles = basic.getResponses();
    if (singles.length == 0) {
      return failed(type, "the OCSP response holds no certificate status");
    }
    SingleResp one = singles[0];
    Object s = one.getCertStatus();
    CertStatus cert;
    Instant revokedAt = null;
    String reason = null;
    if (s == null) {
      cert = CertStatus.GOOD;
    } else if (s instanceof RevokedStatus r) {
      cert = CertStatus.REVOKED;
      revokedAt = r.getRevocationTime().toInstant();
      if (r.hasRevocationReason()) {
        reason = reasonName(r.getRevocationReason());
      }
    } else {
      cert = CertStatus.UNKNOWN; // UnknownStatus, or a status BouncyCastle does not model
    }
    RespID id = basic.getResponderId();
    X509Certificate signer = signerIn(id, chain);
    Signature signature;
    if (signer == null) {
      signature = Signature.SIGNER_NOT_IN_CHAIN;
    } else {
      try {
        ContentVerifierProvider v = new JcaContentVerifierProviderBuilder().build(signer);
        signature = basic.isSignatureValid(v) ? Signature.VERIFIES : Signature.DOES_NOT_VERIFY;
      } catch (OperatorCreationException | OCSPException e) {
        signature = Signature.CHECK_FAILED;
      }
    }
    String name =
        signer != null
            ? signer.getSubjectX500Principal().getName()
            : id.toASN1Primitive().getName() != null
                ? id.toASN1Primitive().getName().toString()
                : null;
    byte[] h = id.toASN1Primitive().getKeyHash();
    return new CertificateStatus(
        type,
        status,
        cert,
        revokedAt,
        reason,
        one.getCertID().getSerialNumber().toString(16).toUpperCase(Locale.ROOT),
        name,
        name == null && h != null ? HexFormat.of().formatHex(h) : null,
        signer != null,
        signature,
        basic.getProducedAt().toInstant(),
        one.getThisUpdate().toInstant(),
        one.getNextUpdate() == null ? null : one.getNextUpdate().toInstant(),
        null);
  }

  private static CertificateStatus failed(int type, String problem) {
    return new CertificateStatus(
        type, null, null, null, null, null, null, null, false, null, null, null, null, problem);
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
