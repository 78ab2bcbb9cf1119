package tlslab.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import tlslab.common.LabException;
import tlslab.pki.internal.CaRecords;
import tlslab.pki.internal.CaSigning;
import tlslab.pki.internal.LabCa;
import tlslab.pki.internal.SecureFiles;

/**
 * Revoking lab certificates and publishing the fact.
 *
 * <p>A certificate says "this key belongs to this name until notAfter". When the key leaks, or a
 * student's bundle went to the wrong person, that statement must be withdrawn before notAfter: the
 * CA <em>revokes</em> the certificate. Revocation is only as good as its publication; a client
 * learns about it in one of two ways (RFC 5280, RFC 6960):
 *
 * <ul>
 *   <li>a <b>CRL</b> (certificate revocation list, RFC 5280 section 5): one signed list of every
 *       revoked serial, with thisUpdate and nextUpdate. {@link #writeCrl} writes it; the client
 *       downloads it from the CRL distribution point or is given the file.
 *   <li><b>OCSP</b> (RFC 6960): the client asks about one certificate and gets a signed answer:
 *       good, revoked or unknown. {@link OcspResponder} signs these answers; with OCSP stapling
 *       (RFC 6066 section 8) the server fetches the answer itself and sends it in the handshake as
 *       the Certificate Status message.
 * </ul>
 *
 * Revocations are kept in {@code revoked.tsv} in the CA folder; a revocation is final.
 */
public final class Revocations {
  /** The CRL's file names in the CA folder. */
  public static final String CRL_PEM = "crl.pem";

  public static final String CRL_DER = "crl.der";

  /** How long a CRL or OCSP answer is valid by default: clients fetch a new one after this. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);

  private Revocations() {}

  /** One revoked certificate. */
  public record Revoked(String serial, Instant at, RevocationReason reason, String subject) {}

  /** A CRL as written: where, when, how many entries. */
  public record CrlFile(Path pem, Path der, Instant thisUpdate, Instant nextUpdate, int entries) {}

  /**
   * Revokes the certificate with this serial (hex, as {@code lab certs show} and {@code openssl
   * x509 -serial} print it; colons and a {@code 0x} prefix are allowed).
   *
   * @throws LabException BAD_INPUT when the serial is not one this CA issued (per {@code
   *     issued.tsv}); REFUSED when it is already revoked
   */
  public static Revoked revokeSerial(Path caDir, String serial, RevocationReason reason) {
    LabCa.load(caDir);
    String s = normaliseSerial(serial);
    Map<String, CaRecords.Issued> issued = CaRecords.issued(caDir);
    CaRecords.Issued known = issued.get(s);
    if (known == null) {
      throw LabException.badInput(
          "serial "
              + s
              + " was not issued by the lab CA in "
              + caDir
              + " (not in "
              + CaRecords.ISSUED
              + "); give the certificate file instead to revoke it");
    }
    return record(caDir, s, known.subject(), reason);
  }

  /**
   * Revokes the certificate in a PEM file; it must have been signed by this CA.
   *
   * @throws LabException BAD_INPUT when the file is no certificate of this CA; REFUSED when it is
   *     already revoked
   */
  public static Revoked revokeCertificate(Path caDir, Path certFile, RevocationReason reason) {
    LabCa ca = LabCa.load(caDir);
    X509Certificate cert = CertificateFile.read(certFile, null).leaf();
    try {
      cert.verify(ca.cert().getPublicKey(), tlslab.pki.internal.Crypto.BC);
    } catch (java.security.GeneralSecurityException e) {
      throw LabException.badInput(
          certFile + ": not signed by the lab CA in " + caDir + " (its signature does not verify)");
    }
    if (cert.equals(ca.cert())) {
      throw LabException.badInput(certFile + ": is the lab CA itself; a CA does not revoke itself");
    }
    return record(
        caDir,
        CaRecords.serialOf(cert),
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
        reason);
  }

  private static Revoked record(
      Path caDir, String serial, String subject, RevocationReason reason) {
    CaRecords.Revoked before = CaRecords.revoked(caDir).get(serial);
    if (before != null) {
      throw LabException.refused(
          "serial "
              + serial
              + " ("
              + subject
              + ") was already revoked at "
              + before.at()
              + " ("
              + RevocationReason.ofCode(before.reasonCode()).rfcName()
              + "); a revocation is final");
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CaRecords.recordRevoked(caDir, new CaRecords.Revoked(serial, now, reason.code(), subject));
    return new Revoked(serial, now, reason, subject);
  }

  /** Every revocation recorded in {@code caDir}, oldest first. */
  public static List<Revoked> list(Path caDir) {
    List<Revoked> out = new ArrayList<>();
    for (CaRecords.Revoked r : CaRecords.revoked(caDir).values()) {
      out.add(
          new Revoked(r.serial(), r.at(), RevocationReason.ofCode(r.reasonCode()), r.subject()));
    }
    return List.copyOf(out);
  }

  /**
   * Writes a freshly signed CRL to {@code crl.pem} and {@code crl.der} in the CA folder.
   *
   * @param validity time until nextUpdate, when clients should fetch a newer list
   */
  public static CrlFile writeCrl(Path caDir, Duration validity) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    LabCa ca = LabCa.load(caDir);
    List<CaRecords.Revoked> entries = List.copyOf(CaRecords.revoked(caDir).values());
    byte[] der = crl(ca, entries, now, validity);
    Path pem = caDir.resolve(CRL_PEM);
    Path derFile = caDir.resolve(CRL_DER);
    SecureFiles.writePublic(derFile, der);
    SecureFiles.writePublic(pem, pem("X509 CRL", der));
    return new CrlFile(pem, derFile, now, now.plus(validity), entries.size());
  }

  /** A freshly signed CRL of the CA in {@code caDir}, DER-encoded (what {@code /crl} serves). */
  public static byte[] crl(Path caDir, Duration validity) {
    return crl(
        LabCa.load(caDir),
        List.copyOf(CaRecords.revoked(caDir).values()),
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        validity);
  }

  /**
   * RFC 5280 section 5.1: a v2 CRL whose issuer is the CA's subject, byte for byte, with the
   * authority key identifier (5.2.1) and a CRL number (5.2.3) that only grows (the issue time in
   * milliseconds, so no counter file can get out of step). Each entry has its reason code (5.3.1).
   */
  static byte[] crl(LabCa ca, List<CaRecords.Revoked> entries, Instant now, Duration validity) {
    X509v2CRLBuilder b =
        new X509v2CRLBuilder(
            X500Name.getInstance(ca.cert().getSubjectX500Principal().getEncoded()), Date.from(now));
    b.setNextUpdate(Date.from(now.plus(validity)));
    for (CaRecords.Revoked r : entries) {
      b.addCRLEntry(r.serialNumber(), Date.from(r.at()), r.reasonCode());
    }
    try {
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.cert()));
      b.addExtension(
          Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
      X509CRLHolder h = b.build(CaSigning.signer(ca.key()));
      return h.getEncoded();
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new AssertionError("building the CRL failed", e);
    }
  }

  /** Upper-case hex without separators; rejects anything that is not a positive hex number. */
  static String normaliseSerial(String text) {
    String s = text == null ? "" : text.trim().replace(":", "").toUpperCase(Locale.ROOT);
    if (s.startsWith("0X")) {
      s = s.substring(2);
    }
    if (!s.matches("[0-9A-F]{1,40}")) {
      throw LabException.badInput(
          "serial '" + text + "': expected hex digits, as 'lab certs show' prints the serial");
    }
    return new BigInteger(s, 16).toString(16).toUpperCase(Locale.ROOT);
  }

  static byte[] pem(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
