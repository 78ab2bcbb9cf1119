package tlslab.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import tlslab.common.LabException;
import tlslab.pki.internal.SecureFiles;

/**
 * Where a client finds out whether a lab certificate has been revoked. Every certificate the lab CA
 * issues carries both addresses (RFC 5280):
 *
 * <ul>
 *   <li>{@code ocsp}: the OCSP responder, in the Authority Information Access extension (section
 *       4.2.2.1, access method id-ad-ocsp). A client or a stapling server sends it an OCSP request
 *       and gets a signed "good", "revoked" or "unknown" (RFC 6960).
 *   <li>{@code crl}: where the CA's certificate revocation list can be downloaded, in the CRL
 *       Distribution Points extension (section 4.2.1.13).
 * </ul>
 *
 * Both default to {@code lab ca ocsp} on loopback ({@value #DEFAULT_OCSP} and {@value
 * #DEFAULT_CRL}), which answers OCSP on {@code /} and serves the CRL on {@code /crl}. {@code lab
 * certs init --ocsp-url URL --crl-url URL} changes them; they are kept in {@value #FILE} in the CA
 * folder, so that certificates issued later by {@code lab certs issue} or {@code lab certs class}
 * carry the same addresses.
 *
 * @param ocsp the OCSP responder's URL (http)
 * @param crl the CRL's URL (http)
 */
public record RevocationUrls(URI ocsp, URI crl) {
  /** Default port of {@code lab ca ocsp}. */
  public static final int DEFAULT_PORT = 8888;

  /** Default OCSP responder URL. */
  public static final String DEFAULT_OCSP = "http://127.0.0.1:8888/";

  /** Default CRL URL. */
  public static final String DEFAULT_CRL = "http://127.0.0.1:8888/crl";

  /** File name in the CA folder. */
  public static final String FILE = "revocation.properties";

  /** The loopback defaults. */
  public static RevocationUrls defaults() {
    return of(DEFAULT_OCSP, DEFAULT_CRL);
  }

  /** Both URLs for a responder on loopback port {@code port}. */
  public static RevocationUrls onLoopback(int port) {
    return of("http://127.0.0.1:" + port + "/", "http://127.0.0.1:" + port + "/crl");
  }

  /**
   * Parses and checks both URLs: absolute {@code http} URLs (RFC 5280 4.2.1.13 and RFC 6960 A.1
   * both use HTTP; the responses are signed, so TLS adds nothing and would be circular).
   *
   * @throws LabException BAD_INPUT naming the wrong URL
   */
  public static RevocationUrls of(String ocsp, String crl) {
    return new RevocationUrls(check("OCSP URL", ocsp), check("CRL URL", crl));
  }

  /** The URLs recorded in {@code caDir}, or the defaults when the folder records none. */
  public static RevocationUrls load(Path caDir) {
    Path file = caDir.resolve(FILE);
    if (!Files.exists(file)) {
      return defaults();
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(new String(SecureFiles.read(file), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw LabException.badInput(file + ": unreadable (" + e.getMessage() + ")");
    }
    try {
      return of(p.getProperty("ocsp", DEFAULT_OCSP), p.getProperty("crl", DEFAULT_CRL));
    } catch (LabException e) {
      throw LabException.badInput(file + ": " + e.getMessage());
    }
  }

  /** Records these URLs in {@code caDir} for later certificates. */
  public void save(Path caDir) {
    StringWriter w = new StringWriter();
    w.write(
        "# Written by 'lab certs init': addresses put into every certificate the lab CA issues\n");
    w.write("ocsp=" + ocsp + "\n");
    w.write("crl=" + crl + "\n");
    SecureFiles.writePublic(caDir.resolve(FILE), w.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The port of the OCSP URL (80 when it names none). */
  public int ocspPort() {
    return ocsp.getPort() < 0 ? 80 : ocsp.getPort();
  }

  private static URI check(String what, String text) {
    if (text == null || text.isBlank()) {
      throw LabException.badInput(what + ": must not be empty");
    }
    try {
      URI u = new URI(text.trim());
      if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
        throw LabException.badInput(
            what + " '" + text + "': must be an absolute http:// URL (e.g. " + DEFAULT_OCSP + ")");
      }
      return u;
    } catch (URISyntaxException e) {
      throw LabException.badInput(what + " '" + text + "': not a URL (" + e.getReason() + ")");
    }
  }
}
