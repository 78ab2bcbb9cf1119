package tlslab.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.common.LabException;
import tlslab.pki.internal.Crypto;
import tlslab.pki.internal.PemIo;

/** Class bundles: roster parsing, one bundle per student, a manifest that matches the files. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassCertificatesTest {
  private Path lab;
  private X509Certificate ca;

  @BeforeAll
  void createLab(@TempDir Path dir) {
    lab = dir.resolve("lab");
    LabCertificates.init(InitOptions.builder().dir(lab).build()); // the default RSA-2048 CA
    ca = PemIo.readCertificate(lab.resolve("ca.pem"));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyType.class,
      names = {"EC_P256", "RSA_2048"})
  void everyBundleRoundTripsAndMatchesTheManifest(KeyType type, @TempDir Path out)
      throws Exception {
    List<Student> students =
        List.of(new Student("Ada Lovelace", "s100"), new Student("Zoë Martín", null));
    ClassCertificates.Result r =
        ClassCertificates.issue(
            ClassOptions.builder().caDir(lab).out(out).students(students).keyType(type).build(),
            null);

    List<String> manifest = Files.readAllLines(r.manifest(), StandardCharsets.UTF_8);
    assertThat(manifest).hasSize(3);
    assertThat(manifest.get(0)).isEqualTo(ClassCertificates.MANIFEST_HEADER);
    for (int i = 0; i < students.size(); i++) {
      Student s = students.get(i);
      String folder = s.folder();
      Path dir = out.resolve(folder);
      X509Certificate cert = PemIo.readCertificate(dir.resolve(folder + ".pem"));
      pkixValidate(cert); // the JDK's own path validator is the judge
      assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
      assertThat(cert.getSubjectX500Principal().getName())
          .contains("CN=" + s.name())
          .contains("OU=students");
      assertThat(KeyType.of(cert.getPublicKey())).isEqualTo(type);
      assertThat(
              Crypto.keysMatch(
                  PemIo.readPrivateKey(dir.resolve(folder + ".key")), cert.getPublicKey()))
          .isTrue();
      assertThat(PemIo.read(dir.resolve(folder + "-combined.pem")).certificates())
          .containsExactly(cert);
      assertThat(PemIo.readCertificate(dir.resolve("ca.pem"))).isEqualTo(ca);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve(folder + ".p12"))) {
        ks.load(in, LabCertificates.STORE_PASSWORD.toCharArray());
      }
      assertThat(Collections.list(ks.aliases())).containsExactly(folder);
      assertThat(ks.getCertificateChain(folder)).containsExactly(cert, ca);
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve(folder + ".p12"))))
          .isEqualTo("rw-------");

      String[] row = manifest.get(i + 1).split("\t");
      assertThat(row)
          .containsExactly(
              s.id() == null ? "" : s.id(),
              s.name(),
              cert.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT),
              CertificateSummary.sha256Fingerprint(cert),
              folder);
    }
    assertThat(ClassCertificates.readManifest(r.manifest())).isEqualTo(r.entries());
    // Each bundle carries its student's challenge, recomputable from the class secret alone.
    byte[] secret = ClassChallenge.readSecret(out.resolve(ClassChallenge.SECRET_FILE));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve(ClassChallenge.SECRET_FILE))))
        .isEqualTo("rw-------");
    for (ClassCertificates.Entry e : r.entries()) {
      String challenge = Files.readString(e.folder().resolve(ClassChallenge.BUNDLE_FILE)).strip();
      assertThat(challenge).isEqualTo(ClassChallenge.of(secret, e.key()));
      assertThat(ClassChallenge.looksLikeOne(challenge)).isTrue();
      assertThat(e.folder().resolve(ClassChallenge.SECRET_FILE)).doesNotExist();
    }
    assertThat(ClassChallenge.of(secret, "s100")).isNotEqualTo(ClassChallenge.of(secret, "s101"));
    assertThat(students.get(0).folder()).isEqualTo("s100");
    assertThat(students.get(1).folder()).isEqualTo("zoe-martin");
    assertThat(
            PemIo.readCertificate(out.resolve("s100/s100.pem")).getSubjectX500Principal().getName())
        .contains("UID=s100");
  }

  @Test
  void progressIsReportedOncePerBundleAndSerialsAreUnique(@TempDir Path out) {
    List<int[]> calls = Collections.synchronizedList(new ArrayList<>());
    ClassCertificates.Result r =
        ClassCertificates.issue(
            ClassOptions.builder()
                .caDir(lab)
                .out(out)
                .students(ClassRoster.numbered(12))
                .threads(3)
                .build(),
            (done, total) -> calls.add(new int[] {done, total}));
    assertThat(calls).hasSize(12);
    assertThat(calls.stream().mapToInt(c -> c[0]).sorted().toArray())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    assertThat(calls).allSatisfy(c -> assertThat(c[1]).isEqualTo(12));
    assertThat(r.entries().stream().map(ClassCertificates.Entry::serial).distinct()).hasSize(12);
    assertThat(r.entries().get(0).folder().getFileName().toString()).isEqualTo("student-001");
  }

  @Test
  void rosterFormats(@TempDir Path dir) throws Exception {
    Path roster =
        Files.writeString(
            dir.resolve("r.txt"),
            "\uFEFF# header comment\r\nAda Lovelace\r\ns2 , Alan Turing\r\ns3\tGrace Hopper, Rear Admiral\r\n\r\n",
            StandardCharsets.UTF_8);
    assertThat(ClassRoster.read(roster))
        .containsExactly(
            new Student("Ada Lovelace", null),
            new Student("Alan Turing", "s2"),
            new Student("Grace Hopper, Rear Admiral", "s3"));
    assertThat(ClassRoster.numbered(3))
        .extracting(Student::name)
        .containsExactly("student-001", "student-002", "student-003");
    assertThat(ClassRoster.numbered(1200).get(0).name()).isEqualTo("student-0001");
  }

  @Test
  void rosterErrorsNameTheLine(@TempDir Path dir) throws Exception {
    Path noName = Files.writeString(dir.resolve("n.txt"), "Ann\ns9,\n");
    assertThatThrownBy(() -> ClassRoster.read(noName))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("line 2: no student name after the ID");
    Path symbols = Files.writeString(dir.resolve("s.txt"), "Ann\n!!!\n");
    assertThatThrownBy(() -> ClassRoster.read(symbols))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("empty folder name");
    // "Núñez, José" is Last, First, not ID,Name: refused, saying how to write it.
    Path lastFirst = Files.writeString(dir.resolve("l.txt"), "Ann\nNúñez, José\n");
    assertThatThrownBy(() -> ClassRoster.read(lastFirst))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("looks like 'Last, First'")
        .hasMessageContaining("'José Núñez'");
    Path sameName = Files.writeString(dir.resolve("d.txt"), "Ann Lee\nann lee\n");
    assertThatThrownBy(() -> ClassRoster.read(sameName))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("'ann-lee' with line 1");
  }

  @Test
  void folderNamesCannotEscapeTheOutputFolder() {
    assertThat(new Student("x", "../../etc/passwd").folder()).isEqualTo("etc-passwd");
    assertThat(new Student("/root/.ssh", null).folder()).isEqualTo("root-.ssh");
  }

  @Test
  void anExistingBundleIsNotReplacedWithoutForce(@TempDir Path out) throws Exception {
    List<Student> one = List.of(new Student("Ann", "a1"));
    ClassCertificates.issue(ClassOptions.builder().caDir(lab).out(out).students(one).build(), null);
    byte[] key = Files.readAllBytes(out.resolve("a1/a1.key"));
    Files.delete(out.resolve(ClassCertificates.MANIFEST));
    assertThatThrownBy(
            () ->
                ClassCertificates.issue(
                    ClassOptions.builder().caDir(lab).out(out).students(one).build(), null))
        .isInstanceOfSatisfying(
            LabException.class, e -> assertThat(e.kind()).isEqualTo(LabException.Kind.REFUSED))
        .hasMessageContaining("a1 already exists");
    assertThat(Files.readAllBytes(out.resolve("a1/a1.key"))).isEqualTo(key);
    ClassCertificates.issue(
        ClassOptions.builder().caDir(lab).out(out).students(one).force(true).build(), null);
    assertThat(Files.readAllBytes(out.resolve("a1/a1.key"))).isNotEqualTo(key);
  }

  private void pkixValidate(X509Certificate cert) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }
}
