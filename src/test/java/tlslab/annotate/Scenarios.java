package tlslab.annotate;

import java.util.List;

/** The openssl sessions the parity, decryption and fuzz tests share (made once per JVM). */
final class Scenarios {
  private Scenarios() {}

  static LoopbackCaptures.Capture tls12Gcm() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-gcm", "", List.of("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"), 0);
  }

  static LoopbackCaptures.Capture tls12Rsa() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-rsa", "-cipher AES128-SHA", List.of("-tls1_2 -cipher AES128-SHA"), 0);
  }

  static LoopbackCaptures.Capture tls12RsaResumed() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-rsa-resumed",
        "-cipher AES128-SHA",
        List.of(
            "-tls1_2 -cipher AES128-SHA -sess_out SESS",
            "-tls1_2 -cipher AES128-SHA -sess_in SESS"),
        0);
  }

  static LoopbackCaptures.Capture tls12RsaResumedById() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-rsa-resumed-id",
        "-cipher AES128-SHA -no_ticket",
        List.of(
            "-tls1_2 -cipher AES128-SHA -no_ticket -sess_out SESS",
            "-tls1_2 -cipher AES128-SHA -no_ticket -sess_in SESS"),
        0);
  }

  static LoopbackCaptures.Capture tls12Cbc() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-ecdhe-cbc", "", List.of("-tls1_2 -cipher ECDHE-RSA-AES256-SHA384"), 0);
  }

  /**
   * TLS 1.0 with AES-256-CBC and ECDHE, then a resumption by ticket: CBC with implicit IVs chained
   * across records (RFC 2246 6.2.3.2), encrypt-then-MAC (RFC 7366, openssl's default).
   */
  static LoopbackCaptures.Capture tls10Cbc() throws Exception {
    String c = "-tls1 -cipher ECDHE-RSA-AES256-SHA@SECLEVEL=0";
    return LoopbackCaptures.openssl(
        "tls10-cbc",
        "-cipher DEFAULT@SECLEVEL=0",
        List.of(c + " -sess_out SESS", c + " -sess_in SESS"),
        0);
  }

  /** TLS 1.0, TLS_RSA_WITH_AES_128_CBC_SHA, MAC-then-encrypt (no encrypt_then_mac). */
  static LoopbackCaptures.Capture tls10RsaNoEtm() throws Exception {
    return LoopbackCaptures.openssl(
        "tls10-rsa-no-etm",
        "-cipher DEFAULT@SECLEVEL=0 -no_etm",
        List.of("-tls1 -cipher AES128-SHA@SECLEVEL=0 -no_etm"),
        0);
  }

  /** TLS 1.1: explicit IVs like 1.2, but the MD5/SHA-1 PRF of RFC 4346 5. */
  static LoopbackCaptures.Capture tls11Cbc() throws Exception {
    return LoopbackCaptures.openssl(
        "tls11-cbc",
        "-cipher DEFAULT@SECLEVEL=0",
        List.of("-tls1_1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0"),
        0);
  }

  static LoopbackCaptures.Capture resumed() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-resumed", "", List.of("-tls1_2 -sess_out SESS", "-tls1_2 -sess_in SESS"), 0);
  }

  static LoopbackCaptures.Capture tls13Resumed() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-resumed", "", List.of("-tls1_3 -sess_out SESS", "-tls1_3 -sess_in SESS"), 0);
  }

  static LoopbackCaptures.Capture tls13ClientAuth() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-client-auth",
        "-Verify 1 -CAfile CLIENT_CA",
        List.of("-tls1_3 -cert CLIENT_CERT -key CLIENT_KEY"),
        0);
  }

  static LoopbackCaptures.Capture clientAuth() throws Exception {
    return LoopbackCaptures.openssl(
        "tls12-client-auth",
        "-Verify 1 -CAfile CLIENT_CA",
        List.of("-tls1_2 -cert CLIENT_CERT -key CLIENT_KEY"),
        0);
  }

  static LoopbackCaptures.Capture tls13() throws Exception {
    return LoopbackCaptures.openssl("tls13", "", List.of("-tls1_3"), 0);
  }

  static LoopbackCaptures.Capture tls13Chacha() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-chacha", "", List.of("-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256"), 0);
  }

  static LoopbackCaptures.Capture tls13Hrr() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-hrr", "-groups P-256", List.of("-tls1_3 -groups X25519:P-256"), 0);
  }

  static LoopbackCaptures.Capture fragmented() throws Exception {
    return LoopbackCaptures.openssl("tls12-frag", "-max_send_frag 512", List.of("-tls1_2"), 0);
  }

  static LoopbackCaptures.Capture bigRecords() throws Exception {
    return LoopbackCaptures.openssl("tls12-big", "", List.of("-tls1_2 BIGDATA"), 0);
  }

  /**
   * The student report's own setup with Python's ssl module: TLS 1.2, AES128-SHA, and its framing
   * (a 4-byte length, then a pickled message: two writes, so two records).
   */
  static LoopbackCaptures.Capture pythonReportChat() throws Exception {
    return LoopbackCaptures.around(
        "python-report-chat",
        port -> {
          java.nio.file.Path d = LoopbackCaptures.dir();
          String common = "import ssl,socket,struct,pickle,sys\n";
          String server =
              common
                  + "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.maximum_version=ssl.TLSVersion.TLSv1_2\n"
                  + "ctx.load_cert_chain('"
                  + d.resolve("server.pem")
                  + "','"
                  + d.resolve("server.key")
                  + "')\n"
                  + "ctx.set_ciphers('AES128-SHA')\n"
                  + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('127.0.0.1',"
                  + port
                  + ")); s.listen(1)\n"
                  + "print('ready',flush=True)\n"
                  + "c,_=s.accept(); t=ctx.wrap_socket(c,server_side=True)\n"
                  + "n=struct.unpack('!L',t.recv(4))[0]; m=pickle.loads(t.recv(n))\n"
                  + "b=pickle.dumps(('echo',)+m); t.send(struct.pack('!L',len(b))); t.send(b); t.close()\n";
          String client =
              common
                  + "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.maximum_version=ssl.TLSVersion.TLSv1_2\n"
                  + "ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE; ctx.set_ciphers('AES128-SHA')\n"
                  + "t=ctx.wrap_socket(socket.create_connection(('127.0.0.1',"
                  + port
                  + ")))\n"
                  + "b=pickle.dumps(('alice','hello from the report',)); t.send(struct.pack('!L',len(b))); t.send(b)\n"
                  + "n=struct.unpack('!L',t.recv(4))[0]; t.recv(n); t.close()\n";
          Process srv =
              new ProcessBuilder("python3", "-c", server).redirectErrorStream(true).start();
          try {
            java.io.BufferedReader r =
                new java.io.BufferedReader(new java.io.InputStreamReader(srv.getInputStream()));
            String first = r.readLine();
            if (first == null || !first.contains("ready"))
              throw new IllegalStateException("python server: " + first);
            Process cli =
                new ProcessBuilder("python3", "-c", client)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!cli.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) || cli.exitValue() != 0) {
              throw new IllegalStateException("python client failed");
            }
            srv.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
          } finally {
            srv.destroy();
          }
          return null;
        });
  }

  static LoopbackCaptures.Capture ipv6() throws Exception {
    return LoopbackCaptures.openssl("tls12-ipv6", "", List.of("-tls1_2"), 0, "lo", "::1");
  }

  static LoopbackCaptures.Capture cookedV2() throws Exception {
    return LoopbackCaptures.openssl(
        "tls13-any-sll2", "", List.of("-tls1_3"), 0, "any", "127.0.0.1");
  }

  static LoopbackCaptures.Capture snaplen(String name, String clientArgs, int snaplen)
      throws Exception {
    return LoopbackCaptures.openssl(name, "", List.of(clientArgs), snaplen);
  }

  static LoopbackCaptures.Capture split(String name, LoopbackCaptures.Capture from, int size)
      throws Exception {
    return LoopbackCaptures.derived(name, from, PcapRewriter.splitInto(size));
  }

  /**
   * The 40 KB session with its segments cut by record: each record starts a segment and is cut
   * every 1400 bytes from its first byte ({@link PcapRewriter#recordAligned}), whatever sizes
   * s_client's writes had and however the kernel sent them.
   */
  static LoopbackCaptures.Capture bigRecordsAligned() throws Exception {
    return LoopbackCaptures.transformed(
        "tls12-big-aligned",
        bigRecords(),
        (in, out) -> PcapRewriter.recordAligned(in, out, BIG_SEGMENT));
  }

  private static final int BIG_SEGMENT = 1400;

  /**
   * The 40 KB session, record-aligned, without the first segment of one of the client's Application
   * Data records: the next segment starts inside that record, with ciphertext. In a TLS 1.2
   * conversation tshark 4.0 reads the first byte of such a segment as a record's content type
   * (dissect_ssl3_record): a byte that is not one (20 to 26, ssl_is_valid_content_type) makes it
   * print "Ignored Unknown Record" for the rest of the segment. Ciphertext bytes are random, so the
   * record is chosen by its bytes: the first one whose second segment does not start with 20 to 26
   * (a record whose first byte after the hole looks like a content type is the case below).
   */
  static LoopbackCaptures.Capture bigRecordsLost() throws Exception {
    LoopbackCaptures.Capture aligned = bigRecordsAligned();
    return drop("tls12-big-aligned-drop", aligned, lostRecordStart(aligned)[0]);
  }

  /**
   * As {@link #bigRecordsLost}, and the second segment after the hole (ciphertext, so any byte
   * value is possible) starts with 19 03 03 23 0d: a record header of type 25 (RFC 9146 tls12_cid)
   * and length 8973 in Wireshark 4.0's eyes. It swallows the following segments and its end falls
   * inside one, whose tail is dissected as the next record. Real ciphertext does this by chance in
   * about one capture of fifty.
   */
  static LoopbackCaptures.Capture lostThenLookalikeHeader() throws Exception {
    LoopbackCaptures.Capture aligned = bigRecordsAligned();
    int patch = lostRecordStart(aligned)[1];
    return LoopbackCaptures.patched(
        "tls12-big-aligned-drop-cid", bigRecordsLost(), patch, new byte[] {25, 3, 3, 0x23, 0x0d});
  }

  /**
   * In a record-aligned capture: the data segment (1-based, all directions) that starts the client
   * Application Data record {@link #bigRecordsLost} drops, and the segment to patch for {@link
   * #lostThenLookalikeHeader}, numbered as in the capture without the dropped one. The record must
   * reach into a third segment (a header of type 25 and length 8973 then ends inside the session's
   * later records) and its second segment must not start with a content type.
   */
  static int[] lostRecordStart(LoopbackCaptures.Capture aligned) throws Exception {
    List<PcapRewriter.Data> client =
        PcapRewriter.data(aligned.file()).stream()
            .filter(d -> d.dstPort() == aligned.port())
            .toList();
    List<Integer> sizes = new java.util.ArrayList<>();
    for (int k = 0; k + 2 < client.size(); k++) {
      byte[] a = client.get(k).payload();
      if (a.length < 5 || a[0] != 23) continue;
      int record = 5 + ((a[3] & 0xff) << 8 | (a[4] & 0xff));
      sizes.add(record);
      int next = client.get(k + 1).payload()[0] & 0xff;
      if (record > 2 * BIG_SEGMENT && (next < 20 || next > 26)) {
        return new int[] {client.get(k).index(), client.get(k + 2).index() - 1};
      }
    }
    throw new AssertionError(
        aligned.file()
            + ": no client Application Data record longer than "
            + 2 * BIG_SEGMENT
            + " bytes whose second segment starts with a byte other than 20 to 26; record sizes "
            + sizes);
  }

  static LoopbackCaptures.Capture drop(String name, LoopbackCaptures.Capture from, int which)
      throws Exception {
    return LoopbackCaptures.derived(name, from, PcapRewriter.dropDataSegment(which));
  }
}
