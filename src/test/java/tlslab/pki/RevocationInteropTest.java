package tlslab.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;
import tlslab.pki.internal.CertIssuer;
import tlslab.pki.internal.LabCa;
import tlslab.pki.internal.PemIo;

/**
 * Revocation on the lab CA, judged by OpenSSL 3: {@code openssl ocsp} asks the lab's OCSP responder
 * (RFC 6960) over HTTP and verifies its signed answers, {@code openssl crl} verifies the lab's CRL,
 * {@code openssl verify -crl_check} refuses a revoked certificate with it. The GET form of RFC 6960
 * appendix A.1 is exercised with a request openssl wrote.
 */
class RevocationInteropTest {
  @TempDir Path dir;
  private Path certs;
  private OcspServer responder;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private String url;

  @BeforeEach
  void caAndResponder() {
    responder =
        OcspServer.start("127.0.0.1", 0, dir.resolve("certs"), Duration.ofHours(1), log::add);
    url = "http://127.0.0.1:" + responder.port() + "/";
    certs = dir.resolve("certs");
    LabCertificates.init(
        InitOptions.builder()
            .dir(certs)
            .keyType(KeyType.EC_P256)
            .revocationUrls(RevocationUrls.onLoopback(responder.port()))
            .build());
  }

  @AfterEach
  void stop() {
    responder.close();
  }

  @Test
  void issuedCertificatesNameTheResponderAndTheCrl() {
    ExternalTool.Result r =
        openssl(
            "x509",
            "-in",
            "server.pem",
            "-noout",
            "-ext",
            "authorityInfoAccess,crlDistributionPoints");
    assertThat(r.exitCode()).isZero();
    assertThat(r.output()).contains("OCSP - URI:" + url).contains("URI:" + url + "crl");
    LabCertificates.issueClient(certs, "alice", false);
    assertThat(
            openssl("x509", "-in", "client-alice.pem", "-noout", "-ext", "authorityInfoAccess")
                .output())
        .contains("OCSP - URI:" + url);
    assertThat(RevocationUrls.load(certs).ocspPort()).isEqualTo(responder.port());
  }

  @Test
  void opensslOcspGetsGoodThenRevokedWithReasonAndVerifiesTheSignature() {
    ExternalTool.Result good = ocsp("server.pem");
    assertThat(good.exitCode()).as(good.output()).isZero();
    assertThat(good.output())
        .contains("Response verify OK")
        .contains("server.pem: good")
        .contains("This Update:")
        .contains("Next Update:")
        .doesNotContain("WARNING"); // a missing or wrong nonce would be a warning

    Revocations.revokeCertificate(
        certs, certs.resolve("server.pem"), RevocationReason.KEY_COMPROMISE);
    ExternalTool.Result revoked = ocsp("server.pem");
    assertThat(revoked.output())
        .contains("Response verify OK")
        .contains("server.pem: revoked")
        .contains("Reason: keyCompromise")
        .contains("Revocation Time:");
    assertThat(log)
        .anyMatch(l -> l.contains("revoked (keyCompromise)") && l.contains("nonce echoed"));
  }

  @Test
  void aSerialTheCaNeverIssuedAndAForeignIssuerAreUnknown() throws Exception {
    // Signed by the lab CA's key but never recorded in issued.tsv: the responder must not vouch.
    LabCa ca = LabCa.load(certs);
    KeyPair pair = KeyType.EC_P256.generate();
    X509Certificate stray =
        CertIssuer.leaf(
            ca.cert(),
            ca.key(),
            pair.getPublic(),
            CertIssuer.name("stray", null, null),
            List.of("stray.lab"),
            true,
            30);
    Files.write(certs.resolve("stray.pem"), PemIo.encode(null, stray));
    assertThat(ocsp("stray.pem").output()).contains("stray.pem: unknown");

    LabFiles other = LabCertificates.init(InitOptions.builder().dir(dir.resolve("other")).build());
    ExternalTool.Result foreign =
        openssl(
            "ocsp",
            "-issuer",
            other.caCert().toString(),
            "-cert",
            other.serverCert().toString(),
            "-CAfile",
            "ca.pem",
            "-url",
            url);
    // The lab CA is no authority for the other CA's certificates, and openssl rightly does not
    // accept its signature for them; the answer itself is "unknown".
    assertThat(foreign.output())
        .contains("server.pem: unknown")
        .contains("Response Verify Failure");
  }

  @Test
  void getPerRfc6960AppendixA() throws Exception {
    Revocations.revokeCertificate(certs, certs.resolve("server.pem"), RevocationReason.SUPERSEDED);
    ExternalTool.Result req =
        openssl(
            "ocsp", "-issuer", "ca.pem", "-cert", "server.pem", "-no_nonce", "-reqout", "req.der");
    assertThat(req.exitCode()).as(req.output()).isZero();
    String encoded =
        URLEncoder.encode(
            Base64.getEncoder().encodeToString(Files.readAllBytes(certs.resolve("req.der"))),
            StandardCharsets.US_ASCII);
    HttpResponse<byte[]> resp =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + encoded)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
    OCSPResp ocsp = new OCSPResp(resp.body());
    assertThat(ocsp.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
    Object status = ((BasicOCSPResp) ocsp.getResponseObject()).getResponses()[0].getCertStatus();
    assertThat(status).isInstanceOf(RevokedStatus.class);
    assertThat(((RevokedStatus) status).getRevocationReason())
        .isEqualTo(RevocationReason.SUPERSEDED.code());
    // openssl reads the same bytes as a valid, verified response.
    Files.write(certs.resolve("get.der"), resp.body());
    assertThat(openssl("ocsp", "-respin", "get.der", "-CAfile", "ca.pem", "-resp_text").output())
        .contains("Response verify OK")
        .contains("Cert Status: revoked");
  }

  @Test
  void garbageAndWrongMethodsGetClearAnswers() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> garbage =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofString("not DER"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(new OCSPResp(garbage.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    HttpResponse<String> notBase64 =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "!!!")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(notBase64.statusCode()).isEqualTo(400);
    // And the responder still answers properly afterwards.
    assertThat(ocsp("server.pem").output()).contains("server.pem: good");
  }

  @Test
  void opensslVerifiesTheCrlAndRefusesTheRevokedCertificateWithIt() throws Exception {
    Revocations.CrlFile empty = Revocations.writeCrl(certs, Duration.ofDays(7));
    assertThat(empty.entries()).isZero();
    assertThat(
            openssl(
                    "verify",
                    "-crl_check",
                    "-CRLfile",
                    "crl.pem",
                    "-CAfile",
                    "ca.pem",
                    "server.pem")
                .output())
        .contains("server.pem: OK");

    Revocations.Revoked r =
        Revocations.revokeCertificate(
            certs, certs.resolve("server.pem"), RevocationReason.KEY_COMPROMISE);
    Revocations.CrlFile crl = Revocations.writeCrl(certs, Duration.ofDays(7));
    assertThat(crl.entries()).isEqualTo(1);
    ExternalTool.Result verify =
        openssl("crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout", "-text");
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output())
        .contains("verify OK")
        // openssl prints the serial as whole bytes: a leading zero nibble is shown (0C9B…).
        .contains("Serial Number: " + (r.serial().length() % 2 == 1 ? "0" : "") + r.serial())
        .contains("Key Compromise")
        .contains("X509v3 CRL Number")
        .contains("X509v3 Authority Key Identifier");
    ExternalTool.Result refused =
        openssl("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "ca.pem", "server.pem");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("certificate revoked");

    // The responder serves the same CRL, freshly signed, on /crl.
    HttpResponse<byte[]> served =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "crl")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(served.headers().firstValue("Content-Type")).hasValue("application/pkix-crl");
    Files.write(certs.resolve("served.der"), served.body());
    assertThat(
            openssl(
                    "crl",
                    "-in",
                    "served.der",
                    "-inform",
                    "DER",
                    "-CAfile",
                    "ca.pem",
                    "-noout",
                    "-text")
                .output())
        .contains("verify OK")
        // openssl prints the serial as whole bytes: a leading zero nibble is shown (0C9B…).
        .contains("Serial Number: " + (r.serial().length() % 2 == 1 ? "0" : "") + r.serial());
  }

  @Test
  void revocationIsFinalAndOnlyForThisCasCertificates() {
    assertThatThrownBy(
            () -> Revocations.revokeSerial(certs, "ABCDEF", RevocationReason.UNSPECIFIED))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("was not issued by the lab CA");
    assertThatThrownBy(() -> Revocations.revokeSerial(certs, "xyz", RevocationReason.UNSPECIFIED))
        .hasMessageContaining("expected hex digits");
    ClientFiles alice = LabCertificates.issueClient(certs, "alice", false);
    X509Certificate cert = PemIo.readCertificate(alice.cert());
    String colons = cert.getSerialNumber().toString(16).replaceAll("(..)(?!$)", "$1:");
    Revocations.Revoked r =
        Revocations.revokeSerial(certs, colons, RevocationReason.AFFILIATION_CHANGED);
    assertThat(r.subject()).contains("CN=alice");
    assertThatThrownBy(
            () ->
                Revocations.revokeCertificate(certs, alice.cert(), RevocationReason.KEY_COMPROMISE))
        .isInstanceOf(LabException.class)
        .satisfies(e -> assertThat(((LabException) e).kind()).isEqualTo(LabException.Kind.REFUSED))
        .hasMessageContaining("already revoked");
    LabFiles other = LabCertificates.init(InitOptions.builder().dir(dir.resolve("other2")).build());
    assertThatThrownBy(
            () ->
                Revocations.revokeCertificate(
                    certs, other.serverCert(), RevocationReason.UNSPECIFIED))
        .hasMessageContaining("not signed by the lab CA");
    assertThat(Revocations.list(certs))
        .extracting(Revocations.Revoked::reason)
        .containsExactly(RevocationReason.AFFILIATION_CHANGED);
  }

  private ExternalTool.Result ocsp(String cert) {
    return openssl("ocsp", "-issuer", "ca.pem", "-cert", cert, "-CAfile", "ca.pem", "-url", url);
  }

  private ExternalTool.Result openssl(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "openssl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    return ExternalTool.run(certs, cmd);
  }
}
