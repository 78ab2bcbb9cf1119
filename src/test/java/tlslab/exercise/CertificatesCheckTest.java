package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.CertificatesCheck;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;

class CertificatesCheckTest {
  @TempDir static Path root;
  static Path mine;
  static Path friend;

  @BeforeAll
  static void certificates() {
    mine = root.resolve("mine");
    friend = root.resolve("friend");
    LabCertificates.init(InitOptions.builder().dir(mine.resolve("certs")).build());
    LabCertificates.init(InitOptions.builder().dir(friend.resolve("certs")).build());
  }

  private static String answersFor(Path work) {
    CertificateSummary s =
        CertificateSummary.of(
            CertificateFile.read(work.resolve("certs/server.pem"), "changeit").leaf());
    return "fingerprint: "
        + s.sha256Fingerprint()
        + "\n"
        + "key: RSA 2048\n"
        + "issuer: TLS Lab CA\n"
        + "sans: localhost, 127.0.0.1\n";
  }

  private static Report check(Path work, String answers) throws IOException {
    Files.createDirectories(work.resolve("answers"));
    Files.writeString(work.resolve("answers/01.txt"), answers);
    return new CertificatesCheck().check(new Workspace(work, Optional.empty()));
  }

  @Test
  void ownCertificatesAndCorrectAnswersPass() throws IOException {
    Report r = check(mine, answersFor(mine));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
  }

  @Test
  void copiedAnswersFailOnTheFingerprint() throws IOException {
    Report r = check(mine, answersFor(friend));
    assertThat(r.passed()).isFalse();
    assertThat(r.items())
        .filteredOn(i -> !i.ok())
        .extracting(Report.Item::requirement)
        .containsExactly("fingerprint is your server certificate's SHA-256 fingerprint");
  }

  @Test
  void serverCertificateFromAnotherCaFails(@TempDir Path work) throws IOException {
    Files.createDirectories(work.resolve("certs"));
    Files.copy(mine.resolve("certs/ca.pem"), work.resolve("certs/ca.pem"));
    for (String f : new String[] {"server.pem", "server.key"}) {
      Files.copy(
          friend.resolve("certs/" + f),
          work.resolve("certs/" + f),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Report r = check(work, answersFor(work));
    assertThat(r.passed()).isFalse();
    assertThat(r.items())
        .filteredOn(i -> !i.ok())
        .first()
        .satisfies(i -> assertThat(i.requirement()).contains("signed by ca.pem"));
  }

  @Test
  void missingCertificatesFailWithTheCommandToRun(@TempDir Path work) {
    Report r = new CertificatesCheck().check(new Workspace(work, Optional.empty()));
    assertThat(r.passed()).isFalse();
    assertThat(r.items().get(0).hint()).contains("lab certs init");
  }

  @Test
  void wrongSansAndKeyFail() throws IOException {
    Report r =
        check(
            mine,
            answersFor(mine)
                .replace("RSA 2048", "EC 256")
                .replace("localhost, 127.0.0.1", "localhost"));
    assertThat(r.items()).filteredOn(i -> !i.ok()).hasSize(2);
  }
}
