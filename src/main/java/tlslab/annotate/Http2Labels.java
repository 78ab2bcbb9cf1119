package tlslab.annotate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What tshark's HTTP/2 dissector (packet-http2.c over tcp_dissect_pdus) writes in the columns for
 * decrypted data: each call (one record, or a reassembled frame) sets the Protocol column to
 * "HTTP2", clears Info and appends every complete frame as {@code TYPE[stream]} (RFC 9113 section
 * 4.1), the client preface (RFC 9113 section 3.4) as "Magic". HEADERS add the request ("GET /") or
 * the status with tshark's reason phrase ("200 OK"); the DATA frame that ends a stream adds what
 * its body's media type says ({@link MediaLabels}). A frame cut by the end of the data is asked for
 * whole.
 *
 * <p>The header fields come from {@link Payloads}, which decodes each header block once with HPACK
 * (RFC 7541) as the records arrive: the frames it completed wait here, in order, until the label
 * reaches them.
 */
final class Http2Labels {
  private Http2Labels() {}

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Streams remembered per direction; beyond this, a new stream's media type is not kept. */
  static final int MAX_STREAMS = 10_000;

  /** Per-direction state. */
  static final class State {
    /** Frames {@link Payloads} read (with decoded headers), not yet labelled. */
    final ArrayDeque<Payload.Http2Frame> read = new ArrayDeque<>();

    /** Per stream: the media type of its body (from this direction's HEADERS), bytes so far. */
    final Map<Integer, Stream> streams = new HashMap<>();
  }

  static final class Stream {
    String contentType;
    String contentEncoding;
    long body;
    byte[] start;
  }

  /** The frames {@link Payloads} completed in the last record. */
  static void frames(State s, List<Payload.Http2Frame> frames) {
    if (s.read.size() < 100_000) s.read.addAll(frames);
  }

  static boolean startsWithPreface(byte[] b, int off, int end) {
    if (end - off < PREFACE.length) return false;
    for (int i = 0; i < PREFACE.length; i++) if (b[off + i] != PREFACE[i]) return false;
    return true;
  }

  /** dissect_http2: the frames of {@code b[off..end)}; a frame that does not fit is asked for. */
  static void dissect(
      State s, byte[] b, int off, int end, HttpLabels.Need need, TlsDissector.FrameCtx fx) {
    fx.setProtocol("HTTP2");
    fx.clearInfo();
    int p = off;
    while (p < end) {
      int rem = end - p;
      if (rem < 9) {
        need.more(p, HttpLabels.ONE_MORE);
        return;
      }
      long plen =
          startsWithPreface(b, p, end)
              ? PREFACE.length
              : 9L + (((b[p] & 0xff) << 16) | ((b[p + 1] & 0xff) << 8) | (b[p + 2] & 0xff));
      if (rem < plen) {
        need.more(p, (int) (plen - rem));
        return;
      }
      if (plen == PREFACE.length && startsWithPreface(b, p, end)) {
        fx.appendInfo(", ", "Magic");
      } else {
        frame(s, b, p, (int) plen, fx);
      }
      p += (int) plen;
    }
  }

  private static void frame(State s, byte[] b, int p, int plen, TlsDissector.FrameCtx fx) {
    int type = b[p + 3] & 0xff;
    int flags = b[p + 4] & 0xff;
    int stream =
        (int)
            ((((long) (b[p + 5] & 0x7f) << 24)
                | ((b[p + 6] & 0xff) << 16)
                | ((b[p + 7] & 0xff) << 8)
                | (b[p + 8] & 0xff)));
    int length = plen - 9;
    fx.appendInfo(", ", typeName(type) + "[" + Integer.toUnsignedString(stream) + "]");
    Payload.Http2Frame read = next(s, type, stream, length);
    List<Payload.Header> fields = read == null ? List.of() : read.headers();
    boolean split = (type == 1 || type == 5) && (flags & 0x04) == 0; // no END_HEADERS
    if (split) {
      // tshark decodes the fields a fragment holds as it comes (nghttp2's inflater): the request
      // or status, which come first, are named at HEADERS. The lab decodes a block when it is
      // whole; when its CONTINUATION frames came in the same data, their fields are known here.
      fields = continued(s, stream);
    } else if (type == 9) {
      fields = List.of(); // named at HEADERS (or not at all) when the block began
    }
    if (!fields.isEmpty()) {
      String status = null;
      String method = null;
      String path = null;
      for (Payload.Header h : fields) {
        switch (h.name()) {
          case ":status" -> status = h.value();
          case ":method" -> method = h.value();
          case ":path" -> path = h.value();
          default -> {
            // not in the label
          }
        }
      }
      if (status != null) fx.appendInfo(": ", status + " " + reason(status));
      if (method != null && path != null) fx.appendInfo(": ", method + " " + path);
    }
    if ((type == 1 || type == 9) && read != null) {
      for (Payload.Header h : read.headers()) {
        boolean ct = h.name().equals("content-type");
        if (!ct && !h.name().equals("content-encoding")) continue;
        Stream st = stream(s, stream);
        if (st == null) continue;
        if (ct) st.contentType = h.value();
        else st.contentEncoding = h.value();
      }
    }
    if (type == 3 || (type == 1 && (flags & 0x01) != 0)) {
      s.streams.remove(stream); // reset, or ended without a body: nothing more to name
    }
    if (type == 0) {
      int start = p + 9;
      int end = p + plen;
      if ((flags & 0x08) != 0 && length > 0) { // PADDED (RFC 9113 6.1)
        int pad = b[start] & 0xff;
        start++;
        end = Math.max(start, end - pad);
      }
      Stream st = stream(s, stream);
      if (st != null) {
        int have = st.start == null ? 0 : st.start.length;
        int keep = Math.min(end - start, MediaLabels.FIRST_BYTES - have);
        if (keep > 0) {
          byte[] more =
              java.util.Arrays.copyOf(st.start == null ? new byte[0] : st.start, have + keep);
          System.arraycopy(b, start, more, have, keep);
          st.start = more;
        }
        st.body += end - start;
        if ((flags & 0x01) != 0) { // END_STREAM: the body is whole
          if (st.body > 0) MediaLabels.http2(st.contentType, st.contentEncoding, st.start, fx);
          s.streams.remove(stream);
        }
      }
    }
  }

  /** The fields of a header block whose CONTINUATION frames are already read, else none. */
  private static List<Payload.Header> continued(State s, int stream) {
    for (Payload.Http2Frame f : s.read) {
      if (!f.type().equals("CONTINUATION") || f.stream() != stream) return List.of();
      if ((f.flags() & 0x04) != 0) return f.headers();
    }
    return List.of();
  }

  /** The next frame {@link Payloads} read, if it is this one (else the two lost step). */
  private static Payload.Http2Frame next(State s, int type, int stream, int length) {
    Payload.Http2Frame f = s.read.peekFirst();
    if (f == null) return null;
    if (f.stream() == stream && f.length() == length && f.type().equals(typeNameOf(type))) {
      return s.read.pollFirst();
    }
    s.read.clear(); // out of step (a record was lost): no header fields until they match again
    return null;
  }

  private static Stream stream(State s, int id) {
    Stream st = s.streams.get(id);
    if (st == null && s.streams.size() < MAX_STREAMS) {
      st = new Stream();
      s.streams.put(id, st);
    }
    return st;
  }

  /** The name {@link Payloads} gives a frame type. */
  private static String typeNameOf(int type) {
    return type < 10 ? typeName(type) : "UNKNOWN(0x" + Integer.toHexString(type) + ")";
  }

  /** tshark's http2.type names. */
  static String typeName(int type) {
    return switch (type) {
      case 0 -> "DATA";
      case 1 -> "HEADERS";
      case 2 -> "PRIORITY";
      case 3 -> "RST_STREAM";
      case 4 -> "SETTINGS";
      case 5 -> "PUSH_PROMISE";
      case 6 -> "PING";
      case 7 -> "GOAWAY";
      case 8 -> "WINDOW_UPDATE";
      case 9 -> "CONTINUATION";
      case 10 -> "ALTSVC";
      case 11 -> "BLOCKED";
      case 12 -> "ORIGIN";
      case 16 -> "PRIORITY_UPDATE";
      default -> "Unknown type (" + type + ")";
    };
  }

  /** tshark's reason phrases for status codes (packet-http.c vals_http_status_code). */
  static String reason(String status) {
    int code;
    try {
      code = Integer.parseInt(status.trim());
    } catch (NumberFormatException e) {
      return "Unknown";
    }
    return switch (code) {
      case 100 -> "Continue";
      case 101 -> "Switching Protocols";
      case 102 -> "Processing";
      case 103 -> "Early Hints";
      case 199 -> "Informational - Others";
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 203 -> "Non-authoritative Information";
      case 204 -> "No Content";
      case 205 -> "Reset Content";
      case 206 -> "Partial Content";
      case 207 -> "Multi-Status";
      case 208 -> "Already Reported";
      case 226 -> "IM Used";
      case 299 -> "Success - Others";
      case 300 -> "Multiple Choices";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 305 -> "Use Proxy";
      case 307 -> "Temporary Redirect";
      case 308 -> "Permanent Redirect";
      case 399 -> "Redirection - Others";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 402 -> "Payment Required";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 407 -> "Proxy Authentication Required";
      case 408 -> "Request Time-out";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 411 -> "Length Required";
      case 412 -> "Precondition Failed";
      case 413 -> "Request Entity Too Large";
      case 414 -> "Request-URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 416 -> "Requested Range Not Satisfiable";
      case 417 -> "Expectation Failed";
      case 418 -> "I'm a teapot";
      case 421 -> "Misdirected Request";
      case 422 -> "Unprocessable Entity";
      case 423 -> "Locked";
      case 424 -> "Failed Dependency";
      case 425 -> "Too Early";
      case 426 -> "Upgrade Required";
      case 428 -> "Precondition Required";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 451 -> "Unavailable For Legal Reasons";
      case 499 -> "Client Error - Others";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Time-out";
      case 505 -> "HTTP Version not supported";
      case 506 -> "Variant Also Negotiates";
      case 507 -> "Insufficient Storage";
      case 508 -> "Loop Detected";
      case 510 -> "Not Extended";
      case 511 -> "Network Authentication Required";
      case 599 -> "Server Error - Others";
      default -> "Unknown";
    };
  }
}
