package tlslab.annotate;

import java.nio.charset.StandardCharsets;
import tlslab.wire.ProtocolVersion;

/**
 * The labels tshark 4.0 gives decrypted application data: it hands each record to HTTP or HTTP/2
 * (chosen by ALPN, else by a look at the first bytes), and those dissectors reassemble their
 * messages across records the way TCP reassembles TLS records across segments (packet-tls.c
 * desegment_ssl). So a record that completes a request is "HTTP | GET / HTTP/1.1 ", a record that
 * only carries part of one is "TLSv1.3 | [TLS segment of a reassembled PDU]", and a record of
 * HTTP/2 frames lists them: "HTTP2 | HEADERS[1]: 200 OK, DATA[1] (text/html)". Data that is neither
 * keeps TLS's "Application Data".
 *
 * <p>The rules measured against tshark are in docs/TSHARK-PARITY.md ("HTTP inside decrypted TLS").
 * What the bytes say (frames, decoded header fields) is read once, by {@link Payloads}; this class
 * only decides where tshark's dissectors stop and what the columns then read.
 */
final class HttpLabels {
  private HttpLabels() {}

  /** The dissector tshark runs on the connection's decrypted application data. */
  enum App {
    /** No dissector claimed it: tshark's "data", the Info column keeps "Application Data". */
    DATA,
    HTTP,
    HTTP2
  }

  /** tshark's DESEGMENT_ONE_MORE_SEGMENT: "at least one more record". */
  static final int ONE_MORE = -1;

  /** tshark's DESEGMENT_UNTIL_FIN: a response delimited by the end of the connection. */
  static final int UNTIL_FIN = -2;

  /** Largest message reassembled; an HTTP/2 frame is at most 2^24 - 1 bytes plus its header. */
  static final int MAX_PDU = (1 << 24) + 9;

  /**
   * Bytes kept of an HTTP/1.x message whose body is counted by Content-Length: its headers and the
   * body's start are all the label needs, the rest is counted, not kept (a download of any size is
   * labelled where it ends, in constant memory).
   */
  static final int KEEP = 1 << 16;

  /** One direction's reassembly state (tshark's SslFlow and its multisegment PDU). */
  static final class Flow {
    /** Decrypted application-data bytes of this direction so far (record->seq). */
    long seq;

    boolean pending;
    long pduSeq;
    long pduNext;
    boolean entire;
    byte[] buf = new byte[0];
    int len;

    /** Bytes of the message counted but not kept (see {@link #KEEP}). */
    long extra;

    /** Whether the rest of the message may be counted rather than kept. */
    boolean countOnly;

    /** The message is delimited by the end of the connection: every later record belongs to it. */
    boolean untilFin;

    /** The end of a message too large to keep: data before it only continues that message. */
    long skipTo;

    final Http1Labels.State http1 = new Http1Labels.State();
    final Http2Labels.State http2 = new Http2Labels.State();

    void start(byte[] d, int off, int n, long at, long next, boolean wholeNext) {
      pending = true;
      pduSeq = at;
      pduNext = next;
      entire = wholeNext;
      len = 0;
      extra = 0;
      countOnly = false;
      put(d, off, n);
    }

    void put(byte[] d, int off, int n) {
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(len + n, Math.min(MAX_PDU, buf.length * 2)));
      }
      System.arraycopy(d, off, buf, len, n);
      len += n;
    }

    void drop() {
      pending = false;
      len = 0;
      extra = 0;
      countOnly = false;
      if (buf.length > 1 << 16) buf = new byte[0];
    }
  }

  /** What a dissector call left for later: nothing, or more bytes from {@code offset}. */
  static final class Need {
    int offset;
    int len; // 0: all dissected; ONE_MORE, UNTIL_FIN or a byte count

    void none() {
      offset = 0;
      len = 0;
    }

    void more(int at, int n) {
      offset = at;
      len = n;
    }
  }

  /**
   * One decrypted application-data record, after TLS appended "Application Data" to the Info
   * column: hands it to HTTP or HTTP/2 as tshark does and lets them rewrite the columns.
   */
  static void record(
      Connection c, boolean fromServer, byte[] d, Payload shown, TlsDissector.FrameCtx fx) {
    if (d.length == 0) return; // an empty record: tshark hands nothing on
    Flow f = fromServer ? c.httpServer : c.httpClient;
    if (shown.kind() == Payload.Kind.HTTP2) Http2Labels.frames(f.http2, shown.http2());
    long seq = f.seq;
    f.seq += d.length;
    App app = app(c, d);
    if (app == App.DATA) return; // tshark's data dissector: the column stays as TLS left it
    desegment(c, fromServer, f, app, d, seq, fx);
  }

  /**
   * tshark's choice (process_ssl_payload): the protocol ALPN chose, else the first heuristic that
   * matches (HTTP/2's client preface, an HTTP/1.x request or status line). Once chosen it holds for
   * the connection, both directions. Port 443 alone does not make HTTP (measured: a text line to
   * s_server on 443 stays "Application Data").
   */
  private static App app(Connection c, byte[] d) {
    if (c.app != null) return c.app;
    if (c.alpnChosen != null) {
      App byAlpn =
          switch (c.alpnChosen) {
            case "h2" -> App.HTTP2;
            case "http/1.1", "http/1.0" -> App.HTTP;
            default -> null;
          };
      if (byAlpn != null) return c.app = byAlpn;
    }
    if (Http2Labels.startsWithPreface(d, 0, d.length)) return c.app = App.HTTP2;
    if (looksLikeHttp1(d)) return c.app = App.HTTP;
    return App.DATA; // not chosen: the heuristics are tried again on the next record
  }

  /**
   * HTTP's heuristic on TLS: the data holds a complete first line that begins or ends with an
   * HTTP/1.x version ("GET / HTTP/1.1", "HTTP/1.1 200 OK").
   */
  static boolean looksLikeHttp1(byte[] d) {
    int n = Math.min(d.length, 8192);
    int end = -1;
    for (int i = 0; i < n; i++) {
      if (d[i] == '\n' || d[i] == '\r') {
        end = i;
        break;
      }
    }
    if (end <= 8) return false;
    return versionAt(d, 0) || versionAt(d, end - 8);
  }

  private static boolean versionAt(byte[] d, int p) {
    if (p < 0 || p + 8 > d.length) return false;
    String s = new String(d, p, 7, StandardCharsets.ISO_8859_1);
    return s.equalsIgnoreCase("HTTP/1.") && Character.isDigit(d[p + 7]);
  }

  /** packet-tls.c desegment_ssl: reassembly of application-layer messages across records. */
  private static void desegment(
      Connection c,
      boolean fromServer,
      Flow f,
      App app,
      byte[] d,
      long recordSeq,
      TlsDissector.FrameCtx fx) {
    Need need = new Need();
    int offset = 0;
    long seq = recordSeq;
    long nxt = recordSeq + d.length;
    while (true) {
      need.none();
      boolean called = false;
      int another = 0;
      int desegOffset = offset;
      boolean mustDesegment = false;
      int reported = 0; // pinfo->desegment_offset, relative to the data the dissector was given
      if (f.untilFin) {
        // Reassembly "until FIN" that TLS never completes: every record is a segment of it.
      } else if (f.skipTo > seq) {
        if (f.skipTo < nxt) another = (int) (f.skipTo - seq);
      } else if (f.pending && f.pduSeq <= seq && f.pduNext > seq) {
        int take = f.entire ? d.length - offset : (int) (Math.min(nxt, f.pduNext) - seq);
        int keep = take;
        if (f.countOnly && f.len + take > KEEP) keep = Math.max(0, KEEP - f.len);
        if (f.len + keep > MAX_PDU || f.len + f.extra + take > Integer.MAX_VALUE) {
          // Larger than the lab keeps (an HTTP/1.x body over 16 MiB): its records are segments
          // up to its end, which is then a segment too (tshark would label it there).
          f.skipTo = f.entire ? Long.MAX_VALUE : f.pduNext;
          f.drop();
          continue;
        }
        f.put(d, offset, keep);
        f.extra += take - keep;
        if (f.entire) {
          f.entire = false;
          f.pduNext = nxt;
        }
        if (f.pduNext < nxt && take > 0) another = (int) (f.pduNext - seq);
        if (nxt >= f.pduNext) {
          // The message is complete: dissect it whole, in the frame of its last record.
          fx.clearInfo();
          byte[] whole = java.util.Arrays.copyOf(f.buf, f.len);
          int total = (int) (f.len + f.extra); // bytes past whole.length were counted only
          long start = f.pduSeq;
          int oldLen = total - (d.length - offset);
          boolean counted = f.extra > 0;
          f.drop();
          dissect(c, fromServer, f, app, whole, 0, total, need, fx);
          called = true;
          reported = need.offset;
          if (need.len != 0 && need.offset <= oldLen && counted) {
            f.skipTo = Long.MAX_VALUE; // cannot happen for a Content-Length body: stop here
            another = 0;
          } else if (need.len != 0 && need.offset <= oldLen) {
            // Still short of its end (a body that needs more): keep collecting.
            f.start(whole, 0, whole.length, start, 0, false);
            f.countOnly = app == App.HTTP && need.len > 0;
            if (need.len == ONE_MORE) {
              f.pduNext = seq + (d.length - offset) + 1;
              f.entire = true;
            } else if (need.len == UNTIL_FIN) {
              f.untilFin = true;
              f.drop();
            } else {
              f.pduNext = seq + (d.length - offset) + need.len;
            }
            another = 0;
          } else if (need.len != 0) {
            mustDesegment = true;
            desegOffset = d.length - (total - need.offset);
          }
        }
      } else {
        f.drop();
        dissect(c, fromServer, f, app, d, offset, d.length, need, fx);
        called = true;
        reported = need.offset - offset;
        if (need.len != 0) {
          mustDesegment = true;
          desegOffset = need.offset;
        }
      }
      if (mustDesegment) {
        long at = seq + (desegOffset - offset);
        if (need.len == UNTIL_FIN) {
          f.untilFin = true;
        } else if (need.len == ONE_MORE) {
          f.start(d, desegOffset, d.length - desegOffset, at, nxt + 1, true);
        } else {
          f.start(d, desegOffset, d.length - desegOffset, at, nxt + need.len, false);
          f.countOnly = app == App.HTTP;
        }
      }
      if (!called || need.len != 0) {
        // Nothing was dissected: the data only starts or continues a message.
        if (reported == 0) {
          fx.setProtocol(tlsVersion(c));
          fx.setInfo("[TLS segment of a reassembled PDU]");
          if (fx.explain) segmentNote(c, fromServer, f, app, fx);
        }
      }
      if (another > 0) {
        // Another message follows in this record: what the first one wrote stays.
        fx.fenceInfo();
        fx.protocolWritable = false;
        offset += another;
        seq += another;
        continue;
      }
      return;
    }
  }

  /** Why a decrypted record reads "[TLS segment of a reassembled PDU]", once per connection. */
  private static void segmentNote(
      Connection c, boolean fromServer, Flow f, App app, TlsDissector.FrameCtx fx) {
    String who = fromServer ? "the server" : "the client";
    if (f.untilFin) {
      fx.segmentNote(
          "http-until-fin",
          "[TLS segment of a reassembled PDU]: the last record in this frame, from "
              + who
              + ", is part of an HTTP response with neither Content-Length nor chunked coding,"
              + " which ends where the connection ends (RFC 9112 section 6.3). Wireshark waits"
              + " for the end of the TCP stream to label it and, over TLS, never does: every"
              + " record of it reads this way."
              + " (Said once per connection.)");
      return;
    }
    fx.segmentNote(
        "http-segment",
        "[TLS segment of a reassembled PDU]: the last record in this frame, from "
            + who
            + ", carries part of "
            + (app == App.HTTP2 ? "an HTTP/2 frame" : "an HTTP message")
            + " that it does not complete. Wireshark labels "
            + (app == App.HTTP2 ? "the frame" : "the message")
            + " in the frame of the record that completes it, if the capture holds that record."
            + " (Said once per connection.)");
  }

  private static String tlsVersion(Connection c) {
    return c.version >= 0 ? ProtocolVersion.labelOf(c.version) : "SSL";
  }

  private static void dissect(
      Connection c,
      boolean fromServer,
      Flow f,
      App app,
      byte[] b,
      int off,
      int end,
      Need need,
      TlsDissector.FrameCtx fx) {
    if (app == App.HTTP2) Http2Labels.dissect(f.http2, b, off, end, need, fx);
    else Http1Labels.dissect(c.httpClient.http1, fromServer, b, off, end, need, fx);
  }
}
