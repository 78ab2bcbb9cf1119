package tlslab.annotate;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What tshark's HTTP/1.x dissector (packet-http.c) writes in the columns for decrypted data, and
 * how much of it it needs first. A message is labelled once it is whole
 * (req_resp_hdrs_do_reassembly): its headers up to the empty line (RFC 9112 section 2.1), then a
 * body of Content-Length bytes, or chunks up to the last one (RFC 9112 section 7.1). A response
 * with neither is delimited by the end of the connection (RFC 9112 section 6.3): tshark waits for
 * that and never labels it over TLS. Info is the first line and a space, then what the body's media
 * type adds ({@link MediaLabels}); data that starts with neither a request nor a status line is
 * "Continuation".
 */
final class Http1Labels {
  private Http1Labels() {}

  /** Per-connection state: the method of the last request (a response to HEAD has no body). */
  static final class State {
    String lastMethod;
  }

  /** Methods tshark recognises at the start of a request line (a selection of packet-http.c's). */
  private static final java.util.Set<String> METHODS =
      java.util.Set.of(
          "GET",
          "POST",
          "HEAD",
          "PUT",
          "DELETE",
          "OPTIONS",
          "PATCH",
          "CONNECT",
          "TRACE",
          "PROPFIND",
          "PROPPATCH",
          "MKCOL",
          "COPY",
          "MOVE",
          "LOCK",
          "UNLOCK",
          "SEARCH",
          "REPORT",
          "MKCALENDAR",
          "NOTIFY",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "M-SEARCH");

  /** dissect_http_tls: messages one after the other; a fence after each keeps its label. */
  static void dissect(
      State conv,
      boolean fromServer,
      byte[] b,
      int off,
      int end,
      HttpLabels.Need need,
      TlsDissector.FrameCtx fx) {
    int p = off;
    while (p < end) {
      int n = message(conv, b, p, end, need, fx);
      if (n < 0) return;
      p += n;
      fx.fenceInfo();
    }
  }

  /**
   * One message at {@code b[p..end)}: its length, or -1 when more bytes are needed. Bytes from
   * {@code b.length} to {@code end} were counted, not kept (the rest of a Content-Length body).
   */
  private static int message(
      State conv, byte[] b, int p, int end, HttpLabels.Need need, TlsDissector.FrameCtx fx) {
    int kept = Math.min(end, b.length);
    int lineEnd = lineEnd(b, p, kept);
    if (lineEnd < 0) {
      need.more(p, HttpLabels.ONE_MORE);
      return -1;
    }
    String first = new String(b, p, lineEnd - p, StandardCharsets.ISO_8859_1);
    boolean response = first.startsWith("HTTP/");
    String method = response ? null : requestMethod(first);
    if (!response && method == null) {
      fx.setProtocol("HTTP");
      fx.setInfo("Continuation");
      return end - p;
    }
    int headersEnd = headersEnd(b, p, kept);
    if (headersEnd < 0) {
      need.more(p, HttpLabels.ONE_MORE);
      return -1;
    }
    String contentType = null;
    String contentEncoding = null;
    long contentLength = -1;
    boolean chunked = false;
    String head = new String(b, p, headersEnd - p, StandardCharsets.ISO_8859_1);
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-type" -> contentType = value;
        case "content-encoding" -> contentEncoding = value;
        case "content-length" -> {
          try {
            contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            contentLength = -1; // tshark ignores a Content-Length it cannot read
          }
        }
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        default -> {
          // not needed for the label
        }
      }
    }
    int status = response ? status(first) : 0;
    boolean noBody =
        response
            && ((status >= 100 && status < 200)
                || status == 204
                || status == 304
                || "HEAD".equals(conv.lastMethod));
    int bodyStart = headersEnd;
    byte[] firstBytes = null; // the body's first bytes, without the chunked coding
    int bodyEnd;
    long bodyLength;
    if (noBody) {
      bodyEnd = bodyStart;
      bodyLength = 0;
    } else if (chunked) {
      java.io.ByteArrayOutputStream dechunked = new java.io.ByteArrayOutputStream();
      long[] r = chunks(b, bodyStart, kept, dechunked);
      if (r == null) {
        need.more(p, HttpLabels.ONE_MORE);
        return -1;
      }
      bodyEnd = (int) r[0];
      bodyLength = r[1];
      firstBytes = dechunked.toByteArray();
    } else if (contentLength >= 0) {
      if (end - bodyStart < contentLength) {
        need.more(p, (int) Math.min(Integer.MAX_VALUE, contentLength - (end - bodyStart)));
        return -1;
      }
      bodyEnd = (int) (bodyStart + contentLength);
      bodyLength = contentLength;
    } else if (response) {
      need.more(p, HttpLabels.UNTIL_FIN);
      return -1;
    } else {
      bodyEnd = bodyStart;
      bodyLength = 0;
    }
    if (method != null) conv.lastMethod = method;
    fx.setProtocol("HTTP");
    fx.setInfo(first + " ");
    if (bodyLength > 0) {
      byte[] body =
          firstBytes != null
              ? firstBytes
              : java.util.Arrays.copyOfRange(
                  b,
                  bodyStart,
                  Math.min(Math.min(bodyEnd, kept), bodyStart + MediaLabels.FIRST_BYTES));
      MediaLabels.http1(contentType, contentEncoding, body, fx);
    }
    return bodyEnd - p;
  }

  private static String requestMethod(String line) {
    int sp = line.indexOf(' ');
    if (sp <= 0) return null;
    String m = line.substring(0, sp);
    return METHODS.contains(m) ? m : null;
  }

  private static int status(String line) {
    int sp = line.indexOf(' ');
    if (sp < 0 || sp + 4 > line.length()) return 0;
    try {
      return Integer.parseInt(line.substring(sp + 1, sp + 4));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The end of the first line (before CR or LF), or -1 when it is not complete. */
  private static int lineEnd(byte[] b, int p, int end) {
    for (int i = p; i < end; i++) if (b[i] == '\n' || b[i] == '\r') return i;
    return -1;
  }

  /** The offset just after the empty line that ends the headers, or -1. */
  private static int headersEnd(byte[] b, int p, int end) {
    for (int i = p; i < end; i++) {
      if (b[i] != '\n') continue;
      if (i + 1 < end && b[i + 1] == '\n') return i + 2;
      if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
    }
    return -1;
  }

  /**
   * Chunked coding (RFC 9112 section 7.1): {end offset, body length} through the last chunk and its
   * trailer section, or null when not all of it is there.
   */
  private static long[] chunks(byte[] b, int p, int end, java.io.ByteArrayOutputStream first) {
    long total = 0;
    while (true) {
      int le = lineEnd(b, p, end);
      if (le < 0) return null;
      String line = new String(b, p, le - p, StandardCharsets.ISO_8859_1);
      int semi = line.indexOf(';');
      if (semi >= 0) line = line.substring(0, semi);
      long size;
      try {
        size = Long.parseLong(line.trim(), 16);
      } catch (NumberFormatException e) {
        return new long[] {end, total}; // tshark stops at a malformed chunk: the rest is body
      }
      p = skipEol(b, le, end);
      if (p < 0) return null;
      if (size == 0) {
        // Trailer fields, then an empty line.
        while (true) {
          int te = lineEnd(b, p, end);
          if (te < 0) return null;
          boolean empty = te == p;
          p = skipEol(b, te, end);
          if (p < 0) return null;
          if (empty) return new long[] {p, total};
        }
      }
      if (end - p < size) return null;
      int keep = (int) Math.min(size, MediaLabels.FIRST_BYTES - first.size());
      if (keep > 0) first.write(b, p, keep);
      p += (int) size;
      total += size;
      int after = lineEnd(b, p, end);
      if (after < 0) return null;
      p = skipEol(b, after, end);
      if (p < 0) return null;
    }
  }

  private static int skipEol(byte[] b, int i, int end) {
    if (i < end && b[i] == '\r') i++;
    if (i < end && b[i] == '\n') return i + 1;
    return i < end ? i : -1;
  }
}
