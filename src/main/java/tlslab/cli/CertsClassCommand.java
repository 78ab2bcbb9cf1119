package tlslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tlslab.pki.ClassCertificates;
import tlslab.pki.ClassOptions;
import tlslab.pki.ClassRoster;
import tlslab.pki.KeyType;
import tlslab.pki.Student;

/** {@code lab certs class}: one certificate bundle per student, signed by the lab CA. */
@Command(
    name = "class",
    mixinStandardHelpOptions = true,
    header = "Issue one certificate bundle per student of a class.",
    description = {
      "Needs the lab CA (lab certs init). Each student gets OUT/FOLDER/ with",
      "FOLDER.pem (certificate: CN = name, UID = ID, extKeyUsage clientAuth),",
      "FOLDER.key (0600), FOLDER-combined.pem, FOLDER.p12 (password changeit),",
      "ca.pem and challenge.txt (the student's challenge, see lab exercise).",
      "OUT/manifest.tsv lists ID, name, serial, SHA-256 fingerprint and folder;",
      "OUT/class.secret (0600, kept on --force) is what the challenges derive",
      "from. Keep both and the CA: lab class grade needs them; hand out only",
      "the student folders. FOLDER is the student's ID, else the name made",
      "file-safe. Roster: UTF-8, one student per line: NAME, ID,NAME or",
      "ID<TAB>NAME; blank lines and # lines are skipped; 'Last, First' (no",
      "digit before the comma) is refused: write 'First Last'.",
      "Keys default to EC P-256: generated in well under a millisecond each,",
      "where an RSA-2048 key takes tens of milliseconds."
    },
    footer = {
      "",
      "Examples: lab certs class --count 30",
      "          lab certs class --roster students.txt --out handout",
      "          lab certs class --roster students.txt --add   (late students)",
      "          lab certs class --reissue s1234567           (one student's new bundle)",
      "",
      ExitCode.TABLE
    })
public final class CertsClassCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Who who;

  static final class Who {
    @Option(
        names = "--count",
        paramLabel = "N",
        description = "Numbered students student-001 ... student-N (1..10000).")
    Integer count;

    @Option(
        names = "--roster",
        paramLabel = "FILE",
        description = "Roster file: one student per line.")
    Path roster;

    @Option(
        names = "--reissue",
        paramLabel = "ID",
        description =
            "One student's bundle anew (lost or leaked key): a new key and certificate, the same"
                + " challenge; the old certificate is revoked (superseded); every other bundle"
                + " stays.")
    String reissue;
  }

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Output folder (default: DIR/class, i.e. certs/class).")
  Path out;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder with the lab CA (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("certs");

  @Option(
      names = "--key",
      paramLabel = "TYPE",
      converter = CertsInitCommand.KeyTypeConverter.class,
      description = "Students' key type: ec-p256, rsa-2048 or rsa-3072 (default: ec-p256, fast).")
  KeyType keyType = KeyType.EC_P256;

  @Option(
      names = "--days",
      paramLabel = "N",
      description = "Validity in days (default: ${DEFAULT-VALUE}).")
  int days = 365;

  @Option(
      names = "--force",
      description =
          "Replace existing student bundles and the manifest (every student gets a new"
              + " certificate: captures made with the old ones no longer count). The class secret,"
              + " so every challenge, is kept: for a new class (next year's), use a new --out"
              + " folder, or last year's work would still carry this year's challenges.")
  boolean force;

  @Option(
      names = "--add",
      description =
          "Late students: issue only the roster's students the manifest does not list yet; every"
              + " bundle already handed out stays valid.")
  boolean add;

  /** The manifest's student that {@code --reissue} names (checked again when issuing). */
  private static Student reissued(Path out, String who) {
    Path manifest = out.resolve(ClassCertificates.MANIFEST);
    if (!java.nio.file.Files.exists(manifest)) {
      throw tlslab.common.LabException.badInput(
          manifest + ": no class yet (issue it first, without --reissue)");
    }
    String w = tlslab.exercise.Identity.plain(who);
    return ClassCertificates.readManifest(manifest).stream()
        .map(ClassCertificates.Entry::student)
        .filter(
            s ->
                tlslab.exercise.Identity.plain(s.folder()).equals(w)
                    || (s.id() != null && tlslab.exercise.Identity.plain(s.id()).equals(w))
                    || tlslab.exercise.Identity.plain(s.name()).equals(w))
        .findFirst()
        .orElseThrow(
            () ->
                tlslab.common.LabException.badInput(
                    "'" + who + "' is not in the class manifest " + manifest));
  }

  @Override
  public Integer call() {
    List<Student> students =
        who.reissue != null
            ? List.of(reissued(out != null ? out : dir.resolve("class"), who.reissue))
            : who.count != null ? ClassRoster.numbered(who.count) : ClassRoster.read(who.roster);
    ClassOptions options =
        ClassOptions.builder()
            .caDir(dir)
            .out(out)
            .students(students)
            .keyType(keyType)
            .days(days)
            .force(force)
            .add(add)
            .reissue(who.reissue)
            .build();
    PrintWriter err = spec.commandLine().getErr();
    int total = students.size();
    // Progress only for classes big enough to take a moment; every 10 %, on stderr so that
    // stdout stays clean for scripts.
    int step = Math.max(1, total / 10);
    ClassCertificates.Progress progress =
        total < 50
            ? null
            : (done, all) -> {
              if (done % step == 0 || done == all) {
                err.printf("issued %d/%d%n", done, all);
                err.flush();
              }
            };
    long start = System.nanoTime();
    ClassCertificates.Result r = ClassCertificates.issue(options, progress);
    long ms = (System.nanoTime() - start) / 1_000_000;
    PrintWriter o = spec.commandLine().getOut();
    o.printf(
        "Issued %d student %s (%s keys) in %s in %d ms%s.%n",
        r.entries().size(),
        r.entries().size() == 1 ? "bundle" : "bundles",
        keyType.label(),
        r.out(),
        ms,
        who.reissue != null
            ? "; kept the other " + r.kept().size() + " as they were"
            : add ? "; kept the " + r.kept().size() + " already in the manifest as they were" : "");
    if (who.reissue != null) {
      o.printf(
          "The old certificate of %s is revoked (superseded): captures made with it no longer"
              + " count; hand out the new folder.%n",
          who.reissue);
    }
    if (r.entries().isEmpty()) {
      o.flush();
      return ExitCode.OK;
    }
    o.printf(
        "Manifest: %s (ID, name, serial, SHA-256 fingerprint, folder); class secret: %s%n",
        r.manifest(), r.out().resolve(tlslab.pki.ClassChallenge.SECRET_FILE));
    o.printf(
        "Each bundle's .p12 password: changeit. Check one: lab certs verify --ca %s %s%n",
        dir.resolve("ca.pem"),
        r.entries().get(0).folder().resolve(r.entries().get(0).folder().getFileName() + ".pem"));
    o.flush();
    return ExitCode.OK;
  }
}
