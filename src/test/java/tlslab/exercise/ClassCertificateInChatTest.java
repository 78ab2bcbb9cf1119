package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.failed;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.FirstChatCheck;
import tlslab.exercise.checks.HandshakeReadingCheck;
import tlslab.pki.ClientFiles;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * In class, the chats of exercises 2-5 carry the student's class certificate: their client presents
 * the bundle's {@code .p12} to their own server ({@code --client-auth want}, the class CA in its
 * trust store). Graded against the class record, it must be the certificate the manifest lists for
 * the student, chained to the class CA. Real chats and libpcap captures: the honest one, then the
 * same chat without a certificate, with one the student issued themselves, and with a classmate's
 * bundle.
 */
@Tag("jdk") // key logs come from JSSE internals
class ClassCertificateInChatTest {
  static StudentWork work;
  static ClassRecord klass;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
    klass = ClassRecord.load(work.classDir);
  }

  /** The class student's folder with their own server certificates (challenge in the SAN). */
  private Path student(String name) {
    Path w = StudentWork.copy(work.classWork, tmp.resolve(name));
    StudentWork.initCertificates(w, tlslab.pki.KeyType.EC_P256);
    StudentWork.trustClassCa(w);
    return w;
  }

  private static void chat02(Path w, Path keyStore) {
    StudentWork.chat(
        w,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.WANT,
        keyStore,
        "Alice",
        List.of("hello from Alice Martin (s1234567)", StudentWork.challengeLine(w)));
  }

  private static Report graded(Checker c, Path w) {
    return c.check(
        new Workspace(w, Optional.of(StudentWork.CLASS_STUDENT.id()), Optional.of(klass)));
  }

  private static Report own(Checker c, Path w) {
    return c.check(new Workspace(w, Optional.of(StudentWork.CLASS_STUDENT.id())));
  }

  private static final String REQUIREMENT = "your class certificate is in the handshake of 02.pcap";

  @Test
  void theBundlesCertificateInTheChatPassesGradedAndSelfChecked() {
    Path w = student("honest");
    chat02(w, w.resolve("bundle/" + StudentWork.CLASS_STUDENT.folder() + ".p12"));
    Report g = graded(new FirstChatCheck(), w);
    assertThat(g.passed()).as("%s", g.items()).isTrue();
    assertThat(g.items()).extracting(Report.Item::requirement).contains(REQUIREMENT);
    Report s = own(new FirstChatCheck(), w);
    assertThat(s.passed()).as("%s", s.items()).isTrue();
  }

  /**
   * The exercise says "hello from YOURNAME" with {@code --name YOURNAME}, and a nick holds no
   * spaces: a student types their first name. Graded (manifest name "Alice Martin") and checked
   * with the bundle (its certificate's CN), that names them; a line that names a classmate does
   * not. (Only the ID or the full name once passed: every honest class student failed.)
   */
  @Test
  void aFirstNameAsTheExerciseHasItTypedNamesTheStudentAClassmatesNameDoesNot() {
    Path w = student("firstname");
    Path p12 = w.resolve("bundle/" + StudentWork.CLASS_STUDENT.folder() + ".p12");
    StudentWork.chat(
        w,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.WANT,
        p12,
        "Alice",
        List.of("hello from Alice", StudentWork.challengeLine(w)));
    Report g = graded(new FirstChatCheck(), w);
    assertThat(g.passed()).as("%s", g.items()).isTrue();
    Report s = own(new FirstChatCheck(), w);
    assertThat(s.passed()).as("%s", s.items()).isTrue();

    Path other = student("classmatesname");
    StudentWork.chat(
        other,
        "02.pcap",
        "02.keylog",
        TlsProfile.MODERN,
        ClientAuth.WANT,
        other.resolve("bundle/" + StudentWork.CLASS_STUDENT.folder() + ".p12"),
        "Bob",
        List.of("hello from Bob Stone", StudentWork.challengeLine(other)));
    assertThat(
            failed(graded(new FirstChatCheck(), other), "a decrypted line contains your name")
                .hint())
        .contains("names 'Alice Martin'");
    assertThat(
            failed(own(new FirstChatCheck(), other), "a decrypted line contains your name").hint())
        .contains("names 'Alice Martin'");
  }

  @Test
  void inClassAChatWithoutTheCertificateFailsAndSaysHowToAddIt() {
    Path w = student("nocert");
    chat02(w, null);
    Report g = graded(new FirstChatCheck(), w);
    assertThat(g.passed()).isFalse();
    assertThat(failed(g, REQUIREMENT).hint())
        .contains("sent no certificate", "--client-auth want", "keytool -importcert", "--cert");
    // Exercise 3 reads the same capture: it stops there too.
    assertThat(failed(graded(new HandshakeReadingCheck(), w), REQUIREMENT)).isNotNull();
  }

  @Test
  void aCertificateTheStudentIssuedThemselvesFails() {
    Path w = student("selfmade");
    ClientFiles mine =
        LabCertificates.issueClient(w.resolve("certs"), StudentWork.CLASS_STUDENT.id(), false);
    chat02(w, mine.keyStore());
    Report g = graded(new FirstChatCheck(), w);
    assertThat(failed(g, REQUIREMENT).hint())
        .contains("the class manifest lists serial", "not one you issued yourself");
    assertThat(failed(own(new FirstChatCheck(), w), REQUIREMENT).hint())
        .contains("not your bundle's certificate");
  }

  @Test
  void aClassmatesBundleFails() {
    Path w = student("classmate");
    chat02(w, work.otherBundle.resolve(StudentWork.CLASS_OTHER.folder() + ".p12"));
    Report g = graded(new FirstChatCheck(), w);
    assertThat(failed(g, REQUIREMENT).hint())
        .contains("the class manifest lists serial", StudentWork.CLASS_STUDENT.name());
  }
}
