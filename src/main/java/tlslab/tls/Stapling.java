package tlslab.tls;

import java.net.URI;
import java.util.function.Supplier;

/**
 * OCSP stapling in JSSE (RFC 6066 section 8, the {@code status_request} extension), switched on
 * through JSSE's system properties, measured on JDK 17.0.15 and 25.0.3:
 *
 * <ul>
 *   <li>{@code jdk.tls.server.enableStatusRequestExtension} (default false) and {@code
 *       jdk.tls.client.enableStatusRequestExtension} (default true) are read when an {@code
 *       SSLContext} is <em>created</em> ({@code SSLContext.getInstance}), per context. So {@link
 *       #withServerStapling} sets the server one just around the creation of one context and puts
 *       the old value back: other contexts in the process are unaffected.
 *   <li>A stapling server fetches the OCSP response itself, from the URL in its certificate's AIA
 *       extension, while it processes the Client Hello (so the first handshake waits for the
 *       responder, up to {@code jdk.tls.stapling.responseTimeout}, default 5000 ms), and caches it
 *       (default one hour, {@code jdk.tls.stapling.cacheLifetime}) and never beyond its nextUpdate.
 *       If the responder cannot be reached the handshake goes on without a Certificate Status.
 *   <li>{@code jdk.tls.stapling.responderURI} with {@code jdk.tls.stapling.responderOverride=true}
 *       makes the server ask another responder; these and the cache lifetime are read once per
 *       context, at its first stapled handshake, so {@link #configureServer} must run before that.
 * </ul>
 *
 * There is no {@code jdk.tls.stapling.enable} property; the switch is the server one above.
 */
public final class Stapling {
  static final String SERVER_ENABLE = "jdk.tls.server.enableStatusRequestExtension";
  static final String CLIENT_ENABLE = "jdk.tls.client.enableStatusRequestExtension";
  private static final Object LOCK = new Object();

  private Stapling() {}

  /**
   * Process-wide stapling settings for servers; call before the first handshake of a stapling
   * server.
   *
   * @param responder ask this OCSP responder instead of the one the certificate names, or null
   * @param cacheSeconds how long a fetched response is reused; after a revocation a stapling server
   *     may go on stapling the old "good" for this long
   */
  public static void configureServer(URI responder, int cacheSeconds) {
    if (responder != null) {
      System.setProperty("jdk.tls.stapling.responderURI", responder.toString());
      System.setProperty("jdk.tls.stapling.responderOverride", "true");
    }
    System.setProperty("jdk.tls.stapling.cacheLifetime", Integer.toString(cacheSeconds));
  }

  /** Runs {@code create} (which makes one SSLContext) with server stapling switched on. */
  static <T> T withServerStapling(Supplier<T> create) {
    return with(SERVER_ENABLE, create);
  }

  /** Runs {@code create} with the client's status_request switched on (the default, made sure). */
  static <T> T withClientStatusRequest(Supplier<T> create) {
    return with(CLIENT_ENABLE, create);
  }

  private static <T> T with(String property, Supplier<T> create) {
    synchronized (LOCK) {
      String before = System.getProperty(property);
      System.setProperty(property, "true");
      try {
        return create.get();
      } finally {
        if (before == null) {
          System.clearProperty(property);
        } else {
          System.setProperty(property, before);
        }
      }
    }
  }
}
