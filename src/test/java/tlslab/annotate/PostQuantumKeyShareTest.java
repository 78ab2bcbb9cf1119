package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.bench.HeadlessChromium;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;
import tlslab.wire.NamedGroup;

/**
 * What browsers send today: Chromium offers X25519MLKEM768 (0x11ec, draft-ietf-tls-ecdhe-mlkem)
 * first, a key share Wireshark 4.0 shows as "Unknown (0x11ec)". Headless Chromium talks to the lab
 * server on its BoringSSL engine, which picks that group, and tcpdump records it; the sentences
 * must name the group and call the exchange what it is (a post-quantum hybrid, not plain (EC)DHE),
 * while the table's labels stay tshark's.
 */
@Tag("slow")
class PostQuantumKeyShareTest {
  private static final Sender C = Sender.CLIENT;
  private static final Sender S = Sender.SERVER;

  static LoopbackCaptures.Capture chromiumToHybridServer() throws Exception {
    return LoopbackCaptures.around(
        "chromium-x25519mlkem768",
        port -> {
          Path d = LoopbackCaptures.dir().resolve("pq");
          Files.createDirectories(d);
          Path certs = d.resolve("certs");
          if (!Files.exists(certs.resolve("server.p12")))
            LabCertificates.init(InitOptions.builder().dir(certs).keyType(KeyType.EC_P256).build());
          // netty-tcnative reads the groups from jdk.tls.namedGroups; JSSE 17 has no ML-KEM.
          Process server =
              new ProcessBuilder(
                      ProcessHandle.current().info().command().orElse("java"),
                      "-Djdk.tls.namedGroups=X25519MLKEM768,x25519",
                      "-cp",
                      System.getProperty("java.class.path"),
                      "tlslab.cli.Main",
                      "server",
                      "--port",
                      Integer.toString(port),
                      "--certs",
                      certs.toString(),
                      "--profile",
                      "tls13",
                      "--engine",
                      "boringssl",
                      "--warm-up",
                      "0")
                  .redirectErrorStream(true)
                  .start();
          try {
            awaitListening(server);
            List<String> chromium = new ArrayList<>(HeadlessChromium.baseFlags(d.resolve("prof")));
            chromium.addAll(
                List.of(
                    "--ignore-certificate-errors",
                    "--dump-dom",
                    "https://127.0.0.1:" + port + "/"));
            Process browser =
                new ProcessBuilder(chromium)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!browser.waitFor(30, TimeUnit.SECONDS)) {
              browser.destroyForcibly();
              throw new AssertionError("chromium --dump-dom did not finish in 30 s");
            }
          } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
          }
          return null; // BoringSSL writes no key log
        });
  }

  private static void awaitListening(Process server) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = r.readLine()) != null) {
      seen.add(line);
      if (line.startsWith("listening on")) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    r.transferTo(java.io.Writer.nullWriter());
                  } catch (java.io.IOException ignored) {
                    // the server was stopped
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return;
      }
    }
    throw new AssertionError("lab server stopped before listening: " + seen);
  }

  @Test
  void aHybridKeyShareIsNamedAndCalledWhatItIs() throws Exception {
    LoopbackCaptures.Capture c = chromiumToHybridServer();
    // The oracle: tshark reads a Client Hello offering 0x11ec and a Server Hello choosing it.
    List<String[]> groups = new ArrayList<>();
    Process p =
        new ProcessBuilder(
                "tshark",
                "-r",
                c.file().toString(),
                "-d",
                "tcp.port==" + c.port() + ",tls",
                "-Y",
                "tls.handshake.type == 1 || tls.handshake.type == 2",
                "-T",
                "fields",
                "-e",
                "tls.handshake.type",
                "-e",
                "tls.handshake.extensions_key_share_group")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) groups.add(l.split("\t", -1));
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(groups).as("tshark: hellos").isNotEmpty();
    String serverChose = groups.stream().filter(g -> g[0].equals("2")).findFirst().orElseThrow()[1];
    assertThat(serverChose).as("tshark: the Server Hello's key share group").isEqualTo("4588");
    assertThat(groups.stream().filter(g -> g[0].equals("1")).findFirst().orElseThrow()[1])
        .as("tshark: the Client Hello's key share groups")
        .contains("4588", "29");

    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    ConnectionFacts f = a.facts().get(0);
    assertThat(f.version()).isEqualTo(0x0304);
    assertThat(f.keyExchangeGroup()).isEqualTo(0x11ec);
    assertThat(f.keyExchange()).isEqualTo(KeyExchangeKind.TLS13_HYBRID);
    assertThat(f.keyExchange().forwardSecret()).isTrue();

    assertThat(a.hs(1, C, HandshakeType.CLIENT_HELLO))
        .contains("key_share (RFC 8446 4.2.8) already carries public keys for X25519MLKEM768")
        .contains("(Wireshark 4.0: Unknown (0x11ec))")
        .contains("X25519MLKEM768 is a post-quantum hybrid (draft-ietf-tls-ecdhe-mlkem)")
        .doesNotContain("for Unknown");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .contains("Its key share on X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec))")
        .contains("post-quantum hybrid key exchange (draft-ietf-tls-ecdhe-mlkem)")
        .contains("ML-KEM-768 and X25519")
        .contains("forward secret")
        .doesNotContain("(EC)DHE exchange");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "key exchange: TLS 1.3 hybrid (EC)DHE + ML-KEM X25519MLKEM768 (Wireshark 4.0: Unknown"
                + " (0x11ec)) - forward secret");
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO)).doesNotContain("The client also offered");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "key shares offered: X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec)), x25519; the"
                + " server chose X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec)), post-quantum");
    // The labels stay Wireshark 4.0's: the name is for sentences only.
    assertThat(NamedGroup.labelOf(0x11ec)).isEqualTo("Unknown (0x11ec)");
  }

  /**
   * Chromium offers X25519MLKEM768 and x25519 to openssl 3.0's s_server, which has no ML-KEM and
   * chooses x25519 (tshark: Client Hello key shares 4588 and 29, Server Hello 29). The Server
   * Hello's note said only "(EC)DHE exchange on x25519", and nothing told the student that the
   * post-quantum share the browser offered was not taken.
   */
  @Test
  void aHybridOfferedButNotChosenIsSaidToBeNotTaken() throws Exception {
    LoopbackCaptures.Capture c = TruthOnStudentTrafficTest.chromiumVisits();
    List<String> offered =
        TruthOnResumptionTest.fields(
            c, "tls.handshake.type == 1", "tls.handshake.extensions_key_share_group");
    List<String> chosen =
        TruthOnResumptionTest.fields(
            c, "tls.handshake.type == 2", "tls.handshake.extensions_key_share_group");
    assertThat(offered)
        .isNotEmpty()
        .allSatisfy(g -> assertThat(g.split(",")).contains("4588", "29"));
    assertThat(chosen).isNotEmpty().allSatisfy(g -> assertThat(g).isEqualTo("29"));

    ExplanationMatrixTest.Annotated a = TruthOnRealPeersTest.annotate(c, KeyMaterial.none());
    assertThat(a.facts().get(0).keySharesOffered()).containsExactly(0x11ec, 0x001d);
    assertThat(a.facts().get(0).postQuantumOfferedNotChosen()).isTrue();
    assertThat(a.hs(1, S, HandshakeType.SERVER_HELLO))
        .contains("Its key share on x25519 completes an ephemeral (EC)DHE exchange")
        .contains(
            "The client also offered a key share on X25519MLKEM768 (Wireshark 4.0: Unknown"
                + " (0x11ec)), a post-quantum group; the server did not choose it, so this key"
                + " exchange is classical only, not post-quantum.")
        .doesNotContain("post-quantum hybrid key exchange");
    assertThat(TruthOnRealPeersTest.summary(c, KeyMaterial.none(), 1))
        .contains(
            "key exchange: TLS 1.3 (EC)DHE x25519 - forward secret",
            "key shares offered: X25519MLKEM768 (Wireshark 4.0: Unknown (0x11ec)), x25519; the"
                + " server chose x25519, a classical group: not post-quantum");
    // openssl's own client offers no post-quantum share: no such line, no such sentence.
    LoopbackCaptures.Capture o = Scenarios.tls13();
    assertThat(TruthOnRealPeersTest.summary(o, KeyMaterial.none(), 1))
        .noneSatisfy(l -> assertThat(l).startsWith("key shares offered"));
    assertThat(TruthOnRealPeersTest.annotate(o, KeyMaterial.none()).allNotes())
        .noneSatisfy(n -> assertThat(n).contains("The client also offered"));
  }

  @Test
  void everyGroupsLabelIsTsharksAndItsNameTheRegistrys() throws Exception {
    // The oracle: tshark's own table of supported-group names (tshark -G values).
    java.util.Map<Integer, String> tshark = new java.util.HashMap<>();
    Process p =
        new ProcessBuilder("tshark", "-G", "values")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        String[] f = l.split("\t");
        if (f.length >= 4
            && f[0].equals("V")
            && f[1].equals("tls.handshake.extensions_supported_group"))
          tshark.put(Integer.decode(f[2]), f[3]);
      }
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(tshark).as("tshark -G values: supported groups").containsEntry(29, "x25519");
    for (NamedGroup g : NamedGroup.values()) {
      if (g == NamedGroup.UNKNOWN) continue;
      String wireshark = tshark.get(g.code());
      assertThat(NamedGroup.labelOf(g.code()))
          .as("label of %s", g)
          .isEqualTo(wireshark != null ? wireshark : String.format("Unknown (0x%04x)", g.code()));
      assertThat(NamedGroup.nameOf(g.code()))
          .as("name of %s", g)
          .startsWith(g.rfcName())
          .contains(wireshark != null && wireshark.equals(g.rfcName()) ? "" : "(Wireshark 4.0: ");
    }
    // tshark 4.0 still has the experimental OQS names for the codes now assigned to ML-KEM.
    assertThat(NamedGroup.nameOf(0x0201)).isEqualTo("MLKEM768 (Wireshark 4.0: frodo640shake)");
    assertThat(NamedGroup.nameOf(0x1234)).isEqualTo("unknown group 0x1234");
    assertThat(KeyExchangeKind.of(0x0304, 0x1301, false, true, 0x1234))
        .isEqualTo(KeyExchangeKind.TLS13_OTHER);
    assertThat(KeyExchangeKind.of(0x0304, 0x1301, false, true, 0x0201))
        .isEqualTo(KeyExchangeKind.TLS13_KEM);
    assertThat(KeyExchangeKind.of(0x0304, 0x1301, false, true, 0x0017))
        .isEqualTo(KeyExchangeKind.TLS13_ECDHE);
  }
}
