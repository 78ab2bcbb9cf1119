package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.capture.LiveCapture;
import tlslab.common.LabException;
import tlslab.exercise.checks.RevocationCheck;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassOptions;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.pki.OcspServer;
import tlslab.pki.RevocationReason;
import tlslab.pki.RevocationUrls;
import tlslab.pki.Revocations;
import tlslab.pki.Student;
import tlslab.tls.JsseSetup;
import tlslab.tls.RevocationPolicy;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * Exercise 11 on real evidence made the way a student makes it: the lab CA's responder, a stapling
 * lab server, a verifying lab client, libpcap captures (root), then revocation and the CRL. In
 * class (the student has a bundle) the client presents the class certificate, as the exercise says.
 * Then the cheats: the good capture handed in twice, a CRL from another CA, a CRL without the
 * serial, another student's captures, a good session a classmate made with the student's
 * certificates.
 */
class RevocationCheckTest {
  @TempDir static Path root;
  static Path work;
  static Path other;

  /** The good session made by a classmate (their own class certificate) for the student. */
  static Path classmatesGood;

  @BeforeAll
  static void evidence() throws Exception {
    JsseSetup.prepare(false, false);
    work = root.resolve("work");
    Path certs = work.resolve("certs");
    // In class: the bundle from the instructor's lab certs class, whose challenge goes in the SAN.
    Path instructor = root.resolve("instructor");
    LabCertificates.init(InitOptions.builder().dir(instructor).keyType(KeyType.EC_P256).build());
    ClassCertificates.issue(
        ClassOptions.builder()
            .caDir(instructor)
            .out(root.resolve("class"))
            .students(
                List.of(
                    new Student("Alice Martin", "s1234567"), new Student("Bob Stone", "s7654321")))
            .build(),
        (done, total) -> {});
    StudentWork.copy(root.resolve("class").resolve("s1234567"), work.resolve("bundle"));
    try (OcspServer ocsp = OcspServer.start("127.0.0.1", 0, certs, Duration.ofHours(1), l -> {})) {
      LabCertificates.init(
          InitOptions.builder()
              .dir(certs)
              .commonName("Alice Martin")
              .keyType(KeyType.EC_P256)
              .sans(List.of("localhost", "127.0.0.1", StudentWork.challenge(work) + ".invalid"))
              .revocationUrls(RevocationUrls.onLoopback(ocsp.port()))
              .build());
      // The exercise's in-class steps: the server trusts the class CA, the client presents the
      // bundle's certificate.
      StudentWork.trustClassCa(work);
      Path mine = work.resolve("bundle/s1234567.p12");
      session(certs, work.resolve("captures/11-good.pcap"), true, mine);
      classmatesGood = root.resolve("classmate/11-good.pcap");
      session(certs, classmatesGood, true, root.resolve("class/s7654321/s7654321.p12"));
      Revocations.revokeCertificate(
          certs, certs.resolve("server.pem"), RevocationReason.KEY_COMPROMISE);
      Revocations.writeCrl(certs, Duration.ofDays(7));
      session(certs, work.resolve("captures/11-revoked.pcap"), false, mine);
    }
    // Another student with their own CA and a complete exercise of their own CRL.
    other = root.resolve("other");
    Identity.newSelfStudyChallenge(other);
    LabCertificates.init(
        InitOptions.builder()
            .dir(other.resolve("certs"))
            .keyType(KeyType.EC_P256)
            .sans(List.of("localhost", "127.0.0.1", StudentWork.challenge(other) + ".invalid"))
            .build());
    Revocations.revokeCertificate(
        other.resolve("certs"), other.resolve("certs/server.pem"), RevocationReason.KEY_COMPROMISE);
    Revocations.writeCrl(other.resolve("certs"), Duration.ofDays(7));
  }

  /**
   * One stapling server (fresh context, so a fresh answer) asking for a client certificate, and one
   * verifying client presenting {@code keyStore}, captured.
   */
  private static void session(Path certs, Path pcap, boolean expectAccepted, Path keyStore)
      throws Exception {
    try (ChatServer server =
        ChatServer.builder()
            .context(TlsContexts.server(certs, true, RevocationPolicy.off()))
            .clientAuth(tlslab.tls.ClientAuth.WANT)
            .port(0)
            .profile(TlsProfile.MODERN)
            .log(l -> {})
            .build()
            .start()) {
      Files.createDirectories(pcap.getParent());
      LiveCapture c =
          new LiveCapture(new LiveCapture.Options("lo", "tcp port " + server.port(), pcap, 0, 0));
      c.trackTcpEnds();
      Thread t = new Thread(() -> c.run(new PrintWriter(Writer.nullWriter())), "test-capture");
      t.setDaemon(true);
      t.start();
      assertThat(c.awaitOpened(10_000)).as("libpcap capture on lo (run as root)").isTrue();
      java.util.concurrent.BlockingQueue<String> lines =
          new java.util.concurrent.LinkedBlockingQueue<>();
      try {
        ChatClient client =
            ChatClient.builder()
                .host("localhost")
                .port(server.port())
                .context(
                    TlsContexts.client(
                        certs.resolve("ca.pem"),
                        keyStore,
                        false,
                        new RevocationPolicy(RevocationPolicy.Mode.SOFT, List.of())))
                .profile(TlsProfile.MODERN)
                .onLine(lines::add)
                .handshakeTimeout(Duration.ofSeconds(10))
                .build();
        if (expectAccepted) {
          client.connect();
          client.send("/whoami");
          // The server's answer has arrived: the session holds application data both ways.
          assertThat(lines.poll(30, java.util.concurrent.TimeUnit.SECONDS))
              .as("the server answers /whoami")
              .isNotNull();
          client.close();
        } else {
          assertThatThrownBy(client::connect)
              .isInstanceOf(LabException.class)
              .hasMessageContaining("REVOKED");
        }
      } finally {
        // The last segments reach libpcap a moment after they are sent: wait for them (a generous
        // bound), not for a pause.
        c.awaitTcpClosed(1, 30_000);
        c.stop();
        assertThat(c.awaitFinished(5_000)).isTrue();
      }
    }
  }

  private static Report check(Path dir, String student) {
    return new RevocationCheck().check(new Workspace(dir, Optional.ofNullable(student)));
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return to;
  }

  @Test
  void theStudentsOwnEvidencePasses() {
    Report r = check(work, null);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(r.items())
        .extracting(Report.Item::requirement)
        .contains(
            "the server staples a Certificate Status in 11-good.pcap",
            "the client accepted the server in 11-good.pcap",
            "the stapled answer in 11-good.pcap says good for your server certificate, signed by"
                + " your CA",
            "your CA's CRL revokes your server certificate",
            "the stapled answer in 11-revoked.pcap says revoked for your server certificate,"
                + " signed by your CA",
            "the client refused the revoked server in 11-revoked.pcap");
    Report named = check(work, "alice martin");
    assertThat(named.passed()).as("%s", named.items()).isTrue();
    assertThat(named.items())
        .extracting(Report.Item::requirement)
        .contains("your server certificate carries your challenge");
  }

  /**
   * The cheat: a classmate makes the good session with the student's certificates (handed over, or
   * the student's machine) and the student hands it in. The classmate's client can present only the
   * classmate's class certificate, never the student's (no key): checked with the bundle and graded
   * against the class record, it fails, naming whose it is. The refusal carries no client
   * certificate by its nature, and the check says so.
   */
  @Test
  void aGoodSessionAClassmateMadeFailsOnTheClassCertificate(@TempDir Path tmp) throws IOException {
    Report honest = check(work, null);
    assertThat(honest.items())
        .anyMatch(i -> i.ok() && i.requirement().equals(CLASS_CERTIFICATE_IN_GOOD));
    assertThat(honest.notes())
        .anyMatch(n -> n.startsWith("11-revoked.pcap carries no class certificate"));
    Path w = copy(work, tmp.resolve("w"));
    Evidence.copyCapture(classmatesGood, w.resolve("captures/11-good.pcap"));
    Report r = check(w, null);
    assertThat(r.passed()).isFalse();
    assertThat(Evidence.failed(r, CLASS_CERTIFICATE_IN_GOOD).hint())
        .contains("not your bundle's certificate");
    ClassRecord klass = ClassRecord.load(root.resolve("class"));
    Report graded =
        new RevocationCheck()
            .check(new Workspace(w, Optional.of("Alice Martin"), Optional.of(klass)));
    assertThat(Evidence.failed(graded, CLASS_CERTIFICATE_IN_GOOD).hint())
        .contains("the class manifest lists serial", "Alice Martin");
    Report gradedHonest =
        new RevocationCheck()
            .check(new Workspace(work, Optional.of("Alice Martin"), Optional.of(klass)));
    assertThat(gradedHonest.passed()).as("%s", gradedHonest.items()).isTrue();
  }

  private static final String CLASS_CERTIFICATE_IN_GOOD =
      "your class certificate is in the handshake of 11-good.pcap";

  @Test
  void inClassTheServerCertificateMustNameTheStudent() {
    Report r = check(work, "Bob Stone");
    assertThat(r.passed()).isFalse();
    assertThat(Evidence.failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly("your server certificate names you");
  }

  @Test
  void theGoodCaptureHandedInTwiceFails(@TempDir Path tmp) throws IOException {
    Path w = copy(work, tmp.resolve("w"));
    Evidence.copyCapture(w.resolve("captures/11-good.pcap"), w.resolve("captures/11-revoked.pcap"));
    Report r = check(w, null);
    assertThat(Evidence.failures(r))
        .extracting(Report.Item::requirement)
        .containsExactly(
            "the stapled answer in 11-revoked.pcap says revoked for your server certificate,"
                + " signed by your CA",
            "the client refused the revoked server in 11-revoked.pcap");
    // What the CA said, read from the staple itself: not only that no refusal was seen.
    assertThat(Evidence.failures(r).get(0).hint())
        .contains("your CA's answer says good", "revoke the certificate");
  }

  @Test
  void aCrlFromAnotherCaOrWithoutTheSerialFails(@TempDir Path tmp) throws IOException {
    Path w = copy(work, tmp.resolve("w"));
    Files.copy(
        other.resolve("certs/crl.pem"),
        w.resolve("certs/crl.pem"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(Evidence.failures(check(w, null)))
        .singleElement()
        .satisfies(i -> assertThat(i.hint()).contains("is not signed by your CA"));

    // A fresh CRL of the student's CA that lists nothing: the revocation never happened.
    Path w2 = copy(work, tmp.resolve("w2"));
    Files.delete(w2.resolve("certs/revoked.tsv"));
    Revocations.writeCrl(w2.resolve("certs"), Duration.ofDays(1));
    assertThat(Evidence.failures(check(w2, null)))
        .singleElement()
        .satisfies(i -> assertThat(i.hint()).contains("does not list serial"));
  }

  @Test
  void anotherStudentsCapturesFail(@TempDir Path tmp) throws IOException {
    Path w = copy(other, tmp.resolve("w"));
    copy(work.resolve("captures"), w.resolve("captures"));
    Report r = check(w, null);
    assertThat(r.passed()).isFalse();
    assertThat(Evidence.failures(r))
        .extracting(Report.Item::requirement)
        .contains(
            "the server certificate in 11-good.pcap is your " + w.resolve("certs/server.pem"));
  }

  /**
   * The cheat the challenge stops: a friend's whole exercise (certificates, both captures, the CRL
   * of the friend's CA) copied into a work folder with the student's own challenge. Everything is
   * consistent with itself, so before the challenge was checked this passed.
   */
  @Test
  void aFriendsWholeExerciseCopiedFails(@TempDir Path tmp) throws IOException {
    Path w = tmp.resolve("w");
    Identity.newSelfStudyChallenge(w);
    copy(work.resolve("certs"), w.resolve("certs"));
    copy(work.resolve("captures"), w.resolve("captures"));
    Report r = check(w, null);
    assertThat(r.passed()).isFalse();
    assertThat(Evidence.failures(r))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.requirement())
                  .isEqualTo("your server certificate carries your challenge");
              assertThat(i.hint())
                  .contains(StudentWork.challenge(work))
                  .contains("someone else's certificates");
            });
  }

  @Test
  void aCertificateWithoutTheChallengeSaysHowToMakeOne(@TempDir Path tmp) throws IOException {
    Path w = copy(other, tmp.resolve("w"));
    LabCertificates.init(
        InitOptions.builder().dir(w.resolve("certs")).keyType(KeyType.EC_P256).force(true).build());
    assertThat(Evidence.failures(check(w, null)))
        .singleElement()
        .satisfies(
            i -> assertThat(i.hint()).contains("--san \"$(./lab exercise challenge).invalid\""));
  }

  /**
   * A refusal capture that lost packets cannot show that no application data was sent: the lost
   * part may hold it. lab capture's own record (.stats) says so, and the check says why it fails.
   */
  @Test
  void aRefusalCaptureThatLostPacketsDoesNotProveTheRefusal(@TempDir Path tmp) throws IOException {
    Path w = copy(work, tmp.resolve("w"));
    assertThat(w.resolve("captures/11-revoked.pcap.stats")).as("lab capture's record").exists();
    Evidence.write(
        w.resolve("captures/11-revoked.pcap.stats"),
        Evidence.read(w.resolve("captures/11-revoked.pcap.stats"))
            .replace("complete=true", "complete=false")
            .replace("kernel_dropped=0", "kernel_dropped=4"));
    Report r = check(w, null);
    assertThat(Evidence.failures(r))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.requirement()).isEqualTo("11-revoked.pcap lost no packets");
              assertThat(i.hint()).contains("lost 4 packets").contains("Capture it again");
            });
    assertThat(r.notes()).anyMatch(n -> n.startsWith("WARNING: 11-revoked.pcap lost 4 packets"));
  }

  @Test
  void missingEvidenceSaysWhatToDo(@TempDir Path tmp) throws IOException {
    Path w = copy(work, tmp.resolve("w"));
    Files.delete(w.resolve("certs/crl.pem"));
    assertThat(Evidence.failures(check(w, null)))
        .singleElement()
        .satisfies(i -> assertThat(i.hint()).contains("lab certs crl"));
  }
}
