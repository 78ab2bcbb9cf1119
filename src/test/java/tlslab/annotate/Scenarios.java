package tlslab.annotate;

import java.util.List;

/** The openssl sessions the parity, decryption and fuzz tests share (made once per JVM). */
final class Scenarios {
  private Scenarios() {}

  static LoopbackCaptures.Capture tls12Gcm() throws Exception {
    return LoopbackCaptures.openssl("tls12-gcm", "", List.of("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"), 0);
  }

  static LoopbackCaptures.Capture tls12Rsa() throws Exception {
    return LoopbackCaptures.openssl("tls12-rsa", "-cipher AES128-SHA", List.of("-tls1_2 -cipher AES128-SHA"), 0);
  }

  static LoopbackCaptures.Capture tls12Cbc() throws Exception {
    return LoopbackCaptures.openssl("tls12-ecdhe-cbc", "", List.of("-tls1_2 -cipher ECDHE-RSA-AES256-SHA384"), 0);
  }

  static LoopbackCaptures.Capture resumed() throws Exception {
    return LoopbackCaptures.openssl("tls12-resumed", "",
        List.of("-tls1_2 -sess_out SESS", "-tls1_2 -sess_in SESS"), 0);
  }

  static LoopbackCaptures.Capture tls13Resumed() throws Exception {
    return LoopbackCaptures.openssl("tls13-resumed", "",
        List.of("-tls1_3 -sess_out SESS", "-tls1_3 -sess_in SESS"), 0);
  }

  static LoopbackCaptures.Capture tls13ClientAuth() throws Exception {
    return LoopbackCaptures.openssl("tls13-client-auth", "-Verify 1 -CAfile CLIENT_CA",
        List.of("-tls1_3 -cert CLIENT_CERT -key CLIENT_KEY"), 0);
  }

  static LoopbackCaptures.Capture clientAuth() throws Exception {
    return LoopbackCaptures.openssl("tls12-client-auth", "-Verify 1 -CAfile CLIENT_CA",
        List.of("-tls1_2 -cert CLIENT_CERT -key CLIENT_KEY"), 0);
  }

  static LoopbackCaptures.Capture tls13() throws Exception {
    return LoopbackCaptures.openssl("tls13", "", List.of("-tls1_3"), 0);
  }

  static LoopbackCaptures.Capture tls13Chacha() throws Exception {
    return LoopbackCaptures.openssl("tls13-chacha", "",
        List.of("-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256"), 0);
  }

  static LoopbackCaptures.Capture tls13Hrr() throws Exception {
    return LoopbackCaptures.openssl("tls13-hrr", "-groups P-256", List.of("-tls1_3 -groups X25519:P-256"), 0);
  }

  static LoopbackCaptures.Capture fragmented() throws Exception {
    return LoopbackCaptures.openssl("tls12-frag", "-max_send_frag 512", List.of("-tls1_2"), 0);
  }

  static LoopbackCaptures.Capture bigRecords() throws Exception {
    return LoopbackCaptures.openssl("tls12-big", "", List.of("-tls1_2 BIGDATA"), 0);
  }

  static LoopbackCaptures.Capture ipv6() throws Exception {
    return LoopbackCaptures.openssl("tls12-ipv6", "", List.of("-tls1_2"), 0, "lo", "::1");
  }

  static LoopbackCaptures.Capture cookedV2() throws Exception {
    return LoopbackCaptures.openssl("tls13-any-sll2", "", List.of("-tls1_3"), 0, "any", "127.0.0.1");
  }

  static LoopbackCaptures.Capture snaplen(String name, String clientArgs, int snaplen) throws Exception {
    return LoopbackCaptures.openssl(name, "", List.of(clientArgs), snaplen);
  }

  static LoopbackCaptures.Capture split(String name, LoopbackCaptures.Capture from, int size) throws Exception {
    return LoopbackCaptures.derived(name, from, PcapRewriter.splitInto(size));
  }

  static LoopbackCaptures.Capture drop(String name, LoopbackCaptures.Capture from, int which) throws Exception {
    return LoopbackCaptures.derived(name, from, PcapRewriter.dropDataSegment(which));
  }
}
