package tlslab.pki.internal;

import java.net.URI;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds the three kinds of X.509 v3 certificates (RFC 5280) the lab needs: the self-signed lab CA,
 * a TLS server certificate and a TLS client certificate. What each extension is for:
 *
 * <ul>
 *   <li>basicConstraints (4.2.1.9): only a certificate with {@code CA:true} may sign others; it is
 *       critical so that software that does not understand it must reject the certificate.
 *   <li>keyUsage (4.2.1.3): what the key may do. A CA signs certificates and CRLs ({@code
 *       keyCertSign}, {@code cRLSign}); a TLS key signs handshakes ({@code digitalSignature}) and,
 *       for RSA key transport (TLS_RSA suites), decrypts the pre-master secret ({@code
 *       keyEncipherment}).
 *   <li>extKeyUsage (4.2.1.12): {@code serverAuth} or {@code clientAuth}; JSSE and browsers check
 *       it.
 *   <li>subjectAltName (4.2.1.6): the names a client compares the host name with (RFC 6125).
 *   <li>subject/authority key identifiers (4.2.1.1-2): link a certificate to its issuer's key.
 *   <li>authorityInfoAccess (4.2.2.1) and cRLDistributionPoints (4.2.1.13): where to ask whether
 *       the certificate has been revoked (OCSP responder, CRL).
 * </ul>
 */
public final class CertIssuer {
  /**
   * notBefore is back-dated a little so that a peer whose clock is a few minutes behind still
   * accepts a fresh certificate; notAfter counts the days from now.
   */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private CertIssuer() {}

  /** An X.500 name with CN and O (and optional OU and UID), escaped by BouncyCastle. */
  public static X500Name name(String commonName, String organisationalUnit, String uid) {
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
    b.addRDN(BCStyle.O, "TLS Lab");
    if (organisationalUnit != null) {
      b.addRDN(BCStyle.OU, organisationalUnit);
    }
    if (uid != null) {
      b.addRDN(BCStyle.UID, uid);
    }
    b.addRDN(BCStyle.CN, commonName);
    return b.build();
  }

  /** A self-signed CA certificate valid for {@code days}. */
  public static X509Certificate selfSignedCa(KeyPair ca, X500Name subject, int days) {
    Instant now = now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(
              subject,
              subject,
              ca.getPublic(),
              now.minus(CLOCK_SKEW),
              now.plus(Duration.ofDays(days)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(ca.getPublic()));
      return sign(b, ca.getPrivate());
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new AssertionError("building the CA certificate failed", e);
    }
  }

  /**
   * A leaf certificate for a TLS server ({@code serverAuth=true}) or client, signed by the CA.
   * Validity is clipped to the CA's, since a certificate cannot outlive its issuer usefully. It
   * carries no revocation addresses; see the overload with {@link RevocationUrls}.
   */
  public static X509Certificate leaf(
      X509Certificate caCert,
      PrivateKey caKey,
      PublicKey subjectKey,
      X500Name subject,
      List<String> sans,
      boolean serverAuth,
      int days) {
    return leaf(caCert, caKey, subjectKey, subject, sans, serverAuth, days, null, null);
  }

  /**
   * Like the overload without URLs, and, when {@code ocspUrl} and {@code crlUrl} are not null, with
   * the Authority Information Access extension naming the OCSP responder (RFC 5280 4.2.2.1) and the
   * CRL Distribution Points extension (4.2.1.13): where a client asks whether this certificate has
   * been revoked.
   */
  public static X509Certificate leaf(
      X509Certificate caCert,
      PrivateKey caKey,
      PublicKey subjectKey,
      X500Name subject,
      List<String> sans,
      boolean serverAuth,
      int days,
      URI ocspUrl,
      URI crlUrl) {
    Instant now = now();
    Instant notBefore = now.minus(CLOCK_SKEW);
    Instant notAfter = now.plus(Duration.ofDays(days));
    Instant caEnd = caCert.getNotAfter().toInstant();
    if (notAfter.isAfter(caEnd)) {
      notAfter = caEnd;
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(
              X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
              subject,
              subjectKey,
              notBefore,
              notAfter);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      boolean rsa = "RSA".equals(subjectKey.getAlgorithm());
      // keyEncipherment only makes sense for RSA: an EC key cannot encrypt a pre-master secret.
      int usage = KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : 0);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              serverAuth ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      if (sans != null && !sans.isEmpty()) {
        GeneralName[] names = sans.stream().map(Names::generalName).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      if (ocspUrl != null && crlUrl != null) {
        b.addExtension(
            Extension.authorityInfoAccess,
            false,
            new AuthorityInformationAccess(
                AccessDescription.id_ad_ocsp,
                new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl.toString())));
        GeneralNames crl =
            new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl.toString()));
        b.addExtension(
            Extension.cRLDistributionPoints,
            false,
            new CRLDistPoint(
                new DistributionPoint[] {
                  new DistributionPoint(new DistributionPointName(crl), null, null)
                }));
      }
      return sign(b, caKey);
    } catch (CertIOException | NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new AssertionError("building a leaf certificate failed", e);
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key, Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        issuer, Crypto.randomSerial(), Date.from(notBefore), Date.from(notAfter), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) {
    try {
      ContentSigner cs =
          new JcaContentSignerBuilder(Crypto.signatureAlgorithm(signer))
              .setProvider(Crypto.BC)
              .build(signer);
      return PemIo.toX509(b.build(cs).getEncoded(), null);
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new AssertionError("signing a certificate failed", e);
    }
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }
}
