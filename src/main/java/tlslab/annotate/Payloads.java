package tlslab.annotate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Renders decrypted application data for what it is. Each direction of a connection is recognised
 * once, from its first bytes and ALPN: HTTP/2 (the client preface, RFC 9113 3.4, or ALPN "h2"),
 * HTTP/1.x (a request or status line), text lines, or bytes.
 *
 * <p>HTTP/2 frames are read here (a 9-byte header: length, type, flags, stream; frames may span
 * records, so each direction keeps the bytes of an incomplete frame). Header blocks are decoded by
 * netty's HPACK decoder ({@link DefaultHttp2HeadersDecoder}), one per direction, since HPACK's
 * dynamic table (RFC 7541 2.3.2) lives for the whole connection: a maintained decoder, used by most
 * JVM HTTP/2 stacks, rather than a hand-written Huffman table.
 */
final class Payloads {
  private Payloads() {}

  /** Lines and bytes shown at most per record unless all bytes are asked for. */
  static final int MAX_LINES = 40;

  static final int MAX_LINE = 160;
  static final int HEX_BYTES = 64;

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Per-direction state. */
  static final class Direction {
    Payload.Kind kind;
    boolean prefaceSkipped;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    DefaultHttp2HeadersDecoder hpack;
    ByteArrayOutputStream headerBlock;
    int headerStream;
    int headerFlags;
    String headerType;
    int headerLength;
    boolean broken;
  }

  static Payload decode(Connection c, boolean fromServer, byte[] d, boolean all) {
    Direction dir = fromServer ? c.payloadServer : c.payloadClient;
    Sender sender = fromServer ? Sender.SERVER : Sender.CLIENT;
    if (dir.kind == null) dir.kind = recognise(c, fromServer, d);
    List<String> lines = new ArrayList<>();
    List<Payload.Http2Frame> frames = new ArrayList<>();
    switch (dir.kind) {
      case HTTP2 -> http2(dir, d, lines, frames, all);
      case HTTP1 -> http1(d, lines, all);
      case TEXT_LINES -> {
        if (!text(d, lines, all)) hex(d, lines, all);
      }
      case BYTES -> hex(d, lines, all);
    }
    return new Payload(sender, dir.kind, lines, frames, d);
  }

  private static Payload.Kind recognise(Connection c, boolean fromServer, byte[] d) {
    if ("h2".equals(c.alpnChosen) || startsWith(d, PREFACE)) {
      c.payloadClient.kind = Payload.Kind.HTTP2;
      c.payloadServer.kind = Payload.Kind.HTTP2;
      return Payload.Kind.HTTP2;
    }
    String first = firstLine(d);
    if (first != null
        && (first.startsWith("HTTP/1.")
            || first.matches("[A-Z]{3,10} \\S+ HTTP/1\\.[01]")
            || "http/1.1".equals(c.alpnChosen))) {
      return Payload.Kind.HTTP1;
    }
    return utf8(d) != null ? Payload.Kind.TEXT_LINES : Payload.Kind.BYTES;
  }

  // --- text ------------------------------------------------------------------------------

  private static boolean text(byte[] d, List<String> out, boolean all) {
    String s = utf8(d);
    if (s == null) return false;
    String[] parts = s.split("\r?\n", -1);
    int n = parts.length;
    if (n > 1 && parts[n - 1].isEmpty()) n--; // a final newline ends the last line
    for (int i = 0; i < n; i++) {
      if (!all && out.size() >= MAX_LINES) {
        out.add("... " + (n - i) + " more lines (--all-bytes shows them)");
        break;
      }
      out.add(clip(visible(parts[i]), all));
    }
    return true;
  }

  // --- HTTP/1.x ---------------------------------------------------------------------------

  private static void http1(byte[] d, List<String> out, boolean all) {
    int headEnd = indexOf(d, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    String first = firstLine(d);
    boolean head =
        first != null
            && (first.startsWith("HTTP/1.") || first.matches("[A-Z]{3,10} \\S+ HTTP/1\\.[01]"));
    if (!head) {
      out.add("HTTP body, " + d.length + " bytes:");
      if (!text(d, out, all)) hex(d, out, all);
      return;
    }
    int end = headEnd < 0 ? d.length : headEnd;
    String[] hdr = new String(d, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    for (int i = 0; i < hdr.length; i++) {
      if (!all && out.size() >= MAX_LINES) {
        out.add("... " + (hdr.length - i) + " more header lines (--all-bytes shows them)");
        break;
      }
      out.add(clip(visible(hdr[i]), all));
    }
    if (headEnd < 0) {
      out.add("(headers continue in the next record)");
    } else if (headEnd + 4 < d.length) {
      byte[] body = Arrays.copyOfRange(d, headEnd + 4, d.length);
      out.add("body, " + body.length + " bytes in this record:");
      if (!text(body, out, all)) hex(body, out, all);
    }
  }

  // --- HTTP/2 -----------------------------------------------------------------------------

  private static final String[] TYPES = {
    "DATA",
    "HEADERS",
    "PRIORITY",
    "RST_STREAM",
    "SETTINGS",
    "PUSH_PROMISE",
    "PING",
    "GOAWAY",
    "WINDOW_UPDATE",
    "CONTINUATION"
  };

  private static void http2(
      Direction dir, byte[] d, List<String> out, List<Payload.Http2Frame> frames, boolean all) {
    if (dir.broken) {
      hex(d, out, all);
      return;
    }
    dir.pending.write(d, 0, d.length);
    byte[] buf = dir.pending.toByteArray();
    int p = 0;
    if (!dir.prefaceSkipped) {
      if (startsWith(buf, PREFACE)) {
        out.add("HTTP/2 connection preface (RFC 9113 3.4)");
        p = PREFACE.length;
      }
      dir.prefaceSkipped = true;
    }
    while (buf.length - p >= 9) {
      int len = ((buf[p] & 0xff) << 16) | ((buf[p + 1] & 0xff) << 8) | (buf[p + 2] & 0xff);
      if (buf.length - p < 9 + len) break;
      int type = buf[p + 3] & 0xff;
      int flags = buf[p + 4] & 0xff;
      int stream = (int) (u32(buf, p + 5) & 0x7fffffffL);
      frame(dir, buf, p + 9, len, type, flags, stream, out, frames, all);
      p += 9 + len;
      if (dir.broken) break;
    }
    dir.pending.reset();
    if (p < buf.length) {
      dir.pending.write(buf, p, buf.length - p);
      if (dir.pending.size() > (1 << 24) + 9) {
        dir.broken = true; // larger than any legal frame: not HTTP/2 after all
        out.add("(not HTTP/2 framing: showing bytes from here on)");
      } else {
        out.add("(" + (buf.length - p) + " bytes of a frame that continues in the next record)");
      }
    }
  }

  private static void frame(
      Direction dir,
      byte[] b,
      int p,
      int len,
      int type,
      int flags,
      int stream,
      List<String> out,
      List<Payload.Http2Frame> frames,
      boolean all) {
    String name =
        type < TYPES.length ? TYPES[type] : "UNKNOWN(0x" + Integer.toHexString(type) + ")";
    String flagNames = flagNames(type, flags);
    StringBuilder line = new StringBuilder(name).append(" stream ").append(stream);
    if (!flagNames.isEmpty()) line.append(" [").append(flagNames).append(']');
    line.append(", ").append(len).append(" bytes");
    List<Payload.Header> headers = List.of();
    if (type == 1 || type == 5 || type == 9) {
      int start = p;
      int end = p + len;
      if (type != 9 && (flags & 0x08) != 0 && len > 0) { // PADDED
        end -= b[p] & 0xff;
        start++;
      }
      if (type == 1 && (flags & 0x20) != 0) start += 5; // PRIORITY: dependency + weight
      if (type == 5) start += 4; // promised stream id
      if (type != 9) {
        dir.headerBlock = new ByteArrayOutputStream();
        dir.headerStream = stream;
        dir.headerFlags = flags;
        dir.headerType = name;
        dir.headerLength = len;
      }
      if (dir.headerBlock != null && start <= end) dir.headerBlock.write(b, start, end - start);
      if ((flags & 0x04) != 0 && dir.headerBlock != null) { // END_HEADERS
        headers = hpack(dir, dir.headerStream, dir.headerBlock.toByteArray(), out);
        dir.headerBlock = null;
      }
    } else if (type == 0 && len > 0) {
      byte[] data = Arrays.copyOfRange(b, p, p + len);
      String s = utf8(data);
      if (s != null && !s.isBlank()) line.append(": ").append(clip(visible(s), all));
    } else if (type == 4 && (flags & 1) == 0) {
      for (int i = p; i + 6 <= p + len; i += 6)
        line.append(i == p ? ": " : ", ")
            .append(setting(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)))
            .append('=')
            .append(u32(b, i + 2));
    } else if (type == 7 && len >= 8) {
      line.append(": last stream ")
          .append(u32(b, p) & 0x7fffffffL)
          .append(", error ")
          .append(u32(b, p + 4));
    } else if (type == 3 && len >= 4) {
      line.append(": error ").append(u32(b, p));
    } else if (type == 8 && len >= 4) {
      line.append(": +").append(u32(b, p) & 0x7fffffffL);
    }
    out.add(line.toString());
    for (Payload.Header h : headers)
      out.add("    " + h.name() + ": " + clip(visible(h.value()), all));
    frames.add(new Payload.Http2Frame(name, stream, flags, flagNames, len, headers));
  }

  private static List<Payload.Header> hpack(
      Direction dir, int stream, byte[] block, List<String> out) {
    if (dir.hpack == null) {
      // A reader, not a server: no limit of its own on a header list (netty's default, 8 KiB,
      // would end the decoding for the rest of the connection at the first large cookie).
      dir.hpack = new DefaultHttp2HeadersDecoder(false, 1L << 24);
      try {
        dir.hpack.configuration().maxHeaderTableSize(1L << 20);
      } catch (Http2Exception e) {
        throw new AssertionError("1 MiB is a valid HPACK table size", e);
      }
    }
    ByteBuf buf = Unpooled.wrappedBuffer(block);
    try {
      Http2Headers h = dir.hpack.decodeHeaders(stream, buf);
      List<Payload.Header> list = new ArrayList<>();
      for (Map.Entry<CharSequence, CharSequence> e : h) {
        list.add(new Payload.Header(e.getKey().toString(), e.getValue().toString()));
      }
      return list;
    } catch (Http2Exception | RuntimeException e) {
      // A lost record breaks the dynamic table for the rest of the connection: say so, once.
      dir.broken = true;
      out.add("(HPACK could not decode this header block: " + e.getMessage() + ")");
      return List.of();
    } finally {
      buf.release();
    }
  }

  private static String flagNames(int type, int f) {
    List<String> n = new ArrayList<>();
    if ((type == 4 || type == 6) && (f & 1) != 0) n.add("ACK");
    if ((type == 0 || type == 1) && (f & 1) != 0) n.add("END_STREAM");
    if ((type == 1 || type == 5 || type == 9) && (f & 4) != 0) n.add("END_HEADERS");
    if ((type == 0 || type == 1 || type == 5) && (f & 8) != 0) n.add("PADDED");
    if (type == 1 && (f & 0x20) != 0) n.add("PRIORITY");
    return String.join(", ", n);
  }

  private static String setting(int id) {
    return switch (id) {
      case 1 -> "HEADER_TABLE_SIZE";
      case 2 -> "ENABLE_PUSH";
      case 3 -> "MAX_CONCURRENT_STREAMS";
      case 4 -> "INITIAL_WINDOW_SIZE";
      case 5 -> "MAX_FRAME_SIZE";
      case 6 -> "MAX_HEADER_LIST_SIZE";
      case 8 -> "ENABLE_CONNECT_PROTOCOL";
      case 9 -> "NO_RFC7540_PRIORITIES";
      default -> "0x" + Integer.toHexString(id);
    };
  }

  // --- bytes ------------------------------------------------------------------------------

  /** A hex and ASCII dump, 16 bytes a line, bounded to {@link #HEX_BYTES} unless {@code all}. */
  static void hex(byte[] d, List<String> out, boolean all) {
    int n = all ? d.length : Math.min(d.length, HEX_BYTES);
    for (int o = 0; o < n; o += 16) {
      StringBuilder sb = new StringBuilder(String.format("%04x  ", o));
      StringBuilder ascii = new StringBuilder();
      for (int i = 0; i < 16; i++) {
        if (o + i < n) {
          int c = d[o + i] & 0xff;
          sb.append(String.format("%02x ", c));
          ascii.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        } else {
          sb.append("   ");
        }
        if (i == 7) sb.append(' ');
      }
      out.add(sb.append(' ').append(ascii).toString());
    }
    if (n < d.length)
      out.add(
          "... "
              + (d.length - n)
              + " more bytes ("
              + d.length
              + " in all; --all-bytes shows them)");
  }

  // --- helpers ----------------------------------------------------------------------------

  private static String utf8(byte[] d) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(d))
              .toString();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return null;
        if (c == 0x7f) return null;
      }
      return s;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String firstLine(byte[] d) {
    int n = Math.min(d.length, 8192);
    for (int i = 0; i + 1 < n; i++) {
      if (d[i] == '\r' && d[i + 1] == '\n') return new String(d, 0, i, StandardCharsets.ISO_8859_1);
    }
    return null;
  }

  private static String visible(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t') sb.append("\\t");
      else if (c == '\r') sb.append("\\r");
      else if (c == '\n') sb.append("\\n");
      else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }

  private static String clip(String s, boolean all) {
    if (all || s.length() <= MAX_LINE) return s;
    return s.substring(0, MAX_LINE) + "... (" + s.length() + " characters; --all-bytes shows all)";
  }

  private static boolean startsWith(byte[] d, byte[] prefix) {
    if (d.length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (d[i] != prefix[i]) return false;
    return true;
  }

  private static int indexOf(byte[] d, byte[] pat) {
    outer:
    for (int i = 0; i + pat.length <= d.length; i++) {
      for (int j = 0; j < pat.length; j++) if (d[i + j] != pat[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static long u32(byte[] b, int p) {
    return ((long) (b[p] & 0xff) << 24)
        | ((b[p + 1] & 0xff) << 16)
        | ((b[p + 2] & 0xff) << 8)
        | (b[p + 3] & 0xff);
  }
}
