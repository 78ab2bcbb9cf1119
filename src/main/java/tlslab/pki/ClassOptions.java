package tlslab.pki;

import java.nio.file.Path;
import java.util.List;
import tlslab.common.LabException;

/**
 * What {@link ClassCertificates#issue} should produce: which CA signs, where the bundles go, for
 * whom, with which keys. Build with {@link #builder()}.
 */
public final class ClassOptions {
  private final Path caDir;
  private final Path out;
  private final List<Student> students;
  private final KeyType keyType;
  private final int days;
  private final boolean force;
  private final boolean add;
  private final String reissue;
  private final int threads;

  private ClassOptions(Builder b) {
    this.caDir = b.caDir;
    this.out = b.out != null ? b.out : b.caDir.resolve("class");
    this.students = List.copyOf(b.students);
    this.keyType = b.keyType;
    this.days = b.days;
    this.force = b.force;
    this.add = b.add;
    this.reissue = b.reissue;
    this.threads = b.threads;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Folder with the lab CA ({@code ca.pem}, {@code ca.key}). */
  public Path caDir() {
    return caDir;
  }

  /** Folder the bundles and the manifest go to. */
  public Path out() {
    return out;
  }

  /** The class, in roster order. */
  public List<Student> students() {
    return students;
  }

  /** Key type of the students' keys. */
  public KeyType keyType() {
    return keyType;
  }

  /** Certificate validity in days. */
  public int days() {
    return days;
  }

  /** Whether existing bundles may be replaced. */
  public boolean force() {
    return force;
  }

  /**
   * Whether only the students not yet in the manifest are issued (late students), every bundle
   * already handed out and its manifest line staying as they are.
   */
  public boolean add() {
    return add;
  }

  /**
   * The one student (folder, ID or name) whose bundle is issued anew, everyone else's staying as it
   * was; the old certificate is revoked as superseded. Null when not re-issuing.
   */
  public String reissue() {
    return reissue;
  }

  /** How many bundles are made at the same time. */
  public int threads() {
    return threads;
  }

  /** Collects the options; {@link #build()} checks them. */
  public static final class Builder {
    private Path caDir = Path.of("certs");
    private Path out;
    private List<Student> students;
    private KeyType keyType = KeyType.EC_P256;
    private int days = 365;
    private boolean force;
    private boolean add;
    private String reissue;
    private int threads = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /** Folder holding the lab CA. Default: {@code certs}. */
    public Builder caDir(Path caDir) {
      this.caDir = caDir;
      return this;
    }

    /** Output folder. Default: {@code class} inside the CA folder. */
    public Builder out(Path out) {
      this.out = out;
      return this;
    }

    /**
     * The students (required), e.g. from {@link ClassRoster#read} or {@link ClassRoster#numbered}.
     */
    public Builder students(List<Student> students) {
      this.students = students;
      return this;
    }

    /**
     * Key type of the students' keys. Default: {@link KeyType#EC_P256}: a P-256 key is generated in
     * well under a millisecond, an RSA-2048 key in tens of milliseconds (the search for two large
     * primes dominates), which for a class of hundreds is the difference between a second and a
     * minute. The CA keeps its own type; an RSA CA signs EC keys just fine.
     */
    public Builder keyType(KeyType keyType) {
      this.keyType = keyType;
      return this;
    }

    /** Validity in days, 1..3650, clipped to the CA's. Default: 365. */
    public Builder days(int days) {
      this.days = days;
      return this;
    }

    /** Replace existing bundles. Default: false (refuse). */
    public Builder force(boolean force) {
      this.force = force;
      return this;
    }

    /**
     * Issue only the students of the roster the manifest does not list yet, keeping every bundle
     * already issued (their certificates are in students' captures). Default: false.
     */
    public Builder add(boolean add) {
      this.add = add;
      return this;
    }

    /**
     * Issue one student's bundle anew (a lost or leaked key): a new key and certificate, the same
     * challenge; the old certificate is revoked as superseded and the manifest lists the new one.
     * Every other bundle stays. Default: null (no re-issue).
     */
    public Builder reissue(String student) {
      this.reissue = student;
      return this;
    }

    /** Parallel workers, 1..64. Default: the number of processors. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Checks every option.
     *
     * @throws LabException BAD_INPUT naming the wrong option
     */
    public ClassOptions build() {
      if (caDir == null) {
        throw LabException.badInput("CA folder: required");
      }
      if (students == null || students.isEmpty()) {
        throw LabException.badInput(
            "students: the class is empty (use --count N or --roster FILE)");
      }
      if (students.size() > ClassRoster.MAX_STUDENTS) {
        throw LabException.badInput(
            "students: at most " + ClassRoster.MAX_STUDENTS + ", got " + students.size());
      }
      if (keyType == null) {
        throw LabException.badInput("key type: required (" + KeyType.labels() + ")");
      }
      if (days < 1 || days > 3650) {
        throw LabException.badInput("days: must be between 1 and 3650, got " + days);
      }
      if (reissue != null && (add || force)) {
        throw LabException.badInput(
            "--reissue replaces one student's bundle: use it without --add or --force");
      }
      if (add && force) {
        throw LabException.badInput(
            "--add keeps the bundles already issued, --force replaces them: choose one");
      }
      if (threads < 1 || threads > 64) {
        throw LabException.badInput("threads: must be between 1 and 64, got " + threads);
      }
      return new ClassOptions(this);
    }
  }
}
