/**
 * The lab's public-key infrastructure, on BouncyCastle: a lab certificate authority, the server,
 * client and class certificates it signs, and the tools to look inside certificates and check them.
 *
 * <p>Start with {@link tlslab.pki.LabCertificates} (what a CA is for and what {@code lab certs
 * init} writes), then {@link tlslab.pki.CertificateSummary} (the fields of a certificate and what
 * they mean) and {@link tlslab.pki.CertificateVerifier} (how a TLS client decides to trust a
 * certificate, check by check). File formats: PEM (RFC 7468) with PKCS#8 keys (RFC 5208) and
 * PKCS#12 (RFC 7292); certificates follow RFC 5280, host names RFC 6125.
 *
 * <p>BouncyCastle is used through one provider instance passed explicitly to every call; it is
 * never registered globally, so JSSE's own provider choices stay untouched. Everything in {@code
 * tlslab.pki.internal} is an implementation detail.
 */
package tlslab.pki;
