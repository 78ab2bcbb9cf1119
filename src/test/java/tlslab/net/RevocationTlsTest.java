package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.pki.OcspServer;
import tlslab.pki.RevocationReason;
import tlslab.pki.RevocationUrls;
import tlslab.pki.Revocations;
import tlslab.tls.ClientAuth;
import tlslab.tls.JsseSetup;
import tlslab.tls.RevocationPolicy;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * OCSP stapling and revocation checks over real TLS, with openssl as the other peer: the lab server
 * staples the lab responder's answer ({@code openssl s_client -status} prints it), the lab client
 * refuses a server whose stapled answer says revoked, {@code openssl s_client -verify_return_error
 * -crl_check} refuses it with the lab CRL, and a server with client auth refuses a revoked
 * student's certificate (CRL or OCSP) while the others still get in. Each server gets a fresh
 * SSLContext, so JSSE's stapling cache never carries an answer from one case to the next.
 */
@Tag("jdk") // JSSE stapling and PKIXRevocationChecker behaviour differ between JDKs
class RevocationTlsTest {
  @TempDir Path dir;
  private Path certs;
  private OcspServer responder;
  private final List<String> ocspLog = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  @BeforeEach
  void caWithResponder() {
    JsseSetup.prepare(true, false); // as Fixtures does: before any JSSE use in this JVM
    certs = dir.resolve("certs");
    responder = OcspServer.start("127.0.0.1", 0, certs, Duration.ofHours(1), ocspLog::add);
    LabCertificates.init(
        InitOptions.builder()
            .dir(certs)
            .keyType(KeyType.EC_P256)
            .revocationUrls(RevocationUrls.onLoopback(responder.port()))
            .build());
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    responder.close();
  }

  private ChatServer server(SSLContext ctx, ClientAuth auth, List<String> log) {
    ChatServer s =
        ChatServer.builder()
            .context(ctx)
            .port(0)
            .profile(TlsProfile.MODERN)
            .clientAuth(auth)
            .loops(1)
            .handshakeTimeout(Duration.ofSeconds(10))
            .log(log::add)
            .build()
            .start();
    open.add(s);
    return s;
  }

  private ChatServer staplingServer() {
    return server(
        TlsContexts.server(certs, true, RevocationPolicy.off()),
        ClientAuth.NONE,
        new CopyOnWriteArrayList<>());
  }

  private String sClient(ChatServer s, String... extra) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + s.port(),
                "-CAfile",
                certs.resolve("ca.pem").toString(),
                "-status",
                "-tls1_2"));
    cmd.addAll(List.of(extra));
    try (Peers p = new Peers(cmd)) {
      p.closeInput();
      p.awaitExit();
      return String.join("\n", p.lines);
    }
  }

  private ChatClient labClient(ChatServer s, RevocationPolicy policy, Path keyStore) {
    ChatClient c =
        ChatClient.builder()
            .host("localhost")
            .port(s.port())
            .context(TlsContexts.client(certs.resolve("ca.pem"), keyStore, false, policy))
            .profile(TlsProfile.MODERN)
            .onLine(l -> {})
            .handshakeTimeout(Duration.ofSeconds(10))
            .build();
    open.add(c);
    return c;
  }

  /** Waits for {@code n} log lines containing {@code text}: logged after the close. */
  private static void awaitCount(List<String> log, String text, int n) {
    long deadline =
        System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(Fixtures.WAIT_SECONDS);
    while (log.stream().filter(l -> l.contains(text)).count() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(n + " lines with '" + text + "' expected: " + log);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void opensslSeesTheStapledGoodThenRevokedAnswer() {
    String good = sClient(staplingServer());
    assertThat(good)
        .contains("OCSP Response Status: successful")
        .contains("Cert Status: good")
        .contains("Verify return code: 0 (ok)");
    assertThat(ocspLog).anyMatch(l -> l.contains(": good"));

    Revocations.revokeCertificate(
        certs, certs.resolve("server.pem"), RevocationReason.KEY_COMPROMISE);
    String revoked = sClient(staplingServer());
    assertThat(revoked)
        .contains("Cert Status: revoked")
        .contains("Revocation Reason: keyCompromise");
  }

  @Test
  void labClientAcceptsAGoodStapleAndRefusesARevokedServer() {
    ChatServer s = staplingServer();
    labClient(s, new RevocationPolicy(RevocationPolicy.Mode.HARD, List.of()), null).connect();
    long fetches = ocspLog.stream().filter(l -> l.contains("OCSP")).count();
    // A second client: the server staples its cached answer and the client asks no one.
    labClient(s, new RevocationPolicy(RevocationPolicy.Mode.HARD, List.of()), null).connect();
    assertThat(ocspLog.stream().filter(l -> l.contains("OCSP")).count()).isEqualTo(fetches);

    Revocations.revokeCertificate(
        certs, certs.resolve("server.pem"), RevocationReason.KEY_COMPROMISE);
    ChatServer fresh = staplingServer();
    assertThatThrownBy(
            () ->
                labClient(fresh, new RevocationPolicy(RevocationPolicy.Mode.SOFT, List.of()), null)
                    .connect())
        .isInstanceOf(LabException.class)
        .hasMessageContaining("was REVOKED by its CA")
        .hasMessageContaining("KEY_COMPROMISE");
    // Without stapling the client asks the responder named in the certificate itself.
    ChatServer plain =
        server(TlsContexts.server(certs), ClientAuth.NONE, new CopyOnWriteArrayList<>());
    assertThatThrownBy(
            () ->
                labClient(plain, new RevocationPolicy(RevocationPolicy.Mode.SOFT, List.of()), null)
                    .connect())
        .hasMessageContaining("was REVOKED by its CA");
  }

  @Test
  void opensslWithTheCrlRefusesARevokedServer() {
    Revocations.writeCrl(certs, Duration.ofDays(1));
    String crl = certs.resolve("crl.pem").toString();
    ChatServer s = server(TlsContexts.server(certs), ClientAuth.NONE, new CopyOnWriteArrayList<>());
    assertThat(sClient(s, "-verify_return_error", "-crl_check", "-CRL", crl))
        .contains("Verify return code: 0 (ok)");

    Revocations.revokeCertificate(certs, certs.resolve("server.pem"), RevocationReason.SUPERSEDED);
    Revocations.writeCrl(certs, Duration.ofDays(1));
    String refused = sClient(s, "-verify_return_error", "-crl_check", "-CRL", crl);
    // openssl aborts the handshake: no cipher was agreed (its summary line still says "0 (ok)").
    assertThat(refused)
        .contains("Verification error: certificate revoked")
        .contains("Cipher is (NONE)");
  }

  @Test
  void serverWithClientAuthRefusesARevokedStudentByCrlAndByOcsp() {
    Path alice = LabCertificates.issueClient(certs, "alice", false).keyStore();
    Path bob = LabCertificates.issueClient(certs, "bob", false).keyStore();
    Revocations.revokeCertificate(
        certs, certs.resolve("client-alice.pem"), RevocationReason.AFFILIATION_CHANGED);
    Revocations.writeCrl(certs, Duration.ofDays(1));

    List<String> crlLog = new CopyOnWriteArrayList<>();
    ChatServer byCrl =
        server(
            TlsContexts.server(
                certs,
                false,
                new RevocationPolicy(
                    RevocationPolicy.Mode.HARD, List.of(certs.resolve("crl.pem")))),
            ClientAuth.NEED,
            crlLog);
    labClient(byCrl, RevocationPolicy.off(), bob).connect();
    assertThatThrownBy(() -> labClient(byCrl, RevocationPolicy.off(), alice).connect())
        .isInstanceOf(LabException.class);
    Fixtures.awaitLog(crlLog, l -> l.contains("revoked") && l.contains("AFFILIATION_CHANGED"));
    // The same refusal for openssl presenting alice's certificate.
    String openssl =
        sClient(
            byCrl,
            "-cert",
            certs.resolve("client-alice.pem").toString(),
            "-key",
            certs.resolve("client-alice.key").toString());
    // JSSE answers a revoked client certificate with certificate_unknown (46), not
    // certificate_revoked (44); the server log says why.
    assertThat(openssl).contains("alert certificate unknown");
    awaitCount(crlLog, "AFFILIATION_CHANGED", 2); // the server logged openssl's refusal too

    // The instructor revokes bob too and publishes a new CRL: the running server re-reads it.
    Revocations.revokeCertificate(
        certs, certs.resolve("client-bob.pem"), RevocationReason.KEY_COMPROMISE);
    Revocations.writeCrl(certs, Duration.ofDays(1));
    assertThatThrownBy(() -> labClient(byCrl, RevocationPolicy.off(), bob).connect())
        .isInstanceOf(LabException.class);

    // By OCSP: the server asks the responder named in each client certificate.
    Path carol = LabCertificates.issueClient(certs, "carol", false).keyStore();
    List<String> ocspServerLog = new CopyOnWriteArrayList<>();
    ChatServer byOcsp =
        server(
            TlsContexts.server(
                certs, false, new RevocationPolicy(RevocationPolicy.Mode.HARD, List.of())),
            ClientAuth.NEED,
            ocspServerLog);
    labClient(byOcsp, RevocationPolicy.off(), carol).connect();
    assertThatThrownBy(() -> labClient(byOcsp, RevocationPolicy.off(), alice).connect())
        .isInstanceOf(LabException.class);
    assertThat(ocspLog).anyMatch(l -> l.contains("revoked (affiliationChanged)"));
  }
}
