package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FirstChatCheck;
import tlslab.exercise.checks.ForwardSecrecyCheck;
import tlslab.exercise.checks.MutualTlsCheck;
import tlslab.pki.CertificateFile;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * Hand-edited captures, made from real ones: the signatures and Finished messages of a handshake
 * tie it to the keys that made it, so a certificate pasted into someone else's handshake, or a
 * changed handshake message, fails with the reason, while honest captures (TLS 1.2 with a key log,
 * TLS_RSA with the server key, TLS 1.3 with a key log) pass with what was verified.
 */
class ForgedHandshakeTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static StudentWork work;

  /**
   * bob's server, alice's lines: the session alice did not make herself. bob's server certificate
   * has the length of alice's, so that hers can be pasted over it byte for byte.
   */
  private static Path bob;

  /** alice's work with a TLS 1.3 chat as exercise 2. */
  private static Path tls13;

  @BeforeAll
  static void sessions() {
    work = StudentWork.get();
    bob = shared.resolve("bob");
    Identity.newSelfStudyChallenge(bob);
    int want = der(work.mine.resolve("certs/server.pem")).length;
    for (int i = 0; ; i++) {
      StudentWork.initCertificates(bob);
      if (der(bob.resolve("certs/server.pem")).length == want) {
        break;
      }
      assertThat(i).as("a certificate of the same length within 20 tries").isLessThan(20);
      deleteTree(bob.resolve("certs"));
    }
    StudentWork.chat(
        bob,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.NONE,
        StudentWork.NAME,
        List.of(StudentWork.CHAT_LINE, StudentWork.challengeLine(work.mine)));
    tls13 = StudentWork.copy(work.mine, shared.resolve("tls13"));
    StudentWork.chat(
        tls13,
        "02.pcap",
        "02.keylog",
        TlsProfile.TLS13,
        ClientAuth.NONE,
        StudentWork.NAME,
        List.of(StudentWork.CHAT_LINE, StudentWork.challengeLine(tls13)));
  }

  @Test
  void anHonestTls12ChatVerifiesItsSignatureAndBothFinished() {
    Report r = check(new FirstChatCheck(), work.mine);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(verified(r, "02.pcap"))
        .contains(
            "the Server Key Exchange is signed by the server certificate's key",
            "the client's Finished matches the handshake as captured",
            "the server's Finished matches the handshake as captured");
  }

  @Test
  void anHonestTlsRsaChatVerifiesBothFinishedWithTheServerKeyAlone() {
    Report r = check(new ForwardSecrecyCheck(), work.mine);
    assertThat(verified(r, "04-report.pcap"))
        .contains(
            "the client's Finished matches the handshake as captured",
            "the server's Finished matches the handshake as captured");
  }

  @Test
  void anHonestTls13ChatVerifiesTheServersSignatureAndBothFinished() {
    Report r = check(new FirstChatCheck(), tls13);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(verified(r, "02.pcap"))
        .contains(
            "the server's Certificate Verify is signed by its certificate's key",
            "the client's Finished matches the handshake as captured",
            "the server's Finished matches the handshake as captured");
  }

  @Test
  void anHonestMutualTlsChatVerifiesTheClientsSignature() {
    Report r = check(new MutualTlsCheck(), work.mine);
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    assertThat(verified(r, "09.pcap"))
        .contains("the client's Certificate Verify is signed by its certificate's key");
  }

  /**
   * The cheat: a session made against someone else's server (with her challenge and her name in
   * it), and her own certificate pasted over that server's. Before the signatures were checked,
   * every other requirement passed.
   */
  @Test
  void myCertificatePastedIntoAnotherServersHandshakeFails() {
    Path w = StudentWork.copy(work.mine, dir.resolve("w"));
    for (String f : List.of("02.pcap", "02.pcap.stats", "02.keylog")) {
      Evidence.copy(bob.resolve("captures").resolve(f), w.resolve("captures").resolve(f));
    }
    swap(
        w.resolve("captures/02.pcap"),
        der(bob.resolve("certs/server.pem")),
        der(work.mine.resolve("certs/server.pem")));
    Report r = check(new FirstChatCheck(), w);
    assertThat(failures(r))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.requirement()).isEqualTo("the handshake in 02.pcap verifies");
              assertThat(i.hint())
                  .contains(
                      "the Server Key Exchange is not signed by the key of the server certificate it shows",
                      "capture your own session again");
            });
  }

  /** One byte of the Client Hello's cipher suite list changed: the Finished MACs say so. */
  @Test
  void anEditedHandshakeMessageFailsOnTheFinished() {
    Path w = StudentWork.copy(work.mine, dir.resolve("w"));
    Path pcap = w.resolve("captures/02.pcap");
    byte[] random = clientRandom(w.resolve("captures/02.keylog"));
    byte[] file = read(pcap);
    int at = indexOf(file, random);
    assertThat(at).as("the Client Hello random in the capture").isPositive();
    int sessionIdLength = file[at + 32] & 0xff;
    int suites = at + 33 + sessionIdLength + 2; // first cipher suite, after its list's length
    file[suites + 1] ^= 0x01;
    write(pcap, file);
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "the handshake in 02.pcap verifies").hint())
        .contains("Finished does not match the handshake messages in the capture");
  }

  /**
   * Another client certificate of mine pasted over the one my client presented: it is mine and
   * chains to my CA, but the Certificate Verify was signed with the other key.
   */
  @Test
  void aClientCertificateWhoseKeyTheClientDidNotHoldFails() {
    Path w = StudentWork.copy(work.mine, dir.resolve("w"));
    byte[] presented = der(w.resolve("certs/client-alice.pem"));
    for (int i = 0; ; i++) {
      LabCertificates.issueClient(w.resolve("certs"), StudentWork.NAME, true);
      if (der(w.resolve("certs/client-alice.pem")).length == presented.length) {
        break;
      }
      assertThat(i).as("a certificate of the same length within 20 tries").isLessThan(20);
    }
    swap(w.resolve("captures/09.pcap"), presented, der(w.resolve("certs/client-alice.pem")));
    Report r = check(new MutualTlsCheck(), w);
    assertThat(failed(r, "the handshake in 09.pcap verifies").hint())
        .contains(
            "the client's Certificate Verify is not signed by the key of the client certificate");
  }

  /**
   * Replays: the demo's own capture and key log ({@code lab demo}, run here), and a capture from
   * the lab's test fixtures, handed in as exercise 2. Neither shows the student's certificate.
   */
  @Test
  void theDemosOutputAndTheLabsFixturesAreNotMyWork() throws IOException {
    Path w = StudentWork.copy(work.mine, dir.resolve("w"));
    Path demo = dir.resolve("demo");
    StudentWork.lab("demo", "--captures", demo.toString());
    assertThat(demo.resolve("demo.pcapng")).exists();
    Files.delete(w.resolve("captures/02.pcap"));
    Files.delete(w.resolve("captures/02.pcap.stats"));
    Evidence.copy(demo.resolve("demo.pcapng"), w.resolve("captures/02.pcapng"));
    Evidence.copy(demo.resolve("demo.keylog"), w.resolve("captures/02.keylog"));
    Report r = check(new FirstChatCheck(), w);
    assertThat(failed(r, "the server certificate in 02.pcap is your").hint())
        .contains("capture a session with your own server");

    Path fixture = Path.of("src/test/resources/captures/tls12-ecdhe-gcm.pcap");
    Files.delete(w.resolve("captures/02.pcapng"));
    Evidence.copyCapture(fixture, w.resolve("captures/02.pcap"));
    Report f = check(new FirstChatCheck(), w);
    assertThat(f.passed()).isFalse();
    assertThat(failures(f))
        .anyMatch(i -> i.requirement().startsWith("the server certificate in 02.pcap is your"));
  }

  /** The verified items of the requirement "the handshake in NAME verifies (...)". */
  private static String verified(Report r, String name) {
    return r.items().stream()
        .filter(i -> i.ok() && i.requirement().startsWith("the handshake in " + name + " verifies"))
        .map(Report.Item::requirement)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no verified handshake in " + r.items()));
  }

  private static byte[] der(Path pem) {
    try {
      return CertificateFile.read(pem, LabCertificates.STORE_PASSWORD).leaf().getEncoded();
    } catch (CertificateEncodingException e) {
      throw new AssertionError(e);
    }
  }

  /** Replaces every occurrence of {@code from} in the file with {@code to}, of the same length. */
  private static void swap(Path file, byte[] from, byte[] to) {
    assertThat(to).hasSameSizeAs(from);
    byte[] b = read(file);
    int n = 0;
    for (int at = indexOf(b, from); at >= 0; at = indexOf(b, from)) {
      System.arraycopy(to, 0, b, at, to.length);
      n++;
    }
    assertThat(n).as("the certificate is in " + file).isPositive();
    write(file, b);
  }

  private static byte[] clientRandom(Path keylog) {
    String line =
        Evidence.read(keylog)
            .lines()
            .filter(l -> l.startsWith("CLIENT_RANDOM "))
            .findFirst()
            .orElseThrow();
    return HexFormat.of().parseHex(line.split(" ")[1]);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] read(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path f, byte[] b) {
    try {
      Files.write(f, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path d) {
    StudentWork.deleteTree(d);
  }
}
