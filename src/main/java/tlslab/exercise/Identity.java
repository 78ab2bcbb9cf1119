package tlslab.exercise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import tlslab.common.LabException;
import tlslab.pki.CertificateFile;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassChallenge;
import tlslab.pki.LabCertificates;

/**
 * Who did a piece of work, and how sure the lab can be of it. Three cases, strongest first:
 *
 * <ul>
 *   <li>{@link Mode#CLASS}: graded against the instructor's {@link ClassRecord}. The student is a
 *       manifest entry; their challenge is recomputed from the class secret and their certificate
 *       is the one the manifest lists (serial and SHA-256), chained to the class CA.
 *   <li>{@link Mode#BUNDLE}: a student checking their own work with the bundle the instructor gave
 *       them. The challenge and certificate come from the bundle; the instructor's grading proves
 *       them later.
 *   <li>{@link Mode#SELF_STUDY}: no class. {@code lab exercise challenge} draws a random challenge
 *       into the work folder, so the exercises run the same way, but nothing proves who did the
 *       work: the checks run against the student's own lab CA and say so.
 * </ul>
 *
 * @param student the manifest entry (CLASS) or the bundle's certificate file name stem (BUNDLE)
 * @param problem why no identity could be set up (no CA, not in the manifest...), else null
 */
public record Identity(
    Mode mode,
    String challenge,
    Optional<ClassCertificates.Entry> student,
    Optional<X509Certificate> classCa,
    Optional<X509Certificate> bundleCertificate,
    String problem) {

  /** How far the lab can tell who did the work. */
  public enum Mode {
    CLASS,
    BUNDLE,
    SELF_STUDY
  }

  static Identity of(Workspace ws) {
    if (ws.klass().isPresent()) {
      ClassRecord k = ws.klass().get();
      if (ws.student().isEmpty()) {
        return failed(Mode.CLASS, "grading needs the student's ID (--student ID)");
      }
      Optional<ClassCertificates.Entry> e = k.find(ws.student().get());
      if (e.isEmpty()) {
        return failed(Mode.CLASS, k.notFound(ws.student().get()));
      }
      return new Identity(
          Mode.CLASS, k.challenge(e.get()), e, Optional.of(k.ca()), Optional.empty(), null);
    }
    Optional<Path> bundle = bundleFolder(ws.bundle());
    if (bundle.isPresent()) {
      Path dir = bundle.get();
      try {
        Path file = dir.resolve(ClassChallenge.BUNDLE_FILE);
        String challenge =
            Files.size(file) > 4096 ? "" : Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!ClassChallenge.looksLikeOne(challenge)) {
          // An empty or edited challenge would be "found" in any line: only a real one counts.
          return failed(
              Mode.BUNDLE,
              file + " holds no challenge: copy the bundle your instructor gave you again");
        }
        Optional<X509Certificate> cert = bundleCertificate(dir);
        return new Identity(Mode.BUNDLE, challenge, Optional.empty(), Optional.empty(), cert, null);
      } catch (IOException e) {
        return failed(Mode.BUNDLE, dir.resolve(ClassChallenge.BUNDLE_FILE) + ": unreadable");
      }
    }
    if (ws.student().isPresent()) {
      return failed(
          Mode.BUNDLE,
          "with --student, copy the bundle your instructor gave you to "
              + ws.bundle()
              + " (it holds "
              + ClassChallenge.BUNDLE_FILE
              + ")");
    }
    Path own = ws.dir().resolve(SELF_STUDY_FILE);
    try {
      // A challenge is one short line: a larger file is not one (and is not read whole).
      String challenge =
          Files.size(own) > 4096 ? "" : Files.readString(own, StandardCharsets.UTF_8).strip();
      if (!ClassChallenge.looksLikeOne(challenge)) {
        return failed(
            Mode.SELF_STUDY, own + " holds no challenge: delete it and run lab exercise challenge");
      }
      return new Identity(
          Mode.SELF_STUDY, challenge, Optional.empty(), Optional.empty(), Optional.empty(), null);
    } catch (IOException e) {
      return failed(
          Mode.SELF_STUDY,
          "you have no challenge yet: run lab exercise challenge --dir "
              + ws.dir()
              + " (self-study), or copy your class bundle to "
              + ws.bundle());
    }
  }

  /** Draws a random self-study challenge into {@code dir}, unless one is there already. */
  public static void newSelfStudyChallenge(Path dir) {
    Path f = dir.resolve(SELF_STUDY_FILE);
    if (Files.exists(f)) {
      return;
    }
    byte[] secret = ClassChallenge.newSecret();
    try {
      Files.createDirectories(dir);
      Files.writeString(f, ClassChallenge.of(secret, "self-study") + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw LabException.badInput("cannot write " + f + ": " + e.getMessage());
    }
  }

  /** Where a self-study challenge is kept, in the work folder. */
  public static final String SELF_STUDY_FILE = "challenge.txt";

  private static Identity failed(Mode mode, String problem) {
    return new Identity(mode, "", Optional.empty(), Optional.empty(), Optional.empty(), problem);
  }

  /** What a check can say about identity, for the report's first line. */
  public String statement() {
    return switch (mode) {
      case CLASS ->
          "identity: "
              + student.map(e -> e.student().toString()).orElse("?")
              + ", proven against the class record (manifest, class CA, class secret)";
      case BUNDLE ->
          "identity: your bundle's challenge and certificate; your instructor's grading proves them"
              + " against the class record";
      case SELF_STUDY ->
          "identity: not proven (self-study: no class; checked against your own lab CA)";
    };
  }

  /** The bundle's folder: {@code bundle/} itself or the one folder copied into it. */
  public static Optional<Path> bundleFolder(Path bundle) {
    if (Files.isRegularFile(bundle.resolve(ClassChallenge.BUNDLE_FILE))) {
      return Optional.of(bundle);
    }
    if (!Files.isDirectory(bundle)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(bundle)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(ClassChallenge.BUNDLE_FILE)))
          .sorted()
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The certificate of the bundle in work folder {@code work} ({@code bundle/}), if any. */
  public static Optional<X509Certificate> bundleCertificateIn(Path work) {
    Optional<Path> dir = bundleFolder(work.resolve("bundle"));
    try {
      return dir.isEmpty() ? Optional.empty() : bundleCertificate(dir.get());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<X509Certificate> bundleCertificate(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString();
        if (n.endsWith(".pem") && !n.equals("ca.pem") && !n.endsWith("-combined.pem")) {
          try {
            return Optional.of(CertificateFile.read(f, LabCertificates.STORE_PASSWORD).leaf());
          } catch (LabException e) {
            return Optional.empty();
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whom the bundle in {@code work} was issued to, when {@code student} is someone else: the
   * bundle's certificate names its student (CN = name, UID = ID), so a hand-in for another ID is
   * either a typo, whose work then fails under a classmate's challenge, or an attempt to hand in as
   * them. Empty when there is no bundle or it names {@code student}.
   */
  public static Optional<String> bundleOwnerOtherThan(Path work, String student) {
    Optional<Path> dir = bundleFolder(work.resolve("bundle"));
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    Optional<X509Certificate> cert;
    try {
      cert = bundleCertificate(dir.get());
    } catch (IOException e) {
      return Optional.empty();
    }
    if (cert.isEmpty()) {
      return Optional.empty();
    }
    String want = plain(student);
    String owner = null;
    for (String rdn :
        cert.get()
            .getSubjectX500Principal()
            .getName(javax.security.auth.x500.X500Principal.RFC2253)
            .split("(?<!\\\\),")) {
      int eq = rdn.indexOf('=');
      String type = eq < 0 ? "" : rdn.substring(0, eq).strip().toUpperCase(Locale.ROOT);
      String value = eq < 0 ? "" : rdn.substring(eq + 1).replace("\\", "");
      if (type.equals("CN") || type.equals("UID")) {
        if (plain(value).equals(want)) {
          return Optional.empty();
        }
        owner = owner == null ? value : owner + " (" + value + ")";
      }
    }
    if (dir.get().getFileName() != null && plain(dir.get().getFileName().toString()).equals(want)) {
      return Optional.empty();
    }
    return Optional.ofNullable(owner);
  }

  /** Lower case without accents and with single spaces, to compare people's names. */
  public static String plain(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT)
        .strip()
        .replaceAll("\\s+", " ");
  }
}
