package tlslab.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import tlslab.common.LabException;
import tlslab.pki.internal.CaRecords;
import tlslab.pki.internal.CertIssuer;
import tlslab.pki.internal.KeyStores;
import tlslab.pki.internal.LabCa;
import tlslab.pki.internal.Names;
import tlslab.pki.internal.PemIo;
import tlslab.pki.internal.SecureFiles;

/**
 * The lab's own small public-key infrastructure: one certificate authority (CA) that signs a server
 * certificate and any number of client certificates.
 *
 * <p>Why a CA and not one self-signed server certificate? In TLS the server sends its certificate
 * chain; the client accepts it only if the chain ends at a certificate it already trusts (a "trust
 * anchor") and every signature on the way checks out (RFC 5280 section 6). With a lab CA, clients
 * trust just {@code ca.pem} (or {@code truststore.p12} for Java) once, and every certificate the CA
 * signs later (a new server key, a client for mutual TLS, a whole class of students) is trusted
 * without touching the clients again. The report's chat switched verification off ({@code
 * CERT_NONE}); with a lab CA there is no reason to.
 *
 * <p>Secrets: private keys are written as unencrypted PKCS#8 PEM files with mode 0600, and no
 * existing key is ever overwritten unless asked ({@code force}). Every PKCS#12 file the lab writes
 * uses the password {@link #STORE_PASSWORD}, the JDK's traditional default: these are teaching
 * keys, protected by file permissions, not by the password.
 */
public final class LabCertificates {
  /** Password of every {@code .p12} file the lab writes (key stores and trust stores). */
  public static final String STORE_PASSWORD = "changeit";

  /** Alias of the server key entry in {@code server.p12}. */
  public static final String SERVER_ALIAS = "server";

  /** Alias of the CA's trusted entry in {@code truststore.p12}. */
  public static final String CA_ALIAS = "lab-ca";

  /** The lab CA lives at least this long, so that server certificates never outlive it. */
  static final int CA_MIN_DAYS = 3650;

  private LabCertificates() {}

  /**
   * Creates the lab CA and the server material in {@code options.dir()}: {@code ca.pem}, {@code
   * ca.key}, {@code server.pem}, {@code server.key}, {@code cert.pem} (server key + certificate),
   * {@code server.p12} and {@code truststore.p12}. The CA and the server use the same key type; the
   * CA is valid for the longer of 10 years and {@code days}.
   *
   * @throws LabException REFUSED when any of these files exists and {@code force} is false;
   *     BAD_INPUT when the folder cannot be written
   */
  public static LabFiles init(InitOptions options) {
    LabFiles files = LabFiles.in(options.dir());
    if (!options.force()) {
      for (Path p :
          List.of(
              files.caKey(),
              files.serverKey(),
              files.combinedPem(),
              files.serverKeyStore(),
              files.caCert(),
              files.serverCert(),
              files.trustStore())) {
        if (Files.exists(p)) {
          throw LabException.refused(
              p
                  + " already exists; use --force to replace the lab CA and server keys"
                  + " (certificates signed by the old CA will stop verifying)");
        }
      }
    }
    SecureFiles.createDirectories(options.dir());

    KeyPair caPair = options.keyType().generate();
    X509Certificate ca =
        CertIssuer.selfSignedCa(
            caPair,
            CertIssuer.name("TLS Lab CA", null, null),
            Math.max(CA_MIN_DAYS, options.days()));
    KeyPair serverPair = options.keyType().generate();
    X509Certificate server =
        CertIssuer.leaf(
            ca,
            caPair.getPrivate(),
            serverPair.getPublic(),
            CertIssuer.name(options.commonName(), "server", null),
            options.sans(),
            true,
            options.days(),
            options.revocationUrls().ocsp(),
            options.revocationUrls().crl());

    char[] password = STORE_PASSWORD.toCharArray();
    // Keys first: if the disk fills up half-way, no certificate points at a key that is missing.
    SecureFiles.writePrivate(files.caKey(), PemIo.encode(caPair.getPrivate()));
    SecureFiles.writePrivate(files.serverKey(), PemIo.encode(serverPair.getPrivate()));
    SecureFiles.writePrivate(files.combinedPem(), PemIo.encode(serverPair.getPrivate(), server));
    SecureFiles.writePrivate(
        files.serverKeyStore(),
        KeyStores.keyStore(SERVER_ALIAS, serverPair.getPrivate(), password, server, ca));
    SecureFiles.writePublic(files.caCert(), PemIo.encode(null, ca));
    SecureFiles.writePublic(files.serverCert(), PemIo.encode(null, server));
    SecureFiles.writePublic(files.trustStore(), KeyStores.trustStore(CA_ALIAS, ca, password));
    // A new CA starts new ledgers: the old CA's issued and revoked serials mean nothing to it.
    options.revocationUrls().save(options.dir());
    CaRecords.reset(options.dir());
    CaRecords.recordIssued(options.dir(), server);
    return files;
  }

  /**
   * Issues a client certificate (extended key usage clientAuth, for mutual TLS) signed by the lab
   * CA in {@code dir}, with subject CN = {@code name} and a key of the same type as the CA's.
   *
   * @param name letters, digits, '.', '-', '_' (it is part of the file names)
   * @throws LabException BAD_INPUT when there is no usable CA in {@code dir} or the name is not
   *     allowed; REFUSED when the client's key exists and {@code force} is false
   */
  public static ClientFiles issueClient(Path dir, String name, boolean force) {
    return issueClient(dir, name, force, null);
  }

  /**
   * Like {@link #issueClient(Path, String, boolean)} with an explicit key type ({@code null}: the
   * CA's key type).
   */
  public static ClientFiles issueClient(Path dir, String name, boolean force, KeyType keyType) {
    Names.checkFileSafe("client name", name);
    ClientFiles files = ClientFiles.in(dir, name);
    if (!force) {
      for (Path p : List.of(files.key(), files.combinedPem(), files.keyStore(), files.cert())) {
        if (Files.exists(p)) {
          throw LabException.refused(p + " already exists; use --force to replace it");
        }
      }
    }
    LabCa ca = LabCa.load(dir);
    KeyType type = keyType != null ? keyType : KeyType.of(ca.cert().getPublicKey());
    KeyPair pair = type.generate();
    X509Certificate cert =
        CertIssuer.leaf(
            ca.cert(),
            ca.key(),
            pair.getPublic(),
            CertIssuer.name(name, "client", null),
            List.of(),
            false,
            365,
            RevocationUrls.load(dir).ocsp(),
            RevocationUrls.load(dir).crl());
    SecureFiles.writePrivate(files.key(), PemIo.encode(pair.getPrivate()));
    SecureFiles.writePrivate(files.combinedPem(), PemIo.encode(pair.getPrivate(), cert));
    SecureFiles.writePrivate(
        files.keyStore(),
        KeyStores.keyStore(name, pair.getPrivate(), STORE_PASSWORD.toCharArray(), cert, ca.cert()));
    SecureFiles.writePublic(files.cert(), PemIo.encode(null, cert));
    CaRecords.recordIssued(dir, cert);
    return files;
  }
}
