package tlslab.exercise;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import tlslab.common.LabException;
import tlslab.pki.CertificateFile;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassChallenge;
import tlslab.pki.LabCertificates;
import tlslab.pki.Revocations;

/**
 * The instructor's class, as {@code lab certs class} left it: the class CA's certificate ({@code
 * ca.pem}), the manifest (who got which certificate) and the class secret the challenges derive
 * from. This is the root of trust when grading: a student's evidence counts only when it matches
 * this record, never because of a CA or bundle the student hands in.
 */
public final class ClassRecord {
  private final Path dir;
  private final X509Certificate ca;
  private final List<ClassCertificates.Entry> entries;
  private final byte[] secret;
  private final Optional<Path> caDir;
  private final List<Revocations.Revoked> revoked;

  private ClassRecord(
      Path dir,
      X509Certificate ca,
      List<ClassCertificates.Entry> entries,
      byte[] secret,
      Optional<Path> caDir) {
    this.dir = dir;
    this.ca = ca;
    this.entries = entries;
    this.secret = secret;
    this.caDir = caDir;
    this.revoked = caDir.map(Revocations::list).orElse(List.of());
  }

  /**
   * Reads the class folder ({@code lab certs class --out DIR}).
   *
   * @throws LabException BAD_INPUT naming the file that is missing or wrong
   */
  public static ClassRecord load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw LabException.badInput(dir + ": no such class folder (lab certs class --out DIR)");
    }
    Path caPem = dir.resolve("ca.pem");
    if (!Files.isRegularFile(caPem)) {
      throw LabException.badInput(
          caPem
              + " is missing: the class folder holds the class CA's certificate (lab certs class"
              + " writes it)");
    }
    if (!Files.isRegularFile(dir.resolve(ClassCertificates.MANIFEST))
        && Files.isRegularFile(dir.resolve("class").resolve(ClassCertificates.MANIFEST))) {
      // The CA folder given for the class folder inside it (lab certs class --out CA/class).
      throw LabException.badInput(
          dir
              + " is the CA's folder, not the class folder: give --class "
              + dir.resolve("class")
              + " (where lab certs class wrote manifest.tsv)");
    }
    X509Certificate ca = CertificateFile.read(caPem, LabCertificates.STORE_PASSWORD).leaf();
    List<ClassCertificates.Entry> entries =
        ClassCertificates.readManifest(dir.resolve(ClassCertificates.MANIFEST));
    byte[] secret = ClassChallenge.readSecret(dir.resolve(ClassChallenge.SECRET_FILE));
    return new ClassRecord(dir, ca, entries, secret, caFolder(dir, ca));
  }

  /**
   * The CA folder that issued the class, where its revocations are kept ({@code revoked.tsv}): the
   * class folder's parent when it holds the class CA ({@code lab certs class} puts the class in
   * {@code certs/class} by default); empty when the class was written elsewhere.
   */
  private static Optional<Path> caFolder(Path dir, X509Certificate ca) {
    Path parent = dir.toAbsolutePath().normalize().getParent();
    if (parent == null || !Files.isRegularFile(parent.resolve("ca.pem"))) {
      return Optional.empty();
    }
    try {
      X509Certificate there =
          CertificateFile.read(parent.resolve("ca.pem"), LabCertificates.STORE_PASSWORD).leaf();
      return there.equals(ca) ? Optional.of(parent) : Optional.empty();
    } catch (LabException e) {
      return Optional.empty();
    }
  }

  /** The CA folder whose revocations grading consults, if it was found beside the class. */
  public Optional<Path> caDir() {
    return caDir;
  }

  /**
   * The CA's revocation of {@code cert}, if it revoked it: a revoked class certificate no longer
   * names its student (its key leaked, or the bundle went to someone else).
   */
  public Optional<Revocations.Revoked> revocation(X509Certificate cert) {
    return revoked.stream()
        .filter(r -> new java.math.BigInteger(r.serial(), 16).equals(cert.getSerialNumber()))
        .findFirst();
  }

  public Path dir() {
    return dir;
  }

  /** The class CA's certificate. */
  public X509Certificate ca() {
    return ca;
  }

  /** Every student, in manifest order. */
  public List<ClassCertificates.Entry> entries() {
    return entries;
  }

  /**
   * The student whose folder or ID is {@code who} or, when no folder or ID is, whose name (accents
   * and case aside) is: only when one student of the class has that name. Two students may share a
   * name (their IDs tell them apart, and so do their folders): a name alone then names neither, and
   * {@link #named} says who they are.
   */
  public Optional<ClassCertificates.Entry> find(String who) {
    String w = Identity.plain(who);
    Optional<ClassCertificates.Entry> byKey =
        entries.stream()
            .filter(
                e ->
                    Identity.plain(e.key()).equals(w)
                        || (e.student().id() != null && Identity.plain(e.student().id()).equals(w)))
            .findFirst();
    if (byKey.isPresent()) {
      return byKey;
    }
    List<ClassCertificates.Entry> n = named(who);
    return n.size() == 1 ? Optional.of(n.get(0)) : Optional.empty();
  }

  /** Every student whose name (accents and case aside) is {@code who}, in manifest order. */
  public List<ClassCertificates.Entry> named(String who) {
    String w = Identity.plain(who);
    return entries.stream().filter(e -> Identity.plain(e.student().name()).equals(w)).toList();
  }

  /**
   * Why {@code who} names no one student of the class, as one sentence: not in the manifest, or the
   * name of several students (then the ID tells them apart).
   */
  public String notFound(String who) {
    List<ClassCertificates.Entry> n = named(who);
    if (n.size() > 1) {
      return "'"
          + who
          + "' is the name of "
          + n.size()
          + " students of the class ("
          + String.join(", ", n.stream().map(ClassCertificates.Entry::key).toList())
          + "): hand in with your ID (lab exercise submit --student ID)";
    }
    return "'" + who + "' is not in the class manifest " + dir.resolve(ClassCertificates.MANIFEST);
  }

  /** The challenge of one student, recomputed from the class secret. */
  public String challenge(ClassCertificates.Entry e) {
    return ClassChallenge.of(secret, e.key());
  }
}
