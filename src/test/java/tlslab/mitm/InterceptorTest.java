package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tlslab.mitm.MitmFixtures.awaitEntry;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.common.LabException;
import tlslab.net.ChatServer;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.LabCertificates;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab mitm} between a client and the real chat server: the report's client (no checks) talks
 * through the attacker, who reads every line; the three verifying clients refuse, and the log names
 * the alert each one sent.
 */
class InterceptorTest {
  static final String SECRET = "my password is hunter2";
  @TempDir static Path dir;
  static MitmFixtures.Certs certs;
  ChatServer real;
  Interceptor mitm;
  MitmLog log;

  @BeforeAll
  static void certificates() {
    certs = MitmFixtures.certs(dir);
  }

  void start(TlsProfile profile) {
    real = MitmFixtures.server(certs.real(), profile, HandshakeObserver.NONE);
    log = MitmLog.open(null, false, e -> {});
    mitm =
        new Interceptor(
                new Interceptor.Options(
                    "127.0.0.1",
                    0,
                    certs.evil(),
                    profile,
                    "localhost",
                    real.port(),
                    () -> TlsContexts.client(certs.real().resolve("ca.pem"), null, false),
                    profile,
                    false,
                    e -> HandshakeObserver.NONE),
                log)
            .start();
  }

  @AfterEach
  void stop() {
    if (mitm != null) {
      mitm.close();
    }
    if (real != null) {
      real.close();
    }
  }

  private static String sha256(Path pem) {
    return CertificateSummary.sha256Fingerprint(
        CertificateFile.read(pem, LabCertificates.STORE_PASSWORD).leaf());
  }

  @ParameterizedTest
  @EnumSource(TlsProfile.class)
  void theInsecureClientsSecretReachesTheAttackerAndTheRealServer(TlsProfile profile) {
    start(profile);
    // Bob talks to the real server directly: what he receives is what the real server got.
    try (MitmFixtures.Client bob = new MitmFixtures.Client();
        MitmFixtures.Client alice = new MitmFixtures.Client()) {
      bob.chat =
          MitmFixtures.clientBuilder(
                  real.port(), certs.real().resolve("ca.pem"), profile, bob, HandshakeObserver.NONE)
              .name("bob")
              .build()
              .connect();
      bob.await(l -> l.startsWith("* you are now bob"));
      alice.chat =
          MitmFixtures.clientBuilder(mitm.port(), null, profile, alice, HandshakeObserver.NONE)
              .name("alice")
              .build()
              .connect();
      alice.await(l -> l.startsWith("* you are now alice"));
      alice.chat.send(SECRET);
      alice.chat.send("/whoami");

      // The real server broadcast alice's line: it went through the attacker and on.
      bob.await(l -> l.contains(SECRET));
      // The real server's answer came back through the attacker.
      String whoami = alice.await(l -> l.startsWith("* you are alice from"));
      assertThat(whoami).contains(profile.protocols()[0]);

      MitmLog.Entry line =
          awaitEntry(
              log, e -> e.kind().equals("line") && e.string("text").orElse("").equals(SECRET));
      assertThat(line.string("from")).contains("victim");
      assertThat(line.connection()).isPositive();
      assertThat(line.time()).isAfter(java.time.Instant.EPOCH);
      MitmLog.Entry reply =
          awaitEntry(
              log,
              e ->
                  e.kind().equals("line")
                      && e.string("text").orElse("").startsWith("* you are alice from"));
      assertThat(reply.string("from")).contains("server");

      List<MitmLog.Entry> hs =
          log.entries().stream().filter(e -> e.kind().equals("handshake")).toList();
      MitmLog.Entry victimLeg =
          hs.stream()
              .filter(e -> e.string("leg").orElse("").equals("victim"))
              .findFirst()
              .orElseThrow();
      MitmLog.Entry upstreamLeg =
          hs.stream()
              .filter(e -> e.string("leg").orElse("").equals("upstream"))
              .findFirst()
              .orElseThrow();
      // The victim was shown the attacker's certificate; the attacker saw the real one, verified.
      assertThat(victimLeg.string("certificate_sha256"))
          .contains(sha256(certs.evil().resolve("server.pem")));
      assertThat(upstreamLeg.string("certificate_sha256"))
          .contains(sha256(certs.real().resolve("server.pem")));
      assertThat(upstreamLeg.flag("verified")).isTrue();
      assertThat(victimLeg.string("client_random")).get().asString().hasSize(64);
      assertThat(victimLeg.string("client_random"))
          .isNotEqualTo(upstreamLeg.string("client_random"));
      assertThat(victimLeg.string("protocol")).contains(profile.protocols()[0]);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProfile.class,
      names = {"MODERN", "TLS13"})
  void theLabClientRefusesAndTheLogNamesItsAlert(TlsProfile profile) {
    start(profile);
    MitmFixtures.Client c = new MitmFixtures.Client();
    assertThatThrownBy(
            () ->
                MitmFixtures.clientBuilder(
                        mitm.port(),
                        certs.real().resolve("ca.pem"),
                        profile,
                        c,
                        HandshakeObserver.NONE)
                    .build()
                    .connect())
        .isInstanceOf(LabException.class)
        .hasMessageContaining("not issued by a trusted CA");
    MitmLog.Entry alert = awaitEntry(log, e -> e.kind().equals("alert"));
    assertThat(alert.string("from")).contains("victim");
    assertThat(alert.string("description")).contains("certificate_unknown");
    // TLS 1.2: the alert is a plaintext record, read as such; TLS 1.3: it is encrypted under the
    // handshake keys (RFC 8446 §6), so the attacker learns its name from its own engine.
    assertThat(alert.string("source")).contains(profile == TlsProfile.TLS13 ? "jsse" : "record");
    // The attacker's own connection to the real server is closed with the victim's; what the
    // real server said meanwhile (its welcome) is counted as not delivered.
    MitmLog.Entry closed = awaitEntry(log, e -> e.kind().equals("closed"));
    assertThat(log.entries())
        .filteredOn(e -> e.kind().equals("line"))
        .allMatch(e -> e.string("from").orElse("").equals("server"));
    assertThat(closed.number("undelivered_to_victim_bytes"))
        .isEqualTo(closed.number("bytes_from_server"));
    assertThat(closed.number("bytes_from_victim")).isZero();
  }

  @Test
  void opensslWithVerifyReturnErrorRefusesWithUnknownCa() {
    start(TlsProfile.MODERN);
    String out =
        MitmFixtures.Peer.run(
                dir,
                "",
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + mitm.port(),
                "-servername",
                "localhost",
                "-CAfile",
                certs.real().resolve("ca.pem").toString(),
                "-verify_return_error")
            .awaitOutput();
    assertThat(out).contains("verify error");
    MitmLog.Entry alert = awaitEntry(log, e -> e.kind().equals("alert"));
    assertThat(alert.string("from")).contains("victim");
    assertThat(alert.string("description")).contains("unknown_ca");
    assertThat(alert.string("source")).contains("record");
  }

  @Test
  void pythonsDefaultContextRefusesWithUnknownCa() {
    start(TlsProfile.MODERN);
    String script =
        "import socket, ssl, sys\n"
            + "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
            + "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
            + "try:\n"
            + "    ctx.wrap_socket(s, server_hostname='localhost')\n"
            + "    print('CONNECTED')\n"
            + "except ssl.SSLError as e:\n"
            + "    print('REFUSED', e.reason)\n";
    String out =
        MitmFixtures.Peer.run(
                dir,
                "",
                "python3",
                "-c",
                script,
                String.valueOf(mitm.port()),
                certs.real().resolve("ca.pem").toString())
            .awaitOutput();
    assertThat(out).contains("REFUSED CERTIFICATE_VERIFY_FAILED");
    MitmLog.Entry alert = awaitEntry(log, e -> e.kind().equals("alert"));
    assertThat(alert.string("from")).contains("victim");
    // Python's ssl is OpenSSL: the same alert as s_client (here in a TLS 1.2 plaintext record).
    assertThat(alert.string("description")).contains("unknown_ca");
  }

  @Test
  void pythonWithCertNoneGoesOn() {
    start(TlsProfile.MODERN);
    String script =
        "import socket, ssl, sys\n"
            + "ctx = ssl.create_default_context()\n"
            + "ctx.check_hostname = False\n"
            + "ctx.verify_mode = ssl.CERT_NONE\n"
            + "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))),"
            + " server_hostname='localhost')\n"
            + "f = s.makefile('rwb')\n"
            + "f.write(b'"
            + SECRET
            + "\\n/whoami\\n'); f.flush()\n"
            + "while True:\n"
            + "    l = f.readline()\n"
            + "    if not l or l.startswith(b'* you are'):\n"
            + "        print(l.decode().strip()); break\n";
    String out =
        MitmFixtures.Peer.run(dir, "", "python3", "-c", script, String.valueOf(mitm.port()))
            .awaitOutput();
    assertThat(out).startsWith("* you are guest");
    awaitEntry(log, e -> e.kind().equals("line") && e.string("text").orElse("").equals(SECRET));
  }
}
