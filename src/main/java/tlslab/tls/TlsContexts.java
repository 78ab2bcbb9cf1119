package tlslab.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import tlslab.common.LabException;

/**
 * Builds JSSE {@link SSLContext}s and {@link SSLEngine}s from the lab's certificate folder (see
 * {@code lab certs init}): {@code server.p12} holds the server's key and chain, {@code
 * truststore.p12} and {@code ca.pem} the lab CA. Every store the lab writes uses the password
 * {@value #STORE_PASSWORD}.
 *
 * <p>A context says <em>who we are</em> (key managers) and <em>whom we trust</em> (trust managers);
 * an engine made from it gets the profile's versions and suites, and on the client the hostname
 * check (RFC 6125, JSSE's "HTTPS" endpoint identification).
 */
public final class TlsContexts {
  /** Password of every PKCS#12 store the lab writes. */
  public static final String STORE_PASSWORD = "changeit";

  static {
    JsseSetup.refuseClientRenegotiation(); // before any server handshake in this process
  }

  private TlsContexts() {}

  /**
   * A server context: key and chain from {@code certsDir/server.p12}, trusting the lab CA from
   * {@code certsDir/truststore.p12} for client certificates.
   */
  public static SSLContext server(Path certsDir) {
    KeyStore keys = loadPkcs12(certsDir.resolve("server.p12"));
    KeyStore trust = loadPkcs12(certsDir.resolve("truststore.p12"));
    return context(keyManagers(keys), trustManagers(trust));
  }

  /**
   * A server context for {@code profile} as {@link #server(Path)} whose engines come from {@code
   * engine}: JSSE, or native BoringSSL ({@link TlsEngine#BORINGSSL}, which the trace and key log
   * cannot see into).
   */
  public static SSLContext server(Path certsDir, TlsEngine engine, TlsProfile profile) {
    if (engine == TlsEngine.JSSE) {
      return server(certsDir);
    }
    KeyStore keys = loadPkcs12(certsDir.resolve("server.p12"));
    KeyStore trust = loadPkcs12(certsDir.resolve("truststore.p12"));
    // The native context is fixed to the profile's versions and suites as well as each engine:
    // an engine's TLS 1.3-only suite list leaves BoringSSL's TLS 1.2 defaults in place.
    return BoringSsl.server(keys, trust, profile.protocols(), profile.cipherSuites());
  }

  /**
   * A server context as {@link #server(Path)}, optionally stapling OCSP responses for its own
   * certificate ({@link Stapling}) and checking client certificates for revocation.
   */
  public static SSLContext server(Path certsDir, boolean staple, RevocationPolicy clientCerts) {
    KeyStore keys = loadPkcs12(certsDir.resolve("server.p12"));
    KeyStore trust = loadPkcs12(certsDir.resolve("truststore.p12"));
    TrustManager[] tm =
        clientCerts.enabled() ? RevocationTrust.of(trust, clientCerts) : trustManagers(trust);
    KeyManager[] km = keyManagers(keys);
    return staple ? Stapling.withServerStapling(() -> context(km, tm)) : context(km, tm);
  }

  /**
   * A client context as {@link #client(Path, Path, boolean)} that also checks the server
   * certificate for revocation (a stapled OCSP response first) unless {@code insecure}.
   */
  public static SSLContext client(
      Path caPem, Path clientKeyStore, boolean insecure, RevocationPolicy revocation) {
    if (insecure || !revocation.enabled()) {
      return client(caPem, clientKeyStore, insecure);
    }
    KeyManager[] km = clientKeyStore == null ? null : keyManagers(loadPkcs12(clientKeyStore));
    TrustManager[] tm = RevocationTrust.of(trustStoreOf(caPem), revocation);
    return Stapling.withClientStatusRequest(() -> context(km, tm));
  }

  /**
   * A client context.
   *
   * @param caPem the CA certificate(s) to trust, in PEM; ignored when {@code insecure}
   * @param clientKeyStore a PKCS#12 file with the client's key and chain for mutual TLS, or null
   * @param insecure trust any certificate, like the report's client; for teaching only
   */
  public static SSLContext client(Path caPem, Path clientKeyStore, boolean insecure) {
    KeyManager[] km = clientKeyStore == null ? null : keyManagers(loadPkcs12(clientKeyStore));
    TrustManager[] tm =
        insecure ? new TrustManager[] {new TrustAnything()} : trustManagers(trustStoreOf(caPem));
    return context(km, tm);
  }

  /** A server-side engine with the profile's versions and suites and the client-auth mode. */
  public static SSLEngine serverEngine(SSLContext ctx, TlsProfile profile, ClientAuth auth) {
    SSLEngine engine = ctx.createSSLEngine();
    engine.setUseClientMode(false);
    if (BoringSsl.isNative(ctx, profile)) {
      // Built for this profile: its versions and suites are the context's already; setting them
      // again costs a cipher-string parse per connection (measured: a fifth of the Java time).
      engine.setNeedClientAuth(auth == ClientAuth.NEED);
      if (auth == ClientAuth.WANT) {
        engine.setWantClientAuth(true);
      }
      return engine;
    }
    engine.setSSLParameters(
        serverParameters(
            engine.getSSLParameters(), engine.getSupportedCipherSuites(), profile, auth));
    return engine;
  }

  /**
   * A server-side {@link SSLSocket} over an accepted socket (closing it closes {@code raw}), with
   * exactly the parameters of {@link #serverEngine}: {@code lab trace} uses sockets, the chat
   * server engines, and both must speak the same profile.
   */
  public static SSLSocket serverSocket(
      SSLContext ctx, Socket raw, TlsProfile profile, ClientAuth auth) {
    SSLSocket tls = wrap(ctx, raw, null, raw.getPort());
    tls.setUseClientMode(false);
    tls.setSSLParameters(
        serverParameters(tls.getSSLParameters(), tls.getSupportedCipherSuites(), profile, auth));
    return tls;
  }

  /**
   * A client-side engine for {@code host:port}. Unless {@code insecure}, the server's certificate
   * must name {@code host} (RFC 6125); the name also goes into SNI when it is a DNS name.
   */
  public static SSLEngine clientEngine(
      SSLContext ctx, TlsProfile profile, String host, int port, boolean insecure) {
    SSLEngine engine = ctx.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    engine.setSSLParameters(
        clientParameters(
            engine.getSSLParameters(), engine.getSupportedCipherSuites(), profile, host, insecure));
    return engine;
  }

  /**
   * A client-side {@link SSLSocket} over a connected socket, with the parameters of {@link
   * #clientEngine}; {@code host} and {@code port} also key JSSE's client session cache, which
   * resumption needs.
   */
  public static SSLSocket clientSocket(
      SSLContext ctx, Socket raw, TlsProfile profile, String host, int port) {
    SSLSocket tls = wrap(ctx, raw, host, port);
    tls.setUseClientMode(true);
    tls.setSSLParameters(
        clientParameters(
            tls.getSSLParameters(), tls.getSupportedCipherSuites(), profile, host, false));
    return tls;
  }

  private static SSLSocket wrap(SSLContext ctx, Socket raw, String host, int port) {
    try {
      return (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true);
    } catch (java.io.IOException e) {
      throw LabException.network("cannot layer TLS over the socket: " + e.getMessage(), e);
    }
  }

  private static SSLParameters serverParameters(
      SSLParameters p, String[] supported, TlsProfile profile, ClientAuth auth) {
    p.setProtocols(profile.protocols());
    p.setCipherSuites(supported(supported, profile));
    p.setUseCipherSuitesOrder(true);
    p.setNeedClientAuth(auth == ClientAuth.NEED);
    if (auth == ClientAuth.WANT) {
      p.setWantClientAuth(true);
    }
    return p;
  }

  private static SSLParameters clientParameters(
      SSLParameters p, String[] supported, TlsProfile profile, String host, boolean insecure) {
    p.setProtocols(profile.protocols());
    p.setCipherSuites(supported(supported, profile));
    if (!insecure) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (isDnsName(host)) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    return p;
  }

  /** The profile's suites that this JDK supports; an empty result is an environment problem. */
  private static String[] supported(String[] supportedByJdk, TlsProfile profile) {
    List<String> available = List.of(supportedByJdk);
    String[] wanted =
        Arrays.stream(profile.cipherSuites()).filter(available::contains).toArray(String[]::new);
    if (wanted.length == 0) {
      throw LabException.environment(
          "this JDK supports none of the cipher suites of profile '" + profile + "'");
    }
    if (profile == TlsProfile.REPORT
        && !JsseSetup.reportSuiteEnabled()
        && disabledByPolicy(TlsProfile.REPORT_SUITE)) {
      throw LabException.environment(
          "this JDK disables "
              + TlsProfile.REPORT_SUITE
              + " (jdk.tls.disabledAlgorithms); JsseSetup.prepare(true, ...) must run first");
    }
    return wanted;
  }

  private static boolean disabledByPolicy(String suite) {
    String disabled = java.security.Security.getProperty("jdk.tls.disabledAlgorithms");
    return disabled != null && (disabled.contains("TLS_RSA_*") || disabled.contains(suite));
  }

  /** SNI carries DNS names only, never IP literals (RFC 6066 §3). */
  static boolean isDnsName(String host) {
    return host != null && !host.isEmpty() && !host.contains(":") && !host.matches("[0-9.]+");
  }

  private static SSLContext context(KeyManager[] km, TrustManager[] tm) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(km, tm, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new AssertionError("JSSE has no TLS context", e);
    }
  }

  /** Loads a PKCS#12 store written by the lab, with its documented password. */
  public static KeyStore loadPkcs12(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, STORE_PASSWORD.toCharArray());
      return ks;
    } catch (NoSuchFileException e) {
      throw LabException.badInput(
          file + ": no such file (create the lab certificates with: lab certs init)");
    } catch (IOException | GeneralSecurityException e) {
      // A file that is not DER at all gives an IOException without a message: "(null)" was shown.
      throw LabException.badInput(
          file
              + ": not a PKCS#12 store readable with the lab password"
              + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
          e);
    }
  }

  /** A trust store holding every certificate of a PEM file. */
  public static KeyStore trustStoreOf(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw LabException.badInput(caPem + ": no certificate found");
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      return ks;
    } catch (NoSuchFileException e) {
      throw LabException.badInput(
          caPem + ": no such file (create the lab certificates with: lab certs init)");
    } catch (IOException | GeneralSecurityException e) {
      throw LabException.badInput(caPem + ": not a PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  private static KeyManager[] keyManagers(KeyStore ks) {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, STORE_PASSWORD.toCharArray());
      return kmf.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw LabException.badInput("key store unusable: " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trustManagers(KeyStore ks) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw LabException.badInput("trust store unusable: " + e.getMessage(), e);
    }
  }

  /** The report's client: accepts any certificate for any name. Never the default. */
  private static final class TrustAnything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
