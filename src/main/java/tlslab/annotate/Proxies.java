package tlslab.annotate;

import java.nio.charset.StandardCharsets;

/**
 * Recognises a proxy set-up before TLS starts on a connection, so that the notes can say where the
 * TLS peer really is: an HTTP {@code CONNECT host:port} request (RFC 9110 9.3.6) or a SOCKS 5
 * CONNECT request (RFC 1928 4). Only the client's clear-text bytes before the first TLS record are
 * looked at.
 */
final class Proxies {
  private Proxies() {}

  static void look(Connection c, boolean fromA, byte[] b, int off, int cap, long frame) {
    if (!fromA || cap < 4) return; // the first sender (the client) opens the tunnel
    if (startsWith(b, off, cap, "CONNECT ")) {
      int end = off + 8;
      while (end < off + cap && b[end] != ' ' && b[end] != '\r') end++;
      c.proxyTarget = new String(b, off + 8, end - off - 8, StandardCharsets.ISO_8859_1);
      c.proxyKind = "HTTP CONNECT";
      c.proxyFrame = frame;
    } else if ((b[off] & 0xff) == 5 && (b[off + 1] & 0xff) == 1 && b[off + 2] == 0 && cap >= 7) {
      // VER=5 CMD=CONNECT RSV=0 ATYP DST.ADDR DST.PORT (RFC 1928 4)
      int atyp = b[off + 3] & 0xff;
      String host = null;
      int p = off + 4;
      if (atyp == 1 && cap >= 10) {
        host =
            (b[p] & 0xff)
                + "."
                + (b[p + 1] & 0xff)
                + "."
                + (b[p + 2] & 0xff)
                + "."
                + (b[p + 3] & 0xff);
        p += 4;
      } else if (atyp == 3) {
        int n = b[p] & 0xff;
        if (5 + n + 2 <= cap) {
          host = new String(b, p + 1, n, StandardCharsets.ISO_8859_1);
          p += 1 + n;
        }
      }
      if (host != null && p + 2 <= off + cap) {
        c.proxyTarget = host + ":" + (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff));
        c.proxyKind = "SOCKS 5";
        c.proxyFrame = frame;
      }
    }
  }

  private static boolean startsWith(byte[] b, int off, int cap, String s) {
    if (cap < s.length()) return false;
    for (int i = 0; i < s.length(); i++) if (b[off + i] != s.charAt(i)) return false;
    return true;
  }
}
