package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.quic.PacketProtection;

/**
 * QUIC on real captures, against tshark 4.0 as the oracle. One capture is made here: Debian's
 * ngtcp2 client and server (gtlsclient/gtlsserver, GnuTLS) do an HTTP/3 request over loopback on an
 * OS-chosen port while tcpdump records it, and GnuTLS writes the QUIC secrets to SSLKEYLOGFILE. A
 * second client offers a version the server does not speak, which yields a real Version
 * Negotiation. The other capture is a browser's (Chrome to Cloudflare, in {@code
 * ../shared/captures/real}): its Client Hello is split into many CRYPTO frames sent out of order.
 */
@Tag("slow")
class QuicCaptureTest {
  @TempDir static Path dir;
  static Path pcap;
  static Path keylog;
  static Path vnPcap;
  static Path zeroRttPcap;
  static Path zeroRttKeylog;
  static Path retryPcap;
  static Path retryKeylog;
  static Path keyUpdatePcap;
  static Path keyUpdateKeylog;
  static Path oneByOnePcap;
  static Path oneByOneKeylog;
  static Path v2DraftPcap;
  static final Path CHROME = Path.of("../shared/captures/real/ja4-rules.pcap");

  @BeforeAll
  static void capture() throws Exception {
    assertThat(Path.of("/usr/bin/gtlsclient"))
        .as("Debian package ngtcp2-client (./lab test installs it as root)")
        .exists();
    assertThat(Path.of("/usr/sbin/gtlsserver")).as("Debian package ngtcp2-server").exists();
    Path key = dir.resolve("key.pem");
    Path cert = dir.resolve("cert.pem");
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "2",
            "-subj",
            "/CN=quic.lab",
            "-addext",
            "subjectAltName=DNS:quic.lab"),
        Map.of());
    keylog = dir.resolve("quic.keylog");
    pcap = session("h3", key, cert, List.of(), Map.of("SSLKEYLOGFILE", keylog.toString()));
    vnPcap = session("vn", key, cert, List.of("-v", "0x6b3343cf"), Map.of());
    // Two connections: the second resumes the first's session and sends its request as 0-RTT.
    zeroRttKeylog = dir.resolve("0rtt.keylog");
    List<String> resume =
        List.of(
            "--session-file=" + dir.resolve("session.bin"), "--tp-file=" + dir.resolve("tp.bin"));
    zeroRttPcap =
        sessions(
            "0rtt",
            List.of(),
            key,
            cert,
            List.of(resume, resume),
            Map.of("SSLKEYLOGFILE", zeroRttKeylog.toString()));
    // The server validates the client's address first: a real Retry (ngtcp2 server -V).
    retryKeylog = dir.resolve("retry.keylog");
    retryPcap =
        sessions(
            "retry",
            List.of("-V"),
            key,
            cert,
            List.of(List.of()),
            Map.of("SSLKEYLOGFILE", retryKeylog.toString()));
    // A 2 MB download, long enough for the client's key update (ngtcp2 client --key-update) to
    // happen while the server still sends: the server serves index.html for "/".
    Path htdocs = Files.createDirectories(dir.resolve("htdocs"));
    byte[] data = new byte[2_000_000];
    new java.util.Random(6).nextBytes(data);
    Files.write(htdocs.resolve("index.html"), data);
    keyUpdateKeylog = dir.resolve("ku.keylog");
    keyUpdatePcap =
        sessions(
            "ku",
            List.of("-d", htdocs.toString()),
            key,
            cert,
            List.of(List.of("--key-update=2ms")),
            Map.of("SSLKEYLOGFILE", keyUpdateKeylog.toString()));
    // The same download with one QUIC packet per datagram (no GSO): tshark opens every packet.
    oneByOneKeylog = dir.resolve("ku1.keylog");
    oneByOnePcap =
        sessions(
            "ku1",
            List.of("--max-gso-dgrams=1", "-d", htdocs.toString()),
            key,
            cert,
            List.of(List.of("--key-update=2ms")),
            Map.of("SSLKEYLOGFILE", oneByOneKeylog.toString()));
    // Debian's ngtcp2 (0.12) speaks QUIC v2 only as the provisional 0x709a50c4 of the v2 drafts,
    // not RFC 9369's 0x6b3343cf: a real handshake in a version tshark 4.0 does not recognise.
    v2DraftPcap =
        sessions(
            "v2draft",
            List.of("--preferred-versions=0x709a50c4"),
            key,
            cert,
            List.of(List.of("-v", "0x709a50c4")),
            Map.of());
    assertThat(Files.readString(keylog)).contains("SERVER_HANDSHAKE_TRAFFIC_SECRET");
  }

  private static Path session(
      String name, Path key, Path cert, List<String> clientArgs, Map<String, String> env)
      throws Exception {
    return sessions(name, List.of(), key, cert, List.of(clientArgs), env);
  }

  /** ngtcp2 client runs, one after the other, against a fresh server, captured; the pcap. */
  private static Path sessions(
      String name,
      List<String> serverArgs,
      Path key,
      Path cert,
      List<List<String>> clientRuns,
      Map<String, String> env)
      throws Exception {
    int port;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path file = dir.resolve(name + ".pcap");
    Process dump =
        new ProcessBuilder(
                "tcpdump",
                "-i",
                "lo",
                "--immediate-mode",
                "-U",
                "-n",
                "-w",
                file.toString(),
                "udp port " + port)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Process server = null;
    try {
      LoopbackCaptures.awaitLine(dump, true, "listening on");
      // tcpdump is live once a probe datagram reaches the file.
      probeUntilWritten(file, port, 24);
      List<String> serverCmd = new ArrayList<>(List.of("gtlsserver", "-q"));
      serverCmd.addAll(serverArgs);
      serverCmd.addAll(
          List.of("127.0.0.1", Integer.toString(port), key.toString(), cert.toString()));
      server =
          new ProcessBuilder(serverCmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      awaitUdpListener(port);
      for (List<String> clientArgs : clientRuns) {
        List<String> client = new ArrayList<>(List.of("gtlsclient", "-q"));
        client.addAll(clientArgs);
        client.addAll(
            List.of(
                "--exit-on-all-streams-close",
                "--timeout=10s",
                "127.0.0.1",
                Integer.toString(port),
                "https://quic.lab/"));
        // A client whose version the server refuses exits with an error: expected.
        boolean refused = clientArgs.contains("-v");
        run(client, env, refused ? -1 : 0);
      }
      long size = Files.size(file);
      probeUntilWritten(file, port, size); // everything before the probe is in the file
    } finally {
      if (server != null) server.destroy();
      dump.destroy();
      dump.waitFor(5, TimeUnit.SECONDS);
    }
    return file;
  }

  private static void probeUntilWritten(Path file, int port, long beyond) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (DatagramSocket s = new DatagramSocket()) {
      byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
      while (!Files.exists(file) || Files.size(file) <= beyond) {
        assertThat(System.nanoTime()).as("tcpdump writes the probe").isLessThan(deadline);
        s.send(new DatagramPacket(probe, probe.length, InetAddress.getLoopbackAddress(), port));
        Thread.sleep(20); // poll interval while waiting for the condition
      }
    }
  }

  private static void awaitUdpListener(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Process ss = new ProcessBuilder("ss", "-Hlun", "sport = :" + port).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor();
      if (out.contains(":" + port)) return;
      assertThat(System.nanoTime()).as("gtlsserver listens").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void run(List<String> cmd, Map<String, String> env) throws Exception {
    run(cmd, env, 0);
  }

  private static void run(List<String> cmd, Map<String, String> env, int expectedExit)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(cmd.get(0) + " ends").isTrue();
    if (expectedExit >= 0) assertThat(p.exitValue()).as(cmd + ": " + out).isEqualTo(expectedExit);
  }

  /** tshark's frame number, Protocol, Info and extra fields. */
  static List<String[]> tshark(Path file, List<String> opts, String... fields) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-r", file.toString()));
    cmd.addAll(opts);
    cmd.addAll(List.of("-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol"));
    cmd.addAll(List.of("-e", "_ws.col.Info"));
    for (String f : fields) cmd.addAll(List.of("-e", f));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) rows.add(line.split("\t", -1));
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // 2: a capture cut short in the middle of a packet; tshark labels what it could read.
    assertThat(p.exitValue()).as("tshark exit code").isIn(0, 2);
    if (p.exitValue() == 2) assertThat(rows).as("tshark read some frames").isNotEmpty();
    return rows;
  }

  record Annotated(Map<Long, Row> rows, List<QuicConnectionFacts> quic) {}

  static Annotated annotate(Path file, KeyMaterial keys) throws Exception {
    Map<Long, Row> rows = new LinkedHashMap<>();
    Annotator an = new Annotator(keys, true);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(file)) {
      while (r.next(f)) {
        Row row = an.annotate(f);
        rows.put(row.number, row.copy());
      }
    }
    assertThat(an.problems()).as("internal problems").isEmpty();
    return new Annotated(rows, an.quicFacts());
  }

  /** Differences in Protocol and Info on every frame that is not TCP (QUIC, UDP, ...). */
  static List<String> differences(List<String[]> tshark, Map<Long, Row> ours) {
    List<String> diffs = new ArrayList<>();
    for (String[] t : tshark) {
      if (t[1].equals("TCP") || t[1].startsWith("TLS")) continue; // TsharkParityTest's part
      Row r = ours.get(Long.parseLong(t[0]));
      String want = t[1] + " | " + t[2];
      String got = r == null ? "(none)" : r.protocol + " | " + r.info;
      if (!want.equals(got))
        diffs.add("frame " + t[0] + ": tshark [" + want + "] ours [" + got + "]");
    }
    return diffs;
  }

  @Test
  void everyQuicAndUdpFrameIsLabelledAsTsharkDoesWithoutKeys() throws Exception {
    List<String[]> t = tshark(pcap, List.of());
    assertThat(t.stream().filter(r -> r[1].equals("QUIC")).count()).isGreaterThan(5);
    assertThat(t.stream().filter(r -> r[1].equals("UDP")).count()).as("probes").isPositive();
    assertThat(differences(t, annotate(pcap, KeyMaterial.none()).rows())).isEmpty();
  }

  @Test
  void withTheKeyLogHandshakeAnd1RttPacketsOpenAsInTshark() throws Exception {
    List<String[]> t = tshark(pcap, List.of("-o", "tls.keylog_file:" + keylog));
    assertThat(t.stream().filter(r -> r[1].equals("HTTP3")).count()).isPositive();
    long opened = t.stream().filter(r -> r[2].contains("PKN:")).count();
    long openedWithoutKeys =
        tshark(pcap, List.of()).stream().filter(r -> r[2].contains("PKN:")).count();
    assertThat(opened).as("packets opened with the key log").isGreaterThan(openedWithoutKeys);
    assertThat(differences(t, annotate(pcap, KeyMaterial.none().withKeyLog(keylog)).rows()))
        .isEmpty();
  }

  @Test
  void sniAndAlpnAreReadFromTheInitialWithoutKeys() throws Exception {
    for (Path file : List.of(pcap, CHROME)) {
      if (file == CHROME) {
        assertThat(CHROME).as("../shared/captures/real (real captures folder) is absent").exists();
      }
      List<String[]> hello =
          tshark(
                  file,
                  List.of("-Y", "quic && tls.handshake.type == 1"),
                  "tls.handshake.extensions_server_name",
                  "tls.handshake.extensions_alpn_str")
              .stream()
              .toList();
      assertThat(hello).as("tshark finds a QUIC Client Hello in " + file).hasSize(1);
      List<QuicConnectionFacts> quic = annotate(file, KeyMaterial.none()).quic();
      assertThat(quic).hasSize(1);
      QuicConnectionFacts c = quic.get(0);
      assertThat(c.serverName()).isEqualTo(hello.get(0)[3]);
      assertThat(String.join(",", c.alpnOffered())).isEqualTo(hello.get(0)[4]);
      assertThat(c.alpnOffered()).contains("h3");
      assertThat(c.messages()).startsWith("Client Hello", "Server Hello");
      assertThat(c.serverChain()).as("no key log: the Certificate stays hidden").isEmpty();
    }
  }

  @Test
  void chromesOutOfOrderCryptoFramesAreReassembledAndLabelledAsTsharkDoes() throws Exception {
    assertThat(CHROME).as("../shared/captures/real (real captures folder) is absent").exists();
    List<String[]> t = tshark(CHROME, List.of());
    Annotated a = annotate(CHROME, KeyMaterial.none());
    assertThat(differences(t, a.rows())).isEmpty();
    Row initial =
        a.rows().values().stream().filter(r -> r.info.startsWith("Initial")).findFirst().get();
    assertThat(initial.info.split("CRYPTO", -1).length - 1).as("CRYPTO frames").isGreaterThan(5);
    assertThat(initial.notes).anyMatch(n -> n.startsWith("Client Hello (RFC 8446 section 4.1.2)"));
    assertThat(initial.notes).anyMatch(n -> n.contains("cloudflare-quic.com"));
  }

  @Test
  void withTheKeyLogTheServerCertificateInAHandshakePacketMatchesTshark() throws Exception {
    List<String[]> t =
        tshark(
            pcap,
            List.of("-o", "tls.keylog_file:" + keylog, "-Y", "tls.handshake.type == 11"),
            "tls.handshake.certificate");
    assertThat(t).as("tshark shows one Certificate").hasSize(1);
    String tsharkCert = t.get(0)[3].split(",")[0];
    Annotated a = annotate(pcap, KeyMaterial.none().withKeyLog(keylog));
    QuicConnectionFacts c = a.quic().get(0);
    assertThat(c.messages())
        .contains("Encrypted Extensions", "Certificate", "Certificate Verify", "Finished");
    assertThat(c.alpnChosen()).containsExactly("h3");
    assertThat(HexFormat.of().formatHex(c.serverChain().get(0).getEncoded())).isEqualTo(tsharkCert);
    Row row = a.rows().get(Long.parseLong(t.get(0)[0]));
    assertThat(row.notes)
        .anyMatch(
            n ->
                n.startsWith("Certificate (RFC 8446 section 4.4.2) from the server in CRYPTO")
                    && n.contains("Handshake packet")
                    && n.contains("CN=quic.lab"));
  }

  @Test
  void versionNegotiationIsLabelledAsTsharkDoes() throws Exception {
    List<String[]> t = tshark(vnPcap, List.of());
    assertThat(t).anyMatch(r -> r[2].startsWith("Version Negotiation"));
    Annotated a = annotate(vnPcap, KeyMaterial.none());
    assertThat(differences(t, a.rows())).isEmpty();
    assertThat(a.rows().values())
        .anyMatch(r -> r.notes.stream().anyMatch(n -> n.contains("0x00000001")));
  }

  @Test
  void theNotesTeachWhatDiffersFromTlsOverTcp() throws Exception {
    Annotated a = annotate(pcap, KeyMaterial.none());
    List<String> notes = new ArrayList<>();
    a.rows().values().forEach(r -> notes.addAll(r.notes));
    assertThat(notes)
        .anyMatch(
            n ->
                n.startsWith("QUIC version 1 Initial packet from the client")
                    && n.contains("RFC 9001 section 5.2")
                    && n.contains("no record headers and no Change Cipher Spec"))
        .anyMatch(n -> n.startsWith("1-RTT packet") && n.contains("Header protection"))
        .anyMatch(n -> n.startsWith("Handshake packet") && n.contains("A key log with"))
        .anyMatch(n -> n.contains("coalesced (RFC 9000 section 12.2)"))
        .anyMatch(n -> n.startsWith("Client Hello") && n.contains("h3 is HTTP/3, RFC 9114"))
        .noneMatch(n -> n.contains("RFC 5246") || n.contains("record says"));
    // Nothing in this capture is 0-RTT or a Retry: no such claims.
    assertThat(notes).noneMatch(n -> n.startsWith("0-RTT") || n.startsWith("Retry"));
  }

  @Test
  void mutatedQuicCapturesNeverCrash() throws Exception {
    List<byte[]> seeds = List.of(Files.readAllBytes(pcap), Files.readAllBytes(vnPcap));
    if (Files.exists(CHROME))
      seeds = List.of(seeds.get(0), seeds.get(1), Files.readAllBytes(CHROME));
    KeyMaterial keys = KeyMaterial.none().withKeyLog(keylog);
    java.util.Random rnd = new java.util.Random(20261201L);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      byte[] m = seeds.get(i % seeds.size()).clone();
      int region = 24 + 42; // after the pcap header and the first frame's Ethernet/IP/UDP headers
      switch (i % 4) {
        case 0 -> m = java.util.Arrays.copyOf(m, region + rnd.nextInt(m.length - region));
        case 1 -> {
          for (int k = 0; k < 1 + rnd.nextInt(12); k++)
            m[region + rnd.nextInt(m.length - region)] ^= (byte) (1 + rnd.nextInt(255));
        }
        case 2 -> {
          // Bogus QUIC lengths and CID lengths after long-header-looking bytes.
          for (int k = region; k + 8 < m.length; k++) {
            if ((m[k] & 0xc0) == 0xc0 && m[k + 1] == 0 && m[k + 2] == 0 && rnd.nextInt(2) == 0) {
              m[k + 5] = (byte) rnd.nextInt(256);
              m[k + 7] = (byte) rnd.nextInt(256);
            }
          }
        }
        default -> {
          int a = region + rnd.nextInt(m.length - region);
          int len = Math.min(m.length - a, 1 + rnd.nextInt(64));
          for (int k = 0; k < len; k++) m[a + k] = (byte) rnd.nextInt(256);
        }
      }
      Annotator an = new Annotator(i % 2 == 0 ? keys : KeyMaterial.none(), true);
      Frame f = new Frame();
      try (CaptureReader r = CaptureReader.of(new java.io.ByteArrayInputStream(m), "mutant")) {
        while (r.next(f)) {
          Row row = an.annotate(f);
          if (row.protocol.isEmpty())
            failures.add("mutant " + i + " frame " + f.number + ": no protocol");
        }
        an.quicFacts();
      } catch (tlslab.common.LabException e) {
        if (e.kind() != tlslab.common.LabException.Kind.BAD_INPUT) failures.add(i + ": " + e);
      } catch (RuntimeException e) {
        failures.add("mutant " + i + ": " + e);
      }
      if (!an.problems().isEmpty()) failures.add("mutant " + i + ": " + an.problems());
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void zeroRttOfAResumedSessionIsLabelledAsTsharkDoesAndExplained() throws Exception {
    List<String[]> plain = tshark(zeroRttPcap, List.of());
    assertThat(plain)
        .as("the second connection sent 0-RTT")
        .anyMatch(r -> r[2].startsWith("0-RTT"));
    Annotated a = annotate(zeroRttPcap, KeyMaterial.none());
    assertThat(differences(plain, a.rows())).isEmpty();
    List<String[]> keyed = tshark(zeroRttPcap, List.of("-o", "tls.keylog_file:" + zeroRttKeylog));
    assertThat(keyed).anyMatch(r -> r[2].startsWith("0-RTT") && r[2].contains("STREAM("));
    Annotated k = annotate(zeroRttPcap, KeyMaterial.none().withKeyLog(zeroRttKeylog));
    assertThat(differences(keyed, k.rows())).isEmpty();
    assertThat(k.quic()).hasSize(2);
    assertThat(k.quic().get(0).messages()).contains("Certificate");
    assertThat(k.quic().get(1).messages())
        .as("a PSK resumption has no Certificate")
        .contains("Client Hello", "Server Hello", "Encrypted Extensions", "Finished")
        .doesNotContain("Certificate", "Certificate Verify");
    List<String> notes = new ArrayList<>();
    a.rows().values().forEach(r -> notes.addAll(r.notes));
    assertThat(notes)
        .anyMatch(n -> n.startsWith("0-RTT packet (RFC 9001 section 4.6)") && n.contains("replay"))
        .anyMatch(
            n -> n.startsWith("Server Hello") && n.contains("resuming with a pre-shared key"));
  }

  @Test
  void retryIsLabelledAsTsharkDoesAndItsIntegrityTagIsChecked() throws Exception {
    List<String[]> plain = tshark(retryPcap, List.of());
    assertThat(plain).as("the server sent a Retry").anyMatch(r -> r[2].startsWith("Retry, "));
    // After the Retry the client's Initial goes to the new connection ID: new Initial keys.
    int retryAt = indexOf(plain, "Retry, ");
    assertThat(plain.subList(retryAt, plain.size()))
        .as("tshark opens the Initial after the Retry")
        .anyMatch(r -> r[2].startsWith("Initial, ") && r[2].contains("CRYPTO"));
    Annotated a = annotate(retryPcap, KeyMaterial.none());
    assertThat(differences(plain, a.rows())).isEmpty();
    Row retry = a.rows().get(Long.parseLong(plain.get(retryAt)[0]));
    assertThat(retry.notes)
        .anyMatch(
            n ->
                n.startsWith("Retry (RFC 9000 section 17.2.5)")
                    && n.contains("RFC 9001 section 5.8) was checked here and is valid"));
    assertThat(retry.problems).isEmpty();
    assertThat(a.quic()).hasSize(1);
    assertThat(a.quic().get(0).retries()).isEqualTo(1);
    assertThat(a.quic().get(0).messages()).startsWith("Client Hello", "Server Hello");
    List<String[]> keyed = tshark(retryPcap, List.of("-o", "tls.keylog_file:" + retryKeylog));
    Annotated k = annotate(retryPcap, KeyMaterial.none().withKeyLog(retryKeylog));
    assertThat(differences(keyed, k.rows())).isEmpty();
    assertThat(k.quic().get(0).messages()).contains("Certificate", "Finished");
  }

  @Test
  void aRetryWhoseTagIsBrokenIsFlaggedAndIgnored() throws Exception {
    byte[] file = Files.readAllBytes(retryPcap);
    List<String[]> plain = tshark(retryPcap, List.of());
    int retryAt = indexOf(plain, "Retry, ");
    // Flip the Retry's last byte (its tag) in the copy: pcap frames are in file order.
    Path broken = dir.resolve("retry-broken.pcap");
    int at = frameEnd(file, retryAt + 1) - 1;
    file[at] ^= 1;
    Files.write(broken, file);
    Annotated a = annotate(broken, KeyMaterial.none());
    Row retry = a.rows().get((long) retryAt + 1);
    assertThat(retry.info).startsWith("Retry, ");
    assertThat(retry.problems).anyMatch(p -> p.contains("Retry Integrity Tag does not verify"));
    assertThat(retry.notes).anyMatch(n -> n.contains("does NOT verify"));
  }

  @Test
  void aKeyUpdateOnARealCaptureIsFollowedAsTsharkDoes() throws Exception {
    List<String[]> keyed =
        tshark(keyUpdatePcap, List.of("-o", "tls.keylog_file:" + keyUpdateKeylog));
    assertThat(keyed).as("tshark sees key phase 1").anyMatch(r -> r[2].contains("(KP1)"));
    assertThat(keyed).anyMatch(r -> r[2].contains("(KP0)") && r[2].contains("PKN:"));
    Annotated k = annotate(keyUpdatePcap, KeyMaterial.none().withKeyLog(keyUpdateKeylog));
    assertThat(differences(keyed, k.rows())).isEmpty();
    assertThat(k.quic().get(0).keyUpdates()).isPositive();
    List<String> notes = new ArrayList<>();
    k.rows().values().forEach(r -> notes.addAll(r.notes));
    assertThat(notes).anyMatch(n -> n.startsWith("Key update (RFC 9001 section 6)"));
    // Without keys the key phase bit stays hidden by header protection: KP0 as tshark writes it.
    List<String[]> plain = tshark(keyUpdatePcap, List.of());
    assertThat(differences(plain, annotate(keyUpdatePcap, KeyMaterial.none()).rows())).isEmpty();
  }

  /**
   * A run of server packets spanning more than 128 packet numbers that neither tool can open (their
   * tags broken here; on a real capture, GSO datagrams), after the server's packet numbers passed
   * 256: tshark 4.0 keeps its largest packet number at the last packet it opened and reads the next
   * 1-byte number in the block above, so it opens that packet (RFC 9000 A.3 would read it 256
   * lower). Every frame must still match tshark, the broken ones included.
   */
  @Test
  void afterMoreThan128PacketsNoOneCanOpenThePacketNumberIsReadAsTsharkReadsIt() throws Exception {
    List<String> opts = List.of("-o", "tls.keylog_file:" + oneByOneKeylog);
    List<String[]> keyed = tshark(oneByOnePcap, opts, "udp.dstport", "quic.packet_number_length");
    String serverPort = keyed.get(0)[3]; // the client's first Initial goes to the server
    List<String[]> server = new ArrayList<>();
    for (String[] r : keyed) {
      if (r[2].startsWith("Protected Payload (KP") && !r[3].equals(serverPort)) server.add(r);
    }
    // The last packet opened before the run: past 256 and low in its 256-number block, so that a
    // packet more than 128 ahead but in the same block is read differently by tshark and the RFC.
    // The first such pair whose later packet has a 1-byte number (ngtcp2 picks the length from
    // what the client has acknowledged: a slow client can make it 2 bytes, read alike by both).
    int start = -1;
    int end = -1;
    for (int i = 0; i < server.size() && end < 0; i++) {
      long n = pkn(server.get(i));
      if (n < 256 || (n & 0xff) >= 64) continue;
      for (int e = i + 1; e < server.size() && pkn(server.get(e)) <= (n | 0xff); e++) {
        if (pkn(server.get(e)) - n > 129 && server.get(e)[4].equals("0")) {
          start = i;
          end = e;
          break;
        }
      }
    }
    assertThat(end).as("a 1-byte packet 130 past one numbered 256 or more").isPositive();
    long largest = pkn(server.get(start));
    String[] after = server.get(end);
    assertThat(end - start - 1).as("packets to break").isPositive();
    // Every one of them opened in tshark: each Info goes on past the packet number.
    for (int i = start; i <= end; i++) assertThat(server.get(i)[2]).matches(".*PKN: \\d+, .*");
    assertThat(PacketProtection.decodePacketNumber(largest, pkn(after) & 0xff, 8))
        .as("RFC 9000 A.3's reading")
        .isEqualTo(pkn(after) - 256);
    byte[] file = Files.readAllBytes(oneByOnePcap);
    for (int i = start + 1; i < end; i++) {
      int at = frameEnd(file, Integer.parseInt(server.get(i)[0])) - 1;
      file[at] ^= 1; // the last byte of the datagram: the AEAD tag
    }
    Path broken = dir.resolve("ku1-broken.pcap");
    Files.write(broken, file);
    List<String[]> t = tshark(broken, opts);
    assertThat(t.get(Integer.parseInt(server.get(start + 1)[0]) - 1)[2])
        .as("a broken packet: header only")
        .endsWith(", PKN: " + pkn(server.get(start + 1)));
    assertThat(t.get(Integer.parseInt(after[0]) - 1)[2])
        .as("tshark opens the packet after the run")
        .isEqualTo(after[2]);
    Annotated k = annotate(broken, KeyMaterial.none().withKeyLog(oneByOneKeylog));
    assertThat(differences(t, k.rows())).isEmpty();
  }

  private static long pkn(String[] row) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("PKN: (\\d+)").matcher(row[2]);
    assertThat(m.find()).as(row[2]).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static int indexOf(List<String[]> rows, String infoPrefix) {
    for (int i = 0; i < rows.size(); i++) if (rows.get(i)[2].startsWith(infoPrefix)) return i;
    throw new AssertionError("no row starting with " + infoPrefix);
  }

  /** Offset just past frame {@code number} (1-based) of a classic pcap file. */
  private static int frameEnd(byte[] pcap, int number) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcap).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).as("little-endian pcap from tcpdump").isEqualTo(0xa1b2c3d4);
    int p = 24;
    for (int i = 1; ; i++) {
      int caplen = b.getInt(p + 8);
      p += 16 + caplen;
      if (i == number) return p;
    }
  }

  /** The report's end: a summary per QUIC connection, in text and JSON, true for this capture. */
  @Test
  void theReportSummarisesEachQuicConnectionTruthfully() throws Exception {
    String text = report(pcap, KeyMaterial.none(), OutputFormat.TABLE);
    String summary = text.substring(text.indexOf("== QUIC connection 1:"));
    String sni =
        tshark(
                pcap,
                List.of("-Y", "quic && tls.handshake.type == 1"),
                "tls.handshake.extensions_server_name")
            .get(0)[3];
    assertThat(summary)
        .contains("QUIC version 1 (RFC 9000)")
        .contains("Server name (SNI) " + sni + "; ALPN offered: h3")
        .contains("need a key log to open")
        .contains("0 of ")
        .contains("no Change Cipher Spec")
        .contains("Header protection")
        .doesNotContain("0-RTT packet", "Retry", "Key update", "Server certificate", "chosen");
    String keyed = report(pcap, KeyMaterial.none().withKeyLog(keylog), OutputFormat.TABLE);
    assertThat(keyed.substring(keyed.indexOf("== QUIC connection 1:")))
        .contains("ALPN chosen by the server: h3")
        .contains("Server certificate: CN=quic.lab")
        .doesNotContain("Header protection (RFC 9001 section 5.4) hid");
    com.google.gson.JsonObject json =
        com.google.gson.JsonParser.parseString(
                report(pcap, KeyMaterial.none().withKeyLog(keylog), OutputFormat.JSON))
            .getAsJsonObject();
    com.google.gson.JsonObject q = json.getAsJsonArray("quicConnections").get(0).getAsJsonObject();
    assertThat(q.get("serverName").getAsString()).isEqualTo(sni);
    assertThat(q.get("alpnChosen").getAsString()).isEqualTo("h3");
    assertThat(q.get("cipherSuite").getAsString()).startsWith("TLS_");
    assertThat(q.getAsJsonArray("serverCertificates").get(0).getAsString())
        .isEqualTo("CN=quic.lab");
    assertThat(q.getAsJsonArray("packets").toString()).contains("\"type\":\"Handshake\"");
    // The resumed 0-RTT connection, and the Retry and key-update captures, say so; others do not.
    String zero = report(zeroRttPcap, KeyMaterial.none(), OutputFormat.TABLE);
    String second = zero.substring(zero.indexOf("== QUIC connection 2:"));
    assertThat(second).contains("0-RTT packet").contains("replayed").contains("pre-shared key");
    assertThat(
            zero.substring(
                zero.indexOf("== QUIC connection 1:"), zero.indexOf("== QUIC connection 2:")))
        .doesNotContain("0-RTT packet");
    assertThat(report(retryPcap, KeyMaterial.none(), OutputFormat.TABLE))
        .contains("The server sent a Retry")
        .contains("Retry Integrity Tag verified");
    assertThat(
            report(
                keyUpdatePcap, KeyMaterial.none().withKeyLog(keyUpdateKeylog), OutputFormat.TABLE))
        .contains("Key update (RFC 9001 section 6): the client's 1-RTT keys changed once");
  }

  private static String report(Path file, KeyMaterial keys, OutputFormat format) {
    java.io.StringWriter w = new java.io.StringWriter();
    AnnotateReport.run(file, keys, format, false, new java.io.PrintWriter(w));
    return w.toString();
  }

  @Test
  void aDraftVersionTsharkDoesNotRecogniseStaysPlainUdpAsInTshark() throws Exception {
    List<String[]> t = tshark(v2DraftPcap, List.of());
    assertThat(t.stream().filter(r -> r[1].equals("UDP")).count())
        .as("the v2-draft handshake and the probes")
        .isGreaterThan(5);
    assertThat(t).noneMatch(r -> r[1].equals("QUIC"));
    Annotated a = annotate(v2DraftPcap, KeyMaterial.none());
    assertThat(differences(t, a.rows())).isEmpty();
    assertThat(a.quic()).isEmpty();
  }
}
