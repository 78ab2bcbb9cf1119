package tlslab.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import tlslab.common.LabException;

/**
 * The {@link TlsEngine#BORINGSSL} engine: a {@link SSLContext} whose engines are netty's {@code
 * OpenSslEngine} over BoringSSL (netty-tcnative, statically linked). Only engines: no sockets, no
 * {@code init} (the key and trust are fixed when it is built). Engines it makes get the profile's
 * versions and suites from {@link TlsContexts#serverEngine} like JSSE's, through the same {@code
 * SSLParameters}.
 *
 * <p>Why a native engine: a TLS 1.2 ECDHE-RSA handshake costs JSSE on JDK 17 about 3 ms of server
 * CPU (X25519 in Java about half of it, RSA-2048 signing most of the rest); BoringSSL does the same
 * handshake in well under a millisecond (docs/HANDSHAKES.md has the profile).
 */
final class BoringSsl {
  private BoringSsl() {}

  /** Fails with an environment error when the native library cannot be loaded here. */
  static void requireAvailable() {
    if (!OpenSsl.isAvailable()) {
      Throwable cause = OpenSsl.unavailabilityCause();
      throw LabException.environment(
          "engine boringssl: netty-tcnative's native library does not load on this machine ("
              + (cause == null ? "unknown cause" : cause.toString())
              + "); use --engine jsse");
    }
  }

  /** A server context with the key and chain of {@code keys} (alias "server") and {@code trust}. */
  static SSLContext server(
      KeyStore keys, KeyStore trust, String[] protocols, String[] cipherSuites) {
    requireAvailable();
    try {
      keyAlias(keys); // fails clearly when the store holds no key
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, TlsContexts.STORE_PASSWORD.toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SslContext ctx =
          // The caching factory hands BoringSSL the key and chain parsed once; netty's plain
          // provider re-encodes and re-parses them for every handshake (measured: about 1 ms).
          SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(kmf))
              .sslProvider(SslProvider.OPENSSL)
              .trustManager(tmf)
              .protocols(protocols)
              .ciphers(java.util.List.of(cipherSuites))
              // Certificate selection and client-certificate checks run inline rather than as
              // delegated tasks: a task costs two thread hand-offs per handshake, and these
              // callbacks are short (no I/O).
              .option(OpenSslContextOption.USE_TASKS, false)
              .build();
      // netty turns session tickets off unless keys are set; with none given, BoringSSL makes and
      // rotates its own. JSSE and s_server both issue tickets (RFC 5077, RFC 8446 §4.6.1), and
      // the lab shows the New Session Ticket message, so the native engine issues them too.
      if (ctx.sessionContext() instanceof OpenSslSessionContext) {
        ((OpenSslSessionContext) ctx.sessionContext()).setTicketKeys();
      }
      return new NativeContext(new Spi(ctx), protocols, cipherSuites);
    } catch (SSLException e) {
      throw LabException.environment("engine boringssl: cannot build a context: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw LabException.badInput("key store unusable for engine boringssl: " + e.getMessage(), e);
    }
  }

  /** Whether {@code ctx} is a native context built for exactly {@code profile}. */
  static boolean isNative(SSLContext ctx, TlsProfile profile) {
    if (!(ctx instanceof NativeContext)) {
      return false;
    }
    NativeContext n = (NativeContext) ctx;
    return Arrays.equals(n.protocols, profile.protocols())
        && Arrays.equals(n.cipherSuites, profile.cipherSuites());
  }

  /** The context, with the versions and suites it was built for. */
  private static final class NativeContext extends SSLContext {
    final String[] protocols;
    final String[] cipherSuites;

    NativeContext(Spi spi, String[] protocols, String[] cipherSuites) {
      super(spi, PROVIDER, "TLS");
      this.protocols = protocols.clone();
      this.cipherSuites = cipherSuites.clone();
    }
  }

  private static String keyAlias(KeyStore keys) throws GeneralSecurityException {
    if (keys.isKeyEntry("server")) {
      return "server";
    }
    for (String a : java.util.Collections.list(keys.aliases())) {
      if (keys.isKeyEntry(a)) {
        return a;
      }
    }
    throw LabException.badInput("key store has no private key entry");
  }

  private static final Provider PROVIDER = new NativeProvider();

  /** Names the engine in {@code SSLContext.getProvider()}; registers no services. */
  private static final class NativeProvider extends Provider {
    private static final long serialVersionUID = 1L;

    NativeProvider() {
      super("BoringSSL", "1.0", "netty-tcnative BoringSSL engines for the lab");
    }
  }

  /**
   * Engines only. The engine copies the driver's heap buffers into direct ones for BoringSSL; a
   * pooled allocator keeps that from costing a native allocation per wrap and unwrap.
   */
  private static final class Spi extends SSLContextSpi {
    private final SslContext ctx;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    Spi(SslContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
        throws KeyManagementException {
      throw new KeyManagementException("engine boringssl: the context is built initialised");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("engine boringssl makes SSLEngines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("engine boringssl makes SSLEngines only");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return ctx.newEngine(alloc);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return ctx.newEngine(alloc, host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return ctx.sessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return null;
    }
  }
}
