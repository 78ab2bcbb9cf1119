package tlslab.pki;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import tlslab.common.LabException;

/**
 * {@code lab ca ocsp}: the lab CA's OCSP responder and CRL distribution point, over HTTP.
 *
 * <p>HTTP server: the JDK's own {@code com.sun.net.httpserver} (module {@code jdk.httpserver},
 * exported and supported since Java 6). The responder answers a handful of requests per handshake
 * on loopback; that server is in every JDK the lab supports, needs no dependency, and its API (one
 * handler per path, a fixed thread pool) keeps this class short enough for a student to read. Netty
 * or Jetty would add a large dependency for nothing the lab needs.
 *
 * <p>Requests (RFC 6960 appendix A.1):
 *
 * <ul>
 *   <li>{@code POST /} with {@code Content-Type: application/ocsp-request} and the DER request as
 *       body (what openssl and JSSE's stapling send for large requests);
 *   <li>{@code GET /BASE64}: the DER request, base64-encoded then URL-encoded, as the last path
 *       segment (what JSSE sends when that URL is at most 255 bytes);
 *   <li>{@code GET /crl}: the CA's current CRL, freshly signed ({@code application/pkix-crl}, RFC
 *       2585).
 * </ul>
 *
 * Answers are {@code application/ocsp-response}. Bodies over 64 KiB are refused (413); anything
 * else unexpected gets 400 or 405, never a stack trace.
 */
public final class OcspServer implements AutoCloseable {
  private static final int MAX_REQUEST = 64 * 1024;
  private final HttpServer http;
  private final ExecutorService pool;

  private OcspServer(HttpServer http, ExecutorService pool) {
    this.http = http;
    this.pool = pool;
  }

  /**
   * Starts answering for the CA in {@code caDir}.
   *
   * @param bind the address to listen on (loopback by default in the CLI)
   * @param port the port, 0 for any free one
   * @param validity thisUpdate to nextUpdate of each OCSP answer and of the CRL
   * @param log one line per request (called from server threads)
   * @throws LabException NETWORK when the port is taken
   */
  public static OcspServer start(
      String bind, int port, Path caDir, Duration validity, Consumer<String> log) {
    OcspResponder responder = new OcspResponder(caDir, validity, Clock.systemUTC());
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
    } catch (BindException e) {
      throw LabException.network(
          "cannot listen on " + bind + ":" + port + " (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw LabException.network("cannot start the OCSP responder: " + e.getMessage(), e);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "ocsp-responder");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(pool);
    http.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handle(exchange, responder, caDir, validity, log);
          } catch (IOException e) {
            log.accept("connection failed: " + e.getMessage());
          }
        });
    http.start();
    return new OcspServer(http, pool);
  }

  /** The port actually listened on. */
  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    pool.shutdownNow();
  }

  private static void handle(
      HttpExchange ex, OcspResponder responder, Path caDir, Duration validity, Consumer<String> log)
      throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    String who = ex.getRemoteAddress().getAddress().getHostAddress();
    if ("GET".equals(method) && "/crl".equals(path)) {
      byte[] crl;
      try {
        crl = Revocations.crl(caDir, validity);
      } catch (LabException e) {
        log.accept(who + " GET /crl: 500 " + e.getMessage());
        send(ex, 500, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      log.accept(who + " GET /crl: CRL with " + Revocations.list(caDir).size() + " revocation(s)");
      send(ex, 200, "application/pkix-crl", crl);
      return;
    }
    byte[] request;
    if ("POST".equals(method)) {
      request = readBody(ex.getRequestBody());
      if (request == null) {
        log.accept(who + " POST: 413 request over " + MAX_REQUEST + " bytes");
        send(ex, 413, "text/plain", "request too large\n".getBytes(StandardCharsets.US_ASCII));
        return;
      }
    } else if ("GET".equals(method)) {
      // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}.
      String last = path.substring(path.lastIndexOf('/') + 1);
      try {
        request =
            Base64.getDecoder().decode(URLDecoder.decode(last, StandardCharsets.US_ASCII).trim());
      } catch (IllegalArgumentException e) {
        log.accept(who + " GET " + abbreviate(path) + ": 400 not a base64 OCSP request");
        send(
            ex,
            400,
            "text/plain",
            "expected POST / or GET /<base64 OCSP request> or GET /crl\n"
                .getBytes(StandardCharsets.US_ASCII));
        return;
      }
    } else {
      ex.getResponseHeaders().set("Allow", "GET, POST");
      send(ex, 405, "text/plain", "use GET or POST\n".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    OcspResponder.Answer a = responder.respond(request);
    log.accept(who + " " + method + " OCSP: " + a.summary());
    send(ex, 200, "application/ocsp-response", a.response());
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_REQUEST + 1);
    return body.length > MAX_REQUEST ? null : body;
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
