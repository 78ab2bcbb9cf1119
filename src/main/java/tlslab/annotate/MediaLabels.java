package tlslab.annotate;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Locale;
import java.util.Set;

/**
 * What the dissector tshark 4.0 picks for a message body by its media type adds to the columns
 * (measured, docs/TSHARK-PARITY.md): text and most types " (text/html)"; PNG, GIF and JPEG their
 * image format; JSON "JavaScript Object Notation" and "/JSON" in the Protocol column; XML "/XML"
 * and nothing in Info. HTTP/1.x hands a type without a dissector of its own to "media", which still
 * names the type; HTTP/2 does not, so there such a body adds nothing.
 */
final class MediaLabels {
  private MediaLabels() {}

  /** Types tshark's line-based text dissector (data-text-lines) takes, as measured. */
  private static final Set<String> TEXT_LINES =
      Set.of(
          "text/html",
          "text/plain",
          "text/css",
          "text/javascript",
          "application/javascript",
          "application/x-javascript");

  /** Bytes of a body kept to recognise its format (a compressed one is inflated from these). */
  static final int FIRST_BYTES = 512;

  /**
   * The body of an HTTP/1.x message ({@code start}: its first bytes as sent, before any
   * Content-Encoding is undone).
   */
  static void http1(String contentType, String encoding, byte[] start, TlsDissector.FrameCtx fx) {
    String t = type(contentType);
    if (t == null) return;
    if (special(t, decoded(encoding, start), fx)) return;
    if (t.equals("application/octet-stream") || t.startsWith("multipart/")) return;
    fx.appendInfo(null, " (" + t + ")");
  }

  /** The body of an HTTP/2 stream, labelled with the DATA frame that ends it. */
  static void http2(String contentType, String encoding, byte[] start, TlsDissector.FrameCtx fx) {
    String t = type(contentType);
    if (t == null) return;
    if (special(t, decoded(encoding, start), fx)) return;
    if (TEXT_LINES.contains(t)) fx.appendInfo(null, " (" + t + ")");
  }

  private static boolean special(String t, byte[] start, TlsDissector.FrameCtx fx) {
    if (t.equals("application/json")) {
      fx.appendProtocol("/", "JSON");
      fx.appendInfo(", ", "JavaScript Object Notation (application/json)");
      return true;
    }
    if (t.equals("text/xml") || t.equals("application/xml") || t.endsWith("+xml")) {
      fx.appendProtocol("/", "XML");
      return true;
    }
    // The image dissectors take a body that starts with their format's signature; any other body
    // goes where a type without a dissector goes.
    String sig = start == null ? "" : new String(start, 0, Math.min(8, start.length), ISO_8859_1);
    if (t.equals("image/png") && sig.startsWith("\u0089PNG\r\n\u001a\n")) {
      fx.appendInfo(null, " (PNG)");
      return true;
    }
    if (t.equals("image/gif") && (sig.startsWith("GIF87a") || sig.startsWith("GIF89a"))) {
      fx.appendInfo(null, " (" + sig.substring(0, 6) + ")");
      return true;
    }
    if (t.equals("image/jpeg") && sig.startsWith("\u00ff\u00d8")) {
      fx.appendInfo(null, " (JPEG JFIF image)");
      return true;
    }
    return false;
  }

  /**
   * The first bytes of a body with its Content-Encoding undone, as tshark does before it picks a
   * dissector: gzip and deflate (RFC 9110 section 8.4.1) by the JDK's zlib. Brotli ("br") is not
   * undone (no decoder here); nor is anything that does not inflate.
   */
  static byte[] decoded(String encoding, byte[] start) {
    if (encoding == null || start == null) return start;
    String e = encoding.trim().toLowerCase(Locale.ROOT);
    boolean gzip = e.equals("gzip") || e.equals("x-gzip");
    if (!gzip && !e.equals("deflate")) return start;
    try (java.io.InputStream in =
        gzip
            ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(start))
            : new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(start))) {
      return in.readNBytes(16);
    } catch (java.io.IOException e2) {
      return start; // a prefix cut inside the first bytes, or not compressed after all
    }
  }

  /** The media type without parameters, lower case ("text/html; charset=utf-8" is text/html). */
  private static String type(String contentType) {
    if (contentType == null) return null;
    int semi = contentType.indexOf(';');
    String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
    return t.isEmpty() ? null : t.toLowerCase(Locale.ROOT);
  }
}
