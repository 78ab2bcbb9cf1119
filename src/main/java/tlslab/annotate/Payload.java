package tlslab.annotate;

import java.util.List;

/**
 * The decrypted content of one application-data record, shown for what it is.
 *
 * @param sender who sent it
 * @param kind what the bytes are
 * @param lines the rendering: text lines; an HTTP/1.1 request or status line and its headers; one
 *     line per HTTP/2 frame with its decoded header fields; or a hex and ASCII excerpt. Bounded
 *     unless all bytes were asked for ({@code lab annotate --all-bytes}).
 * @param http2 the HTTP/2 frames that completed in this record (empty for other kinds)
 * @param bytes the decrypted bytes themselves
 */
public record Payload(
    Sender sender, Kind kind, List<String> lines, List<Http2Frame> http2, byte[] bytes) {
  public Payload {
    lines = List.copyOf(lines);
    http2 = List.copyOf(http2);
  }

  /** What a decrypted record carries. */
  public enum Kind {
    /** UTF-8 text lines (the lab's chat protocol, docs/PROTOCOL.md, or any line protocol). */
    TEXT_LINES,
    /** HTTP/1.x (RFC 9112): a request or status line and headers, or body bytes. */
    HTTP1,
    /** HTTP/2 (RFC 9113) frames, header blocks decoded with HPACK (RFC 7541). */
    HTTP2,
    /** Anything else: shown as hex and ASCII. */
    BYTES;

    /** How the text view and the HTML page name it: "text lines", "HTTP/1.1", "HTTP/2", "bytes". */
    public String label() {
      return switch (this) {
        case TEXT_LINES -> "text lines";
        case HTTP1 -> "HTTP/1.1";
        case HTTP2 -> "HTTP/2";
        case BYTES -> "bytes";
      };
    }
  }

  /**
   * One HTTP/2 frame (RFC 9113 4.1).
   *
   * @param type frame type name (DATA, HEADERS, SETTINGS...)
   * @param stream stream identifier (0 for the connection)
   * @param flags flag byte
   * @param flagNames flags by name (END_STREAM, END_HEADERS...)
   * @param length payload length
   * @param headers decoded header fields, pseudo-headers (:method, :path, :status) first, for
   *     HEADERS (with its CONTINUATION frames) and PUSH_PROMISE; empty otherwise
   */
  public record Http2Frame(
      String type, int stream, int flags, String flagNames, int length, List<Header> headers) {
    public Http2Frame {
      headers = List.copyOf(headers);
    }
  }

  /** A header field (name, value). */
  public record Header(String name, String value) {}
}
