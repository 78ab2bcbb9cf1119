package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.mitm.MitmFixtures.awaitEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;
import tlslab.net.ChatServer;
import tlslab.tls.TlsProfile;
import tlslab.trace.Direction;
import tlslab.trace.MessageType;
import tlslab.trace.TraceEvent;

/**
 * {@code lab mitm --tamper}: each edit of the Client Hello makes the handshake fail, for TLS 1.2
 * and TLS 1.3, and each test names the protection that caught it, from the relay's record log (what
 * a capture shows) and from JSSE's own trace of the real server or client. The expectations are
 * what JSSE 17/25 and OpenSSL 3.0 were measured to do; docs/MITM.md explains each one.
 */
@Tag("jdk") // what JSSE sends, and why, is part of what is tested
class TamperTest {
  @TempDir static Path dir;
  static MitmFixtures.Certs certs;

  @BeforeAll
  static void certificates() {
    certs = MitmFixtures.certs(dir);
  }

  /** What one tampered handshake left behind. */
  record Run(MitmLog log, List<TraceEvent> server, List<TraceEvent> client, String clientError) {
    MitmLog.Entry edit() {
      return log.entries().stream().filter(e -> e.kind().equals("edit")).findFirst().orElseThrow();
    }

    /** The first plaintext alert the relay saw, as "from description". */
    String relayAlert() {
      return awaitEntry(log, e -> e.kind().equals("alert")).string("from").orElse("")
          + " "
          + awaitEntry(log, e -> e.kind().equals("alert")).string("description").orElse("");
    }
  }

  private static String alertProduced(List<TraceEvent> events) {
    return events.stream()
        .filter(e -> e.message() == MessageType.ALERT && e.direction() == Direction.PRODUCED)
        .map(e -> e.fields().alert())
        .findFirst()
        .orElse(null);
  }

  private static TraceEvent consumedHello(List<TraceEvent> events) {
    return events.stream()
        .filter(e -> e.message() == MessageType.CLIENT_HELLO && e.direction() == Direction.CONSUMED)
        .findFirst()
        .orElseThrow();
  }

  private static TraceEvent producedHello(List<TraceEvent> events) {
    return events.stream()
        .filter(e -> e.message() == MessageType.CLIENT_HELLO && e.direction() == Direction.PRODUCED)
        .findFirst()
        .orElseThrow();
  }

  /** The lab client (traced) through the tamper relay to the lab server (traced). */
  private Run labPeers(TamperMode mode, TlsProfile profile) {
    MitmFixtures.Trace serverTrace = new MitmFixtures.Trace();
    MitmFixtures.Trace clientTrace = new MitmFixtures.Trace();
    MitmLog log = MitmLog.open(null, false, e -> {});
    String error;
    try (ChatServer real = MitmFixtures.server(certs.real(), profile, serverTrace.observer());
        RecordRelay relay =
            new RecordRelay(
                    new RecordRelay.Options("127.0.0.1", 0, "localhost", real.port(), mode), log)
                .start();
        MitmFixtures.Client c = new MitmFixtures.Client()) {
      try {
        c.chat =
            MitmFixtures.clientBuilder(
                    relay.port(),
                    certs.real().resolve("ca.pem"),
                    profile,
                    c,
                    clientTrace.observer())
                .build()
                .connect();
        throw new AssertionError("the tampered handshake completed: " + log.entries());
      } catch (LabException e) {
        error = e.getMessage();
      }
      awaitEntry(log, e -> e.kind().equals("closed"));
      serverTrace.await(e -> e.message() == MessageType.ALERT);
    } finally {
      serverTrace.close();
      clientTrace.close();
    }
    return new Run(log, serverTrace.events, clientTrace.events, error);
  }

  @Test
  void stripDheTls12LabClientLeavesNoSuiteTheServerRefusesTheHello() {
    Run r = labPeers(TamperMode.STRIP_DHE, TlsProfile.MODERN);
    // The modern profile offers ECDHE suites only: removing them leaves an empty list, which
    // cipher_suites<2..2^16-2> (RFC 5246 §7.4.1.2) does not allow.
    assertThat(r.edit().list("before")).hasSize(4);
    assertThat(r.edit().list("after")).isEmpty();
    assertThat(r.relayAlert()).isEqualTo("server illegal_parameter");
    assertThat(alertProduced(r.server())).isEqualTo("illegal_parameter");
    // JSSE refuses the hello while reading it: its trace never shows it as consumed.
    assertThat(r.server()).noneMatch(e -> e.message() == MessageType.CLIENT_HELLO);
    assertThat(producedHello(r.client()).fields().cipherSuites()).hasSize(4);
    // No Server Hello: negotiation failed before any key exchange.
    assertThat(r.log().entries()).noneMatch(e -> e.kind().equals("server_hello"));
  }

  @Test
  void stripDheTls13RemovesTheKeyShareTheServerSaysMissingExtension() {
    Run r = labPeers(TamperMode.STRIP_DHE, TlsProfile.TLS13);
    // TLS 1.3 suites name no key exchange; its (EC)DHE lives in key_share and supported_groups.
    assertThat(r.edit().list("removed_extensions"))
        .containsExactlyInAnyOrder("key_share", "supported_groups");
    assertThat(r.relayAlert()).isEqualTo("server missing_extension");
    assertThat(alertProduced(r.server())).isEqualTo("missing_extension");
    assertThat(consumedHello(r.server()).fields().extensions()).doesNotContain("key_share");
    assertThat(producedHello(r.client()).fields().extensions()).contains("key_share");
  }

  @Test
  void downgradeTls12ToTls11TheServerSaysProtocolVersion() {
    Run r = labPeers(TamperMode.DOWNGRADE, TlsProfile.MODERN);
    assertThat(r.relayAlert()).isEqualTo("server protocol_version");
    assertThat(alertProduced(r.server())).isEqualTo("protocol_version");
    assertThat(r.clientError()).contains("protocol_version");
  }

  @Test
  void downgradeTls13OnlyPeersTheServerSaysProtocolVersion() {
    Run r = labPeers(TamperMode.DOWNGRADE, TlsProfile.TLS13);
    assertThat(r.edit().list("before")).contains("TLS 1.3");
    assertThat(r.edit().list("after")).doesNotContain("TLS 1.3");
    assertThat(r.relayAlert()).isEqualTo("server protocol_version");
    assertThat(alertProduced(r.server())).isEqualTo("protocol_version");
  }

  @Test
  void flipRandomTls12TheServerKeyExchangeSignatureNoLongerVerifies() {
    Run r = labPeers(TamperMode.FLIP_RANDOM, TlsProfile.MODERN);
    // RFC 5246 §7.4.3: the server signs client_random + server_random + its ECDHE parameters.
    // It signed the random it received; the client checks against the one it sent.
    assertThat(r.clientError()).contains("ServerKeyExchange signature");
    // JSSE sends handshake_failure for a bad signature (RFC 5246 would allow decrypt_error).
    assertThat(alertProduced(r.client())).isEqualTo("handshake_failure");
    assertThat(r.relayAlert()).isEqualTo("victim handshake_failure");
    assertThat(consumedHello(r.server()).fields().random())
        .isNotEqualTo(producedHello(r.client()).fields().random());
  }

  @Test
  void flipRandomTls13TheTranscriptGivesOtherHandshakeKeys() {
    Run r = labPeers(TamperMode.FLIP_RANDOM, TlsProfile.TLS13);
    // RFC 8446 §7.1: handshake traffic secrets are derived from the transcript hash (Client
    // Hello..Server Hello); the two sides' transcripts differ, so the client cannot decrypt the
    // server's first encrypted record (AES-GCM tag check).
    assertThat(r.clientError()).containsIgnoringCase("tag mismatch");
    assertThat(alertProduced(r.client())).isEqualTo("bad_record_mac");
    // That alert travels encrypted: the relay sees an application_data record, no plaintext alert.
    assertThat(r.log().entries()).noneMatch(e -> e.kind().equals("alert"));
    MitmLog.Entry sh = awaitEntry(r.log(), e -> e.kind().equals("server_hello"));
    assertThat(sh.string("version")).contains("TLS 1.3");
  }

  /** openssl s_client through the relay; {@code noEms} turns extended_master_secret off. */
  private Run opensslToLabServer(TamperMode mode, TlsProfile serverProfile, boolean noEms)
      throws IOException {
    MitmFixtures.Trace serverTrace = new MitmFixtures.Trace();
    MitmLog log = MitmLog.open(null, false, e -> {});
    String out;
    try (ChatServer real =
            MitmFixtures.server(certs.real(), serverProfile, serverTrace.observer());
        RecordRelay relay =
            new RecordRelay(
                    new RecordRelay.Options("127.0.0.1", 0, "localhost", real.port(), mode), log)
                .start()) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "openssl",
                  "s_client",
                  "-connect",
                  "127.0.0.1:" + relay.port(),
                  "-servername",
                  "localhost",
                  "-CAfile",
                  certs.real().resolve("ca.pem").toString(),
                  "-tls1_2")
              .redirectErrorStream(true);
      if (noEms) {
        pb.environment().put("OPENSSL_CONF", noEmsConfig().toString());
      }
      out = run(pb);
      awaitEntry(log, e -> e.kind().equals("closed"));
      serverTrace.await(e -> e.message() == MessageType.ALERT);
    } finally {
      serverTrace.close();
    }
    return new Run(log, serverTrace.events, List.of(), out);
  }

  @Test
  void stripDheTls12WithoutExtendedMasterSecretTheFinishedCatchesIt() throws IOException {
    // openssl offers ECDHE and RSA suites; the report server takes RSA key transport. Without
    // RFC 7627's extended master secret both sides compute the same keys, so only the Finished
    // verify_data (a PRF over the transcript hash, RFC 5246 §7.4.9) differs.
    Run r = opensslToLabServer(TamperMode.STRIP_DHE, TlsProfile.REPORT, true);
    assertThat(r.edit().list("before")).contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(r.edit().list("after"))
        .contains("TLS_RSA_WITH_AES_128_CBC_SHA")
        .noneMatch(s -> s.contains("DHE"));
    assertThat(r.relayAlert()).isEqualTo("server decrypt_error");
    assertThat(alertProduced(r.server())).isEqualTo("decrypt_error");
    assertThat(r.clientError()).contains("alert decrypt error");
    assertThat(consumedHello(r.server()).fields().cipherSuites()).noneMatch(s -> s.contains("DHE"));
  }

  @Test
  void stripDheTls12WithExtendedMasterSecretTheKeysDiffer() throws IOException {
    // With extended_master_secret (on by default in OpenSSL and JSSE) the session hash goes into
    // the master secret (RFC 7627 §4): the keys differ, and the server cannot even decrypt the
    // record carrying the client's Finished. JSSE reports the CBC padding failure as
    // handshake_failure.
    Run r = opensslToLabServer(TamperMode.STRIP_DHE, TlsProfile.REPORT, false);
    assertThat(r.relayAlert()).isEqualTo("server handshake_failure");
    assertThat(alertProduced(r.server())).isEqualTo("handshake_failure");
    assertThat(r.clientError()).contains("Extended master secret: yes");
  }

  @Test
  void downgradeTls13ToTls12TheServerHelloSentinelGivesItAway() throws IOException {
    // Both openssl peers speak TLS 1.3 and 1.2; without 1.3 in supported_versions the server
    // negotiates 1.2 and ends its random with DOWNGRD\x01 (RFC 8446 §4.1.3), which the client
    // checks.
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    MitmLog log = MitmLog.open(null, false, e -> {});
    try (MitmFixtures.Peer server =
            MitmFixtures.Peer.run(
                dir,
                "",
                "openssl",
                "s_server",
                "-accept",
                "127.0.0.1:" + port,
                "-cert",
                certs.real().resolve("server.pem").toString(),
                "-key",
                certs.real().resolve("server.key").toString(),
                "-www");
        RecordRelay relay =
            new RecordRelay(
                    new RecordRelay.Options(
                        "127.0.0.1", 0, "127.0.0.1", port, TamperMode.DOWNGRADE),
                    log)
                .start()) {
      MitmFixtures.awaitIn(List.of(0), x -> server.text().contains("ACCEPT"), "s_server start");
      String out =
          run(
              new ProcessBuilder(
                      "openssl",
                      "s_client",
                      "-connect",
                      "127.0.0.1:" + relay.port(),
                      "-servername",
                      "localhost",
                      "-CAfile",
                      certs.real().resolve("ca.pem").toString())
                  .redirectErrorStream(true));
      MitmLog.Entry sh = awaitEntry(log, e -> e.kind().equals("server_hello"));
      assertThat(sh.string("version")).contains("TLS 1.2");
      assertThat(sh.string("downgrade_sentinel")).get().asString().startsWith("DOWNGRD\\x01");
      assertThat(sh.string("random")).get().asString().endsWith("444f574e47524401");
      assertThat(out).contains("inappropriate fallback");
      MitmLog.Entry alert = awaitEntry(log, e -> e.kind().equals("alert"));
      assertThat(alert.string("from")).contains("victim");
      assertThat(alert.string("description")).contains("illegal_parameter");
    }
  }

  @Test
  void aHelloWithNothingToStripPassesUnchangedAndSaysSo() {
    MitmLog log = MitmLog.open(null, false, e -> {});
    MitmFixtures.Client c = new MitmFixtures.Client();
    try (ChatServer real =
            MitmFixtures.server(
                certs.real(), TlsProfile.REPORT, tlslab.tls.HandshakeObserver.NONE);
        RecordRelay relay =
            new RecordRelay(
                    new RecordRelay.Options(
                        "127.0.0.1", 0, "localhost", real.port(), TamperMode.STRIP_DHE),
                    log)
                .start()) {
      c.chat =
          MitmFixtures.clientBuilder(
                  relay.port(),
                  certs.real().resolve("ca.pem"),
                  TlsProfile.REPORT,
                  c,
                  tlslab.tls.HandshakeObserver.NONE)
              .build()
              .connect();
      c.close();
    }
    MitmLog.Entry edit = awaitEntry(log, e -> e.kind().equals("edit"));
    assertThat(edit.flag("changed")).isFalse();
    assertThat(edit.string("problem")).get().asString().contains("nothing to remove");
  }

  private static Path noEmsConfig() throws IOException {
    Path cnf = dir.resolve("no-ems.cnf");
    if (!Files.exists(cnf)) {
      Files.writeString(
          cnf,
          "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n[ssl_sect]\n"
              + "system_default = system_default_sect\n[system_default_sect]\n"
              + "Options = -ExtendedMasterSecret\n");
    }
    return cnf;
  }

  private static String run(ProcessBuilder pb) {
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
