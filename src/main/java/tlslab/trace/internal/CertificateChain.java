package tlslab.trace.internal;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import tlslab.pki.CertificateSummary;

/**
 * The certificate chain a Certificate message carried, read back from the connection's session, as
 * SHA-256 fingerprints.
 *
 * <p>Why the session: JSSE's debug record for a Certificate message holds formatted text (subject,
 * issuer, validity), not the DER, and in TLS 1.3 the message is encrypted on the wire (RFC 8446
 * §4.4.2). Once JSSE has processed the message, the handshake session holds the chain: the local
 * one after producing it, the peer's after consuming (and validating) it.
 */
public final class CertificateChain {

  private CertificateChain() {}

  /**
   * The fingerprints of the chain {@code transport} (an {@link SSLEngine} or {@link SSLSocket})
   * sent ({@code local}) or received, leaf first, from the handshake in progress; empty when there
   * is none or it holds no such chain (yet).
   */
  public static List<String> sha256(Object transport, boolean local) {
    SSLSession s = null;
    if (transport instanceof SSLEngine e) {
      s = e.getHandshakeSession();
    } else if (transport instanceof SSLSocket k) {
      // Never getSession() here: on a socket it would start a handshake.
      s = k.getHandshakeSession();
    }
    return sha256(s, local);
  }

  /** The fingerprints of the chain sent ({@code local}) or received in {@code s}; null: empty. */
  public static List<String> sha256(SSLSession s, boolean local) {
    if (s == null) {
      return List.of();
    }
    Certificate[] chain;
    try {
      chain = local ? s.getLocalCertificates() : s.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
    return chain == null ? List.of() : sha256(chain);
  }

  /**
   * Colon-separated upper-case hex SHA-256 of each certificate's DER encoding, computed where every
   * fingerprint in the lab is: {@link CertificateSummary#sha256Fingerprint}.
   */
  public static List<String> sha256(Certificate[] chain) {
    List<String> out = new ArrayList<>(chain.length);
    for (Certificate c : chain) {
      if (!(c instanceof X509Certificate x)) return List.of(); // JSSE only ever hands X.509
      out.add(CertificateSummary.sha256Fingerprint(x));
    }
    return out;
  }
}
