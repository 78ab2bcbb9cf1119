package tlslab.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's certificates, judged by software no one here wrote: OpenSSL 3 (verify, x509, pkcs12,
 * s_server) and Python's ssl module. Tagged "jdk": what the JDK writes into PKCS#12 files and how
 * JSSE checks host names are JDK-version dependent, so this runs on JDK 17 and 25.
 */
@Tag("jdk")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenSslInteropTest {
  private Path tmp;
  private LabFiles rsa;
  private LabFiles ec;
  private ClientFiles client;
  private Process server;
  private int serverPort;

  @BeforeAll
  void createMaterialAndStartOpenSslServer(@TempDir Path dir) throws Exception {
    tmp = dir;
    rsa = LabCertificates.init(InitOptions.builder().dir(tmp.resolve("rsa")).build());
    ec =
        LabCertificates.init(
            InitOptions.builder()
                .dir(tmp.resolve("ec"))
                .keyType(KeyType.EC_P256)
                .sans(List.of("lab.example", "*.lab.example", "::1"))
                .build());
    client = LabCertificates.issueClient(rsa.dir(), "alice", false);
    startServer(rsa);
  }

  @AfterAll
  void stopServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(5, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void opensslVerifiesServerAndClientCertificatesAgainstTheLabCa() {
    for (LabFiles f : List.of(rsa, ec)) {
      ExternalTool.Result r =
          ExternalTool.run(
              f.dir(),
              "openssl",
              "verify",
              "-CAfile",
              "ca.pem",
              "-purpose",
              "sslserver",
              "server.pem");
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("server.pem: OK");
    }
    ExternalTool.Result c =
        ExternalTool.run(
            rsa.dir(),
            "openssl",
            "verify",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "sslclient",
            client.cert().getFileName().toString());
    assertThat(c.output()).contains("client-alice.pem: OK");
    // and the same certificate must NOT pass as a server certificate: its EKU says clientAuth only
    ExternalTool.Result wrongPurpose =
        ExternalTool.run(
            rsa.dir(),
            "openssl",
            "verify",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "sslserver",
            client.cert().getFileName().toString());
    assertThat(wrongPurpose.exitCode()).isNotZero();
  }

  @Test
  void opensslVerifyRejectsACertificateFromAnotherLabCa() {
    ExternalTool.Result r =
        ExternalTool.run(tmp, "openssl", "verify", "-CAfile", "ec/ca.pem", "rsa/server.pem");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("unable to get local issuer certificate");
  }

  @Test
  void opensslX509ShowsSansAndUsages() {
    String server =
        ExternalTool.run(rsa.dir(), "openssl", "x509", "-in", "server.pem", "-noout", "-text")
            .output();
    assertThat(server)
        .contains("Version: 3 (0x2)")
        .contains("DNS:localhost, IP Address:127.0.0.1")
        .contains("Digital Signature, Key Encipherment")
        .contains("TLS Web Server Authentication")
        .contains("CA:FALSE")
        .contains("sha256WithRSAEncryption")
        .contains("X509v3 Subject Key Identifier")
        .contains("X509v3 Authority Key Identifier");
    String ca =
        ExternalTool.run(rsa.dir(), "openssl", "x509", "-in", "ca.pem", "-noout", "-text").output();
    assertThat(ca).contains("CA:TRUE").contains("Certificate Sign, CRL Sign");
    assertThat(ca.replaceAll("\\s+", " "))
        .contains("X509v3 Basic Constraints: critical CA:TRUE")
        .contains("X509v3 Key Usage: critical Certificate Sign, CRL Sign");

    String ecServer =
        ExternalTool.run(ec.dir(), "openssl", "x509", "-in", "server.pem", "-noout", "-text")
            .output();
    assertThat(ecServer)
        .contains("DNS:lab.example, DNS:*.lab.example, IP Address:0:0:0:0:0:0:0:1")
        .contains("ecdsa-with-SHA256")
        .contains("NIST CURVE: P-256")
        .doesNotContain("Key Encipherment");
    assertThat(ecServer.replaceAll("\\s+", " "))
        .contains("X509v3 Key Usage: critical Digital Signature ");

    String alice =
        ExternalTool.run(rsa.dir(), "openssl", "x509", "-in", "client-alice.pem", "-noout", "-text")
            .output();
    assertThat(alice).contains("CN = alice").contains("TLS Web Client Authentication");
  }

  @Test
  void opensslReadsTheKeyStoresTheJdkWrote() {
    for (LabFiles f : List.of(rsa, ec)) {
      ExternalTool.Result ks =
          ExternalTool.run(
              f.dir(),
              "openssl",
              "pkcs12",
              "-in",
              "server.p12",
              "-passin",
              "pass:changeit",
              "-nodes");
      assertThat(ks.exitCode()).as(ks.output()).isZero();
      assertThat(ks.output())
          .contains("-----BEGIN PRIVATE KEY-----")
          .contains("friendlyName: server");
      assertThat(ks.output().split("-----BEGIN CERTIFICATE-----", -1)).hasSize(3);
      ExternalTool.Result ts =
          ExternalTool.run(
              f.dir(),
              "openssl",
              "pkcs12",
              "-in",
              "truststore.p12",
              "-passin",
              "pass:changeit",
              "-nokeys");
      assertThat(ts.exitCode()).as(ts.output()).isZero();
      assertThat(ts.output())
          .contains("friendlyName: lab-ca")
          .contains("subject=O = TLS Lab, CN = TLS Lab CA");
    }
    // Only modern algorithms: OpenSSL 3.0 refuses RC2/3DES-era files without its legacy provider.
    String info =
        ExternalTool.run(
                rsa.dir(),
                "openssl",
                "pkcs12",
                "-in",
                "server.p12",
                "-passin",
                "pass:changeit",
                "-info",
                "-noout")
            .output();
    assertThat(info)
        .contains("MAC: sha256")
        .contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC")
        .contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC")
        .doesNotContain("RC2")
        .doesNotContain("3DES");
    ExternalTool.Result c =
        ExternalTool.run(
            rsa.dir(),
            "openssl",
            "pkcs12",
            "-in",
            "client-alice.p12",
            "-passin",
            "pass:changeit",
            "-nodes");
    assertThat(c.output()).contains("friendlyName: alice").contains("-----BEGIN PRIVATE KEY-----");
    ExternalTool.Result wrong =
        ExternalTool.run(
            rsa.dir(), "openssl", "pkcs12", "-in", "server.p12", "-passin", "pass:nope", "-nodes");
    assertThat(wrong.exitCode()).isNotZero();
    assertThat(wrong.output()).containsIgnoringCase("mac verify");
  }

  @Test
  void opensslSeesKeysAsPkcs8ThatMatchTheirCertificates() {
    for (LabFiles f : List.of(rsa, ec)) {
      String key =
          ExternalTool.run(f.dir(), "openssl", "pkey", "-in", "server.key", "-pubout").output();
      String cert =
          ExternalTool.run(f.dir(), "openssl", "x509", "-in", "server.pem", "-noout", "-pubkey")
              .output();
      assertThat(key).startsWith("-----BEGIN PUBLIC KEY-----").isEqualTo(cert);
    }
  }

  @Test
  void pythonLoadsTheCombinedPemAsTheReportDoes() throws IOException {
    for (LabFiles f : List.of(rsa, ec)) {
      ExternalTool.Result r =
          ExternalTool.run(
              f.dir(),
              "python3",
              "-c",
              "import ssl\n"
                  + "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                  + "ctx.load_cert_chain(certfile='cert.pem', keyfile='cert.pem')\n"
                  + "ctx2 = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                  + "ctx2.load_cert_chain('cert.pem')\n"
                  + "c = ssl.create_default_context(cafile='ca.pem')\n"
                  + "print('loaded', len(c.get_ca_certs()))\n");
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("loaded 1");
    }
    // and Python must reject a combined file whose key is not the certificate's
    Path bad = tmp.resolve("mismatch.pem");
    Files.write(
        bad, concat(Files.readAllBytes(ec.serverKey()), Files.readAllBytes(rsa.serverCert())));
    ExternalTool.Result r =
        ExternalTool.run(
            tmp,
            "python3",
            "-c",
            "import ssl\nssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain('mismatch.pem')");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("SSLError");
  }

  @Test
  void jsseClientTrustingOnlyTheLabTrustStoreCompletesAHandshakeWithOpenSsl() throws Exception {
    try (SSLSocket socket = connect("localhost")) {
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
      assertThat(socket.getSession().getPeerPrincipal().getName()).contains("CN=localhost");
    }
    try (SSLSocket socket = connect("127.0.0.1")) { // IP SAN
      socket.startHandshake();
      assertThat(socket.getSession().isValid()).isTrue();
    }
  }

  @Test
  void jsseClientFailsCleanlyOnAWrongHostName() {
    assertThatThrownBy(
            () -> {
              try (SSLSocket socket = connect("wrong.example")) {
                socket.startHandshake();
              }
            })
        .isInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(CertificateException.class)
        .rootCause()
        .hasMessageContaining("wrong.example");
  }

  private SSLSocket connect(String hostForVerification) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(rsa.trustStore())) {
      trust.load(in, LabCertificates.STORE_PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust); // ONLY the lab CA: the JDK's cacerts are not consulted
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", serverPort), 10_000);
    plain.setSoTimeout(10_000);
    // The host name given here is what JSSE compares with the certificate (and sends as SNI).
    SSLSocket socket =
        (SSLSocket)
            ctx.getSocketFactory().createSocket(plain, hostForVerification, serverPort, true);
    SSLParameters params = socket.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(params);
    return socket;
  }

  /** Starts openssl s_server on a free port; retries with another port if someone took it. */
  private void startServer(LabFiles f) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 5; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      ProcessBuilder pb =
          new ProcessBuilder(
                  "openssl",
                  "s_server",
                  "-accept",
                  "127.0.0.1:" + port,
                  "-cert",
                  "server.pem",
                  "-key",
                  "server.key",
                  "-www")
              .directory(f.dir().toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.contains("ACCEPT")) {
          server = p;
          serverPort = port;
          drain(out);
          return;
        }
      }
      p.waitFor(5, TimeUnit.SECONDS);
      p.destroyForcibly();
      if (!seen.toString().contains("in use")) {
        throw new AssertionError("openssl s_server did not start:\n" + seen);
      }
    }
    throw new AssertionError("openssl s_server: no free port after 5 attempts");
  }

  /** Keeps reading s_server's output so that it never blocks on a full pipe. */
  private static void drain(BufferedReader out) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // the server was stopped
              }
            },
            "s_server-output");
    t.setDaemon(true);
    t.start();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
