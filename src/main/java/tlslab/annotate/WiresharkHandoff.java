package tlslab.annotate;

import java.nio.charset.StandardCharsets;

/**
 * Whether tshark 4.0 hands a TCP payload to its TLS dissector, so that a frame is labelled TLS
 * exactly where tshark labels it TLS. tshark's TCP layer ({@code decode_tcp_ports} in packet-tcp.c)
 * tries, in order: the dissector a conversation was switched to (by STARTTLS, an HTTP CONNECT
 * tunnel or an earlier heuristic match), the dissector registered for the server port or either
 * port, then heuristics. With its default settings it never hands on a segment it flagged as a
 * retransmission or out-of-order ({@code tcp.no_subdissector_on_error: TRUE}).
 *
 * <p>The port tables are tshark 4.0.17's own ({@code tshark -G decodes}): {@code tcp.port} entries
 * that name "tls", and {@code tls.port} entries (the application protocols inside TLS, which
 * packet-tls.c uses to tell the server before it has seen a Client Hello).
 */
final class WiresharkHandoff {
  private WiresharkHandoff() {}

  /** {@code tshark -G decodes}: tcp.port values whose dissector is "tls". */
  static boolean tcpPortIsTls(int port) {
    return switch (port) {
      case 324,
          443,
          465,
          636,
          802,
          853,
          993,
          995,
          1300,
          2221,
          2443,
          3249,
          3250,
          3251,
          3252,
          3496,
          5061,
          5671,
          5684,
          5868,
          8883,
          11207,
          19999,
          27017 ->
          true;
      default -> false;
    };
  }

  /** {@code tshark -G decodes}: tls.port values (an application protocol runs over TLS there). */
  static boolean tlsAssociationPort(int port) {
    return port == 3389 || tcpPortIsTls(port);
  }

  /**
   * The port dissector tshark tries for a connection: the server port seen in a SYN or SYN/ACK,
   * else either port (lower first).
   */
  static boolean portSaysTls(int serverPort, int portA, int portB) {
    if (serverPort > 0 && tcpPortIsTls(serverPort)) return true;
    return tcpPortIsTls(portA) || tcpPortIsTls(portB);
  }

  /**
   * packet-tls.c {@code dissect_ssl_heur} on the first bytes of a payload: a TLS record header
   * (Handshake or Application Data, SSL 3.0 to TLS 1.2 record version, length 1 to 2^14 + 2047) or
   * an SSL 2.0-compatible Client Hello (RFC 5246 appendix E.2).
   */
  static boolean heuristicMatches(byte[] b, int off, int captured) {
    if (captured < 5) return false;
    int ct = b[off] & 0xff;
    int version = ((b[off + 1] & 0xff) << 8) | (b[off + 2] & 0xff);
    int length = ((b[off + 3] & 0xff) << 8) | (b[off + 4] & 0xff);
    if ((ct == 22 || ct == 23)
        && (version == 0x0300
            || version == 0x0301
            || version == 0x0302
            || version == 0x0303
            || version == 0x0101)
        && length > 0
        && length < 16384 + 2048) {
      return true;
    }
    if (captured < 46) return false;
    if ((b[off] & 0xff) != 0x80 || b[off + 2] != 1) return false;
    int cipherSpecs = u16(b, off + 5);
    int sessionId = u16(b, off + 7);
    return cipherSpecs != 0
        && cipherSpecs % 3 == 0
        && (sessionId == 0 || sessionId == 16)
        && u16(b, off + 9) == 32;
  }

  /**
   * Follows an HTTP CONNECT proxy exchange (packet-http.c): a client's {@code CONNECT host:port
   * HTTP/1.x} request, then a {@code 200} response, after which tshark hands the tunnel to the
   * dissector of the requested port. Returns true once the tunnel is open towards a TLS port.
   */
  static boolean httpConnectOpensTls(Connection c, boolean fromA, byte[] b, int off, int captured) {
    if (captured < 12) return false;
    if (startsWith(b, off, captured, "CONNECT ")) {
      int end = lineEnd(b, off, captured);
      String line = new String(b, off, end - off, StandardCharsets.ISO_8859_1);
      String[] parts = line.split(" ");
      if (parts.length == 3 && parts[2].startsWith("HTTP/1.")) {
        int colon = parts[1].lastIndexOf(':');
        int port = -1;
        if (colon >= 0) {
          try {
            port = Integer.parseInt(parts[1].substring(colon + 1));
          } catch (NumberFormatException e) {
            port = -1; // not a port: the tunnel goes nowhere tshark can name
          }
        }
        c.connectPort = port;
        c.connectFromA = fromA;
      }
      return false;
    }
    if (c.connectPort > 0
        && fromA != c.connectFromA
        && startsWith(b, off, captured, "HTTP/1.")
        && captured >= 12
        && b[off + 8] == ' '
        && startsWith(b, off + 9, captured - 9, "200")) {
      boolean tls = tcpPortIsTls(c.connectPort);
      c.connectPort = -1;
      return tls;
    }
    return false;
  }

  private static boolean startsWith(byte[] b, int off, int n, String s) {
    if (n < s.length()) return false;
    for (int i = 0; i < s.length(); i++) if (b[off + i] != s.charAt(i)) return false;
    return true;
  }

  private static int lineEnd(byte[] b, int off, int n) {
    for (int i = off; i < off + n; i++) if (b[i] == '\r' || b[i] == '\n') return i;
    return off + n;
  }

  private static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }
}
