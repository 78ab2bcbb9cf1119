package tlslab.annotate;

/**
 * Where Wireshark's X.509 dissector runs off the end of a certificate: it reads each certificate of
 * a Certificate message as BER (packet-x509af.c), and a length that reaches beyond the bytes the
 * certificate has throws an exception, which tshark shows as "[Malformed Packet]" right after the
 * message label and which ends the dissection of that frame. This checks the same thing on the
 * certificate's outer SEQUENCE and its first element (the TBSCertificate): their tag and length
 * fields must fit inside their container (ITU-T X.690 section 8.1.3).
 *
 * <pre>
 * opaque ASN.1Cert&lt;1..2^24-1&gt;;
 * struct { ASN.1Cert certificate_list&lt;0..2^24-1&gt;; } Certificate;           // TLS 1.2
 * struct { opaque certificate_request_context&lt;0..2^8-1&gt;;
 *          CertificateEntry certificate_list&lt;0..2^24-1&gt;; } Certificate;   // TLS 1.3
 * struct { opaque cert_data&lt;1..2^24-1&gt;; Extension extensions&lt;0..2^16-1&gt;; } CertificateEntry;
 * </pre>
 */
final class CertificateShape {
  private CertificateShape() {}

  /** True if a certificate in the Certificate message body {@code b[p..end)} is cut short. */
  static boolean malformed(byte[] b, int p, int end, boolean tls13) {
    if (tls13) {
      if (p >= end) return false;
      p += 1 + (b[p] & 0xff);
    }
    if (p + 3 > end) return false;
    int listEnd = Math.min(end, p + 3 + u24(b, p));
    p += 3;
    while (p + 3 <= listEnd) {
      int len = u24(b, p);
      int certEnd = p + 3 + len;
      if (certEnd > listEnd) return false; // the list itself is inconsistent: not a BER problem
      if (derOverruns(b, p + 3, certEnd)) return true;
      p = certEnd;
      if (tls13) {
        if (p + 2 > listEnd) return false;
        p += 2 + (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff));
      }
    }
    return false;
  }

  /** The outer TLV and its first inner TLV fit inside {@code [p, end)}? */
  private static boolean derOverruns(byte[] b, int p, int end) {
    long inner = tlvEnd(b, p, end);
    if (inner < 0) return true;
    int content = contentStart(b, p);
    if (content < 0 || content >= inner) return false;
    return tlvEnd(b, content, (int) inner) < 0;
  }

  /** End of the TLV at {@code p}, or -1 if its header or contents pass {@code end}. */
  private static long tlvEnd(byte[] b, int p, int end) {
    int content = contentStart(b, p);
    if (content < 0 || content > end) return -1;
    long len = length(b, p + 1);
    long e = content + len;
    return e > end ? -1 : e;
  }

  private static int contentStart(byte[] b, int p) {
    if (p + 2 > b.length) return -1;
    int first = b[p + 1] & 0xff;
    if (first < 0x80) return p + 2;
    int n = first & 0x7f;
    if (n == 0 || n > 4 || p + 2 + n > b.length) return -1;
    return p + 2 + n;
  }

  private static long length(byte[] b, int o) {
    int first = b[o] & 0xff;
    if (first < 0x80) return first;
    long v = 0;
    for (int i = 1; i <= (first & 0x7f); i++) v = (v << 8) | (b[o + i] & 0xff);
    return v;
  }

  private static int u24(byte[] b, int o) {
    return ((b[o] & 0xff) << 16) | ((b[o + 1] & 0xff) << 8) | (b[o + 2] & 0xff);
  }
}
