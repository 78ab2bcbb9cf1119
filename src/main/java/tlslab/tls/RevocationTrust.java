package tlslab.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import tlslab.common.LabException;

/**
 * A JSSE trust manager that also checks revocation, built from the JDK's own PKIX machinery: the
 * trust anchors in a key store, {@link PKIXBuilderParameters} with revocation enabled and a {@link
 * PKIXRevocationChecker}. JSSE hands the checker any OCSP response stapled in the handshake
 * (Certificate Status), so with a stapling server no extra network request is needed; otherwise the
 * checker asks the OCSP responder named in the certificate's AIA extension (RFC 6960), or uses the
 * CRL files given.
 *
 * <p>Options, per {@link RevocationPolicy}: {@code ONLY_END_ENTITY} (the lab CA is itself the trust
 * anchor, which is never checked), {@code SOFT_FAIL} for soft mode, and {@code PREFER_CRLS} +
 * {@code NO_FALLBACK} when CRL files are given (so the server checking client certificates never
 * waits for the network). CRL files are re-read when their modification time changes.
 */
final class RevocationTrust extends X509ExtendedTrustManager {
  private final KeyStore anchors;
  private final RevocationPolicy policy;
  private volatile List<FileTime> loadedTimes = List.of();
  private volatile X509ExtendedTrustManager delegate;

  private RevocationTrust(KeyStore anchors, RevocationPolicy policy) {
    this.anchors = anchors;
    this.policy = policy;
    this.delegate = build();
  }

  /** Trust managers for {@code anchors} that check revocation per {@code policy}. */
  static TrustManager[] of(KeyStore anchors, RevocationPolicy policy) {
    return new TrustManager[] {new RevocationTrust(anchors, policy)};
  }

  private X509ExtendedTrustManager current() {
    if (!policy.crls().isEmpty() && !times().equals(loadedTimes)) {
      synchronized (this) {
        if (!times().equals(loadedTimes)) {
          delegate = build();
        }
      }
    }
    return delegate;
  }

  private List<FileTime> times() {
    List<FileTime> out = new ArrayList<>();
    for (Path p : policy.crls()) {
      try {
        out.add(Files.getLastModifiedTime(p));
      } catch (IOException e) {
        out.add(FileTime.fromMillis(-1));
      }
    }
    return out;
  }

  private X509ExtendedTrustManager build() {
    List<FileTime> times = times();
    try {
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
      params.setRevocationEnabled(true);
      PKIXRevocationChecker checker =
          (PKIXRevocationChecker) CertPathBuilder.getInstance("PKIX").getRevocationChecker();
      Set<PKIXRevocationChecker.Option> options =
          EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY);
      if (policy.mode() == RevocationPolicy.Mode.SOFT) {
        options.add(PKIXRevocationChecker.Option.SOFT_FAIL);
      }
      if (!policy.crls().isEmpty()) {
        options.add(PKIXRevocationChecker.Option.PREFER_CRLS);
        options.add(PKIXRevocationChecker.Option.NO_FALLBACK);
        params.addCertStore(
            CertStore.getInstance(
                "Collection", new CollectionCertStoreParameters(readCrls(policy.crls()))));
      }
      checker.setOptions(options);
      params.addCertPathChecker(checker);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(new CertPathTrustManagerParameters(params));
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          loadedTimes = times;
          return x;
        }
      }
      throw new AssertionError("the PKIX trust manager factory made no X509ExtendedTrustManager");
    } catch (GeneralSecurityException e) {
      throw LabException.badInput("trust store unusable for revocation checks: " + e.getMessage());
    }
  }

  private static Collection<CRL> readCrls(List<Path> files) {
    List<CRL> out = new ArrayList<>();
    for (Path p : files) {
      try (InputStream in = Files.newInputStream(p)) {
        Collection<? extends CRL> crls = CertificateFactory.getInstance("X.509").generateCRLs(in);
        if (crls.isEmpty()) {
          throw LabException.badInput(p + ": no CRL in this file (write one with lab certs crl)");
        }
        out.addAll(crls);
      } catch (java.nio.file.NoSuchFileException e) {
        throw LabException.badInput(p + ": no such file (write it with: lab certs crl)");
      } catch (IOException | CertificateException | java.security.cert.CRLException e) {
        throw LabException.badInput(p + ": not a CRL (" + e.getMessage() + ")");
      }
    }
    return out;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current().checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return current().getAcceptedIssuers();
  }
}
