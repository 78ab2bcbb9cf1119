package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.KeyType;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.PemIo;

/**
 * {@code lab certs ...} through the real command line: exit codes, output, and one clear line on
 * stderr (never a stack trace) for every kind of bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertsCommandTest {
  private Path tmp;
  private Path lab; // an EC lab, created once and only read by the tests
  private Path otherLab; // a second lab CA with the same name but another key

  static CliRun.Result lab(String... args) {
    return CliRun.run(args);
  }

  /** A user mistake: the documented exit code and exactly one line on stderr, no stack trace. */
  static void assertOneLineError(CliRun.Result r, int exit, String... fragments) {
    assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(exit);
    String err = r.err().strip();
    assertThat(err.lines().count()).as(err).isEqualTo(1);
    assertThat(err).startsWith("lab certs ").doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(err).contains(f);
    }
  }

  @BeforeAll
  void createLabs(@TempDir Path dir) {
    tmp = dir;
    lab = dir.resolve("lab");
    otherLab = dir.resolve("other");
    assertThat(lab("certs", "init", "--dir", lab.toString(), "--key", "ec-p256").exit()).isZero();
    assertThat(lab("certs", "init", "--dir", otherLab.toString(), "--key", "ec-p256").exit())
        .isZero();
    assertThat(lab("certs", "issue", "--client", "bob", "--dir", lab.toString()).exit()).isZero();
  }

  // --- help and usage ---

  @Test
  void everyCertsCommandHasHelpWithTheExitCodeTable() {
    CliRun.Result top = lab("certs", "--help");
    assertThat(top.exit()).isZero();
    assertThat(top.out()).contains("init", "issue", "class", "show", "verify");
    for (String sub : List.of("init", "issue", "class", "show", "verify")) {
      CliRun.Result r = lab("certs", sub, "--help");
      assertThat(r.exit()).isZero();
      assertThat(r.out())
          .contains("Usage: lab certs " + sub)
          .contains(ExitCode.TABLE.substring(0, 30));
    }
  }

  @Test
  void certsWithoutASubcommandIsAUsageError() {
    CliRun.Result r = lab("certs");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Missing required subcommand");
  }

  @Test
  void unknownKeyTypeIsAUsageErrorNamingTheChoices() {
    CliRun.Result r =
        lab("certs", "init", "--dir", tmp.resolve("k").toString(), "--key", "dsa-1024");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .contains("unknown key type 'dsa-1024'")
        .contains("ec-p256, rsa-2048, rsa-3072");
    assertThat(tmp.resolve("k")).doesNotExist();
  }

  // --- init ---

  @Test
  void initWritesEveryFileWithSecretsPrivate() throws Exception {
    CliRun.Result r =
        lab(
            "certs",
            "init",
            "--dir",
            tmp.resolve("init").toString(),
            "--key",
            "ec-p256",
            "--cn",
            "chat.lab",
            "--san",
            "chat.lab,10.0.0.1",
            "--days",
            "30");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("ec-p256").contains("SAN chat.lab, 10.0.0.1").contains("changeit");
    for (String f :
        List.of(
            "ca.pem",
            "ca.key",
            "server.pem",
            "server.key",
            "cert.pem",
            "server.p12",
            "truststore.p12")) {
      assertThat(tmp.resolve("init").resolve(f)).exists();
      assertThat(r.out()).contains(f);
    }
    for (String secret : List.of("ca.key", "server.key", "cert.pem", "server.p12")) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(tmp.resolve("init").resolve(secret))))
          .isEqualTo("rw-------");
    }
    CliRun.Result show = lab("certs", "show", tmp.resolve("init/server.pem").toString());
    assertThat(show.out())
        .contains("CN=chat.lab")
        .contains("DNS:chat.lab, IP:10.0.0.1")
        .contains("EC P-256");
  }

  @Test
  void initRefusesToOverwriteAnExistingKeyUnlessForced() throws Exception {
    Path dir = tmp.resolve("again");
    assertThat(lab("certs", "init", "--dir", dir.toString(), "--key", "ec-p256").exit()).isZero();
    byte[] key = Files.readAllBytes(dir.resolve("ca.key"));
    assertOneLineError(
        lab("certs", "init", "--dir", dir.toString(), "--key", "ec-p256"),
        ExitCode.REFUSED,
        "ca.key already exists",
        "--force");
    assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(key);
    assertThat(lab("certs", "init", "--dir", dir.toString(), "--key", "ec-p256", "--force").exit())
        .isZero();
    assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isNotEqualTo(key);
  }

  @Test
  void initRejectsBadSansAndDays() {
    assertOneLineError(
        lab("certs", "init", "--dir", tmp.resolve("s").toString(), "--san", "not a host!"),
        ExitCode.BAD_INPUT,
        "'not a host!' is neither an IP address nor a valid DNS name");
    assertOneLineError(
        lab("certs", "init", "--dir", tmp.resolve("s").toString(), "--san", "localhost,999.1.1.1"),
        ExitCode.BAD_INPUT,
        "not a valid IPv4 address: '999.1.1.1'");
    assertOneLineError(
        lab("certs", "init", "--dir", tmp.resolve("s").toString(), "--san", "fe80::1::2"),
        ExitCode.BAD_INPUT,
        "not a valid IPv6 address: 'fe80::1::2'");
    assertOneLineError(
        lab("certs", "init", "--dir", tmp.resolve("d").toString(), "--days", "0"),
        ExitCode.BAD_INPUT,
        "days: must be between 1 and 3650");
  }

  // --- issue ---

  @Test
  void issueWritesAClientBundleAndRefusesASecondTime() {
    CliRun.Result r = lab("certs", "issue", "--client", "carol", "--dir", lab.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "client-carol.pem",
            "client-carol.key",
            "client-carol-combined.pem",
            "client-carol.p12");
    CliRun.Result v =
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("client-carol.p12").toString());
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.out()).contains("clientAuth");
    assertOneLineError(
        lab("certs", "issue", "--client", "carol", "--dir", lab.toString()),
        ExitCode.REFUSED,
        "client-carol.key already exists");
  }

  @Test
  void issueWithoutALabCaOrWithAPathAsNameIsBadInput() {
    assertOneLineError(
        lab("certs", "issue", "--client", "dave", "--dir", tmp.resolve("nowhere").toString()),
        ExitCode.BAD_INPUT,
        "no lab CA in",
        "lab certs init");
    assertOneLineError(
        lab("certs", "issue", "--client", "../evil", "--dir", lab.toString()),
        ExitCode.BAD_INPUT,
        "client name: '../evil'");
  }

  @Test
  void issueWithACaKeyThatIsNotTheCasIsBadInput() throws Exception {
    Path dir = tmp.resolve("swapped");
    Files.createDirectories(dir);
    Files.copy(lab.resolve("ca.pem"), dir.resolve("ca.pem"));
    Files.copy(otherLab.resolve("ca.key"), dir.resolve("ca.key"));
    assertOneLineError(
        lab("certs", "issue", "--client", "eve", "--dir", dir.toString()),
        ExitCode.BAD_INPUT,
        "ca.key: this key does not match the certificate");
  }

  @Test
  void issueFromAnExpiredLabCaIsRefusedAsBadInput() throws Exception {
    Path dir = tmp.resolve("expired");
    Files.createDirectories(dir);
    KeyPair pair = KeyType.EC_P256.generate();
    X500Name name = new X500Name("CN=Old Lab CA");
    Instant start = Instant.parse("2020-01-01T00:00:00Z");
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.TEN,
            Date.from(start),
            Date.from(start.plus(Duration.ofDays(30))),
            name,
            pair.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    byte[] der =
        b.build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(Crypto.BC)
                    .build(pair.getPrivate()))
            .getEncoded();
    X509Certificate old = PemIo.toX509(der, dir);
    Files.write(dir.resolve("ca.pem"), PemIo.encode(null, old));
    Files.write(dir.resolve("ca.key"), PemIo.encode(pair.getPrivate()));
    assertOneLineError(
        lab("certs", "issue", "--client", "frank", "--dir", dir.toString()),
        ExitCode.BAD_INPUT,
        "the lab CA expired at 2020-01-31T00:00:00Z",
        "--force");
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            dir.resolve("ca.pem").toString(),
            dir.resolve("ca.pem").toString()),
        ExitCode.FAILED,
        "validity: CN=Old Lab CA expired at 2020-01-31T00:00:00Z");
  }

  // --- show ---

  @Test
  void showReadsPemCombinedPemAndPkcs12() {
    CliRun.Result pem = lab("certs", "show", lab.resolve("server.pem").toString());
    assertThat(pem.exit()).isZero();
    assertThat(pem.out())
        .contains("(PEM certificate)")
        .contains("subject:        CN=localhost,OU=server,O=TLS Lab")
        .contains("issuer:         CN=TLS Lab CA,O=TLS Lab")
        .contains("SANs:           DNS:localhost, IP:127.0.0.1")
        .contains("key usage:      digitalSignature (critical)")
        .contains("ext key usage:  serverAuth")
        .contains("basic constr.:  CA:false (critical)")
        .contains("key:            EC P-256")
        .contains("days left")
        .containsPattern("SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}");
    CliRun.Result combined = lab("certs", "show", lab.resolve("cert.pem").toString());
    assertThat(combined.out())
        .contains("combined PEM")
        .contains("private key:    EC P-256, matches the certificate");
    CliRun.Result p12 = lab("certs", "show", lab.resolve("server.p12").toString());
    assertThat(p12.out())
        .contains("PKCS#12")
        .contains("certificate 2 of 2")
        .contains("CA:true (critical)")
        .contains("keyCertSign, cRLSign (critical)")
        .contains("(self-signed)");
    CliRun.Result trust =
        lab("certs", "show", lab.resolve("truststore.p12").toString(), "--password", "changeit");
    assertThat(trust.exit()).isZero();
    assertThat(trust.out()).contains("subject:        CN=TLS Lab CA,O=TLS Lab");
  }

  @Test
  void showReadsABinaryDerCertificate() throws Exception {
    Path der = tmp.resolve("server.der");
    Files.write(der, PemIo.readCertificate(lab.resolve("server.pem")).getEncoded());
    CliRun.Result r = lab("certs", "show", der.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("(DER certificate)").contains("CN=localhost");
  }

  @Test
  void showOfAMissingFileIsBadInput() {
    assertOneLineError(
        lab("certs", "show", tmp.resolve("nope.pem").toString()),
        ExitCode.BAD_INPUT,
        "nope.pem: no such file");
  }

  @Test
  void showOfAFileThatIsNotPemIsBadInput() throws Exception {
    Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, I am not a certificate\n");
    assertOneLineError(
        lab("certs", "show", text.toString()),
        ExitCode.BAD_INPUT,
        "notes.txt: not a certificate file (neither PEM, DER nor PKCS#12)");
    Path corrupt =
        Files.writeString(
            tmp.resolve("corrupt.pem"),
            "-----BEGIN CERTIFICATE-----\nMIIB!!!!not base64 at all@@@\n-----END CERTIFICATE-----\n");
    assertOneLineError(
        lab("certs", "show", corrupt.toString()), ExitCode.BAD_INPUT, "corrupt.pem: corrupt PEM");
    Path binary =
        Files.write(tmp.resolve("junk.p12"), new byte[] {0x30, 0x03, 0x02, 0x01, 0x03, 0x55});
    assertOneLineError(
        lab("certs", "show", binary.toString()),
        ExitCode.BAD_INPUT,
        "junk.p12: not a PKCS#12 file");
    assertOneLineError(
        lab("certs", "show", lab.resolve("server.key").toString()),
        ExitCode.BAD_INPUT,
        "holds a private key but no certificate");
  }

  @Test
  void showWithAWrongPasswordIsBadInput() {
    assertOneLineError(
        lab("certs", "show", lab.resolve("server.p12").toString(), "--password", "wrong"),
        ExitCode.BAD_INPUT,
        "server.p12: wrong password for this PKCS#12 file");
  }

  @Test
  void showOfACombinedPemWhoseKeyIsNotTheCertificatesIsBadInput() throws Exception {
    Path mismatch = mismatchedCombinedPem();
    assertOneLineError(
        lab("certs", "show", mismatch.toString()),
        ExitCode.BAD_INPUT,
        "mismatch.pem: the private key does not match the certificate");
  }

  // --- verify ---

  @Test
  void verifyPassesEveryCheckForTheServerCertificate() {
    CliRun.Result r =
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("server.pem").toString(),
            "--host",
            "localhost");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("ok ")).count()).isEqualTo(5);
    assertThat(r.out()).contains("verified against").doesNotContain("FAIL");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void verifyFailsOnAWrongHostName() {
    CliRun.Result r =
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("cert.pem").toString(),
            "--host",
            "www.example.org");
    assertOneLineError(
        r,
        ExitCode.FAILED,
        "hostname: 'www.example.org' does not match the subjectAltName (DNS:localhost, IP:127.0.0.1)");
    assertThat(r.out()).contains("FAIL  hostname");
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("server.pem").toString(),
            "--host",
            "127.0.0.2"),
        ExitCode.FAILED,
        "'127.0.0.2' does not match");
  }

  @Test
  void verifyFailsWhenAnotherCaSignedTheCertificate() {
    CliRun.Result r =
        lab(
            "certs",
            "verify",
            "--ca",
            otherLab.resolve("ca.pem").toString(),
            lab.resolve("server.pem").toString());
    // Both lab CAs are called "CN=TLS Lab CA": only the signature tells them apart.
    assertOneLineError(
        r,
        ExitCode.FAILED,
        "chain: CN=localhost,OU=server,O=TLS Lab was not signed by CN=TLS Lab CA,O=TLS Lab (the CA)",
        "signature does not verify");
  }

  @Test
  void verifyFailsOutsideTheValidityPeriod() {
    String ca = lab.resolve("ca.pem").toString();
    String cert = lab.resolve("server.pem").toString();
    assertOneLineError(
        lab("certs", "verify", "--ca", ca, cert, "--at", "2100-01-01T00:00:00Z"),
        ExitCode.FAILED,
        "validity:",
        "expired at");
    assertOneLineError(
        lab("certs", "verify", "--ca", ca, cert, "--at", "2001-01-01T00:00:00Z"),
        ExitCode.FAILED,
        "validity:",
        "is not valid before");
  }

  @Test
  void verifyFailsForAClientCertificateUsedAsAServer() {
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("client-bob.pem").toString(),
            "--host",
            "localhost"),
        ExitCode.FAILED,
        "key usage:",
        "is not for TLS servers (extKeyUsage lacks serverAuth; has clientAuth)");
  }

  @Test
  void verifyFailsWhenTheTrustedCertificateIsNotACa() {
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("server.pem").toString(),
            lab.resolve("server.pem").toString()),
        ExitCode.FAILED,
        "CA: CN=localhost,OU=server,O=TLS Lab is not a CA certificate");
  }

  @Test
  void verifyOfMissingOrMismatchedInputIsBadInputNotAFailure() throws Exception {
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            tmp.resolve("missing-ca.pem").toString(),
            lab.resolve("server.pem").toString()),
        ExitCode.BAD_INPUT,
        "missing-ca.pem: no such file");
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            mismatchedCombinedPem().toString()),
        ExitCode.BAD_INPUT,
        "the private key does not match the certificate");
    assertOneLineError(
        lab(
            "certs",
            "verify",
            "--ca",
            lab.resolve("ca.pem").toString(),
            lab.resolve("server.p12").toString(),
            "--password",
            "nope"),
        ExitCode.BAD_INPUT,
        "wrong password");
    CliRun.Result usage = lab("certs", "verify", lab.resolve("server.pem").toString());
    assertThat(usage.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(usage.err()).contains("Missing required option: '--ca=CA.pem'");
  }

  // --- class ---

  @Test
  void classFromARosterWritesOneBundlePerStudentAndAManifest() throws Exception {
    Path roster =
        Files.writeString(
            tmp.resolve("roster.txt"),
            "# CS 4xx, autumn\n\ns100,Ada Lovelace\ns200\tZoë Martín\nGrace Hopper\n",
            StandardCharsets.UTF_8);
    Path out = tmp.resolve("handout");
    CliRun.Result r =
        lab(
            "certs",
            "class",
            "--roster",
            roster.toString(),
            "--dir",
            lab.toString(),
            "--out",
            out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Issued 3 student bundles (ec-p256 keys)");
    assertThat(r.err()).isEmpty(); // no progress lines for a small class
    List<String> manifest = Files.readAllLines(out.resolve("manifest.tsv"));
    assertThat(manifest.get(0)).isEqualTo("id\tname\tserial\tsha256_fingerprint\tfolder");
    assertThat(manifest).hasSize(4);
    assertThat(manifest.get(1)).startsWith("s100\tAda Lovelace\t").endsWith("\ts100");
    assertThat(manifest.get(2)).startsWith("s200\tZoë Martín\t").endsWith("\ts200");
    assertThat(manifest.get(3)).startsWith("\tGrace Hopper\t").endsWith("\tgrace-hopper");
    for (String folder : List.of("s100", "s200", "grace-hopper")) {
      for (String f :
          List.of(
              folder + ".pem",
              folder + ".key",
              folder + "-combined.pem",
              folder + ".p12",
              "ca.pem",
              "challenge.txt")) {
        assertThat(out.resolve(folder).resolve(f)).exists();
      }
    }
    CliRun.Result show = lab("certs", "show", out.resolve("s200/s200.p12").toString());
    assertThat(show.out()).contains("CN=Zoë Martín").contains("UID=s200").contains("clientAuth");
    String fingerprint = manifest.get(2).split("\t")[3];
    assertThat(show.out()).contains("SHA-256:        " + fingerprint);
    CliRun.Result verify =
        lab(
            "certs",
            "verify",
            "--ca",
            out.resolve("s100/ca.pem").toString(),
            out.resolve("s100/s100-combined.pem").toString());
    assertThat(verify.exit()).as(verify.err()).isZero();

    assertOneLineError(
        lab(
            "certs",
            "class",
            "--roster",
            roster.toString(),
            "--dir",
            lab.toString(),
            "--out",
            out.toString()),
        ExitCode.REFUSED,
        "manifest.tsv already exists");
  }

  @Test
  void classByCountShowsProgressOnStderrForLargeClasses() throws Exception {
    Path out = tmp.resolve("big");
    CliRun.Result r =
        lab("certs", "class", "--count", "50", "--dir", lab.toString(), "--out", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("issued 5/50").contains("issued 50/50");
    assertThat(Files.readAllLines(out.resolve("manifest.tsv"))).hasSize(51);
    assertThat(out.resolve("student-050/student-050.p12")).exists();
  }

  @Test
  void classInputErrors() throws Exception {
    String dir = lab.toString();
    assertOneLineError(
        lab("certs", "class", "--roster", tmp.resolve("absent.txt").toString(), "--dir", dir),
        ExitCode.BAD_INPUT,
        "absent.txt: no such file");
    Path empty = Files.writeString(tmp.resolve("empty.txt"), "# nobody yet\n\n");
    assertOneLineError(
        lab("certs", "class", "--roster", empty.toString(), "--dir", dir),
        ExitCode.BAD_INPUT,
        "the roster lists no students");
    Path dup = Files.writeString(tmp.resolve("dup.txt"), "s1,Ann\ns2,Ben\ns1,Ann Again\n");
    assertOneLineError(
        lab("certs", "class", "--roster", dup.toString(), "--dir", dir),
        ExitCode.BAD_INPUT,
        "dup.txt line 3",
        "would share folder 's1' with line 1");
    Path latin1 =
        Files.write(tmp.resolve("latin1.txt"), "Zo\u00eb\n".getBytes(StandardCharsets.ISO_8859_1));
    assertOneLineError(
        lab("certs", "class", "--roster", latin1.toString(), "--dir", dir),
        ExitCode.BAD_INPUT,
        "not UTF-8 text");
    assertOneLineError(
        lab("certs", "class", "--count", "0", "--dir", dir),
        ExitCode.BAD_INPUT,
        "class size must be between 1 and 10000, got 0");
    assertOneLineError(
        lab("certs", "class", "--count", "2", "--dir", tmp.resolve("no-ca").toString()),
        ExitCode.BAD_INPUT,
        "no lab CA in");
    CliRun.Result both = lab("certs", "class", "--count", "2", "--roster", dup.toString());
    assertThat(both.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(both.err()).contains("mutually exclusive");
  }

  // --- bench (runs it; the figures themselves are for people, not assertions) ---

  @Test
  void benchCertsPrintsBothTimesAndTheRatio() {
    CliRun.Result r = lab("bench", "certs", "--count", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Issuing a class of 2 bundles (ec-p256 student keys")
        .containsPattern("in-process, \\d+ threads: +\\d+ ms")
        .containsPattern("openssl CLI loop: +\\d+ ms")
        .containsPattern("ratio openssl / in-process: [0-9.]+x");
    CliRun.Result bad = lab("bench", "certs", "--count", "0");
    assertThat(bad.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(bad.err().strip())
        .isEqualTo("lab bench certs: count: must be between 1 and 10000, got 0");
  }

  private Path mismatchedCombinedPem() throws Exception {
    Path mismatch = tmp.resolve("mismatch.pem");
    if (!Files.exists(mismatch)) {
      // bob's key with the server's certificate: both EC P-256, same CA, different key pairs
      String key = Files.readString(lab.resolve("client-bob.key"));
      String cert = Files.readString(lab.resolve("server.pem"));
      Files.writeString(mismatch, key + cert);
    }
    return mismatch;
  }
}
