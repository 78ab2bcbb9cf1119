package tlslab.pki;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tlslab.common.LabException;
import tlslab.pki.internal.Names;

/**
 * What {@link LabCertificates#init} should create: where, with which key type, for which names, for
 * how long. Build one with {@link #builder()}; every setter has a sensible default, so {@code
 * InitOptions.builder().build()} is the lab's standard set-up.
 */
public final class InitOptions {
  private final Path dir;
  private final KeyType keyType;
  private final String commonName;
  private final List<String> sans;
  private final int days;
  private final boolean force;
  private final RevocationUrls revocationUrls;

  private InitOptions(Builder b) {
    this.dir = b.dir;
    this.keyType = b.keyType;
    this.commonName = b.commonName;
    this.sans = List.copyOf(b.sans);
    this.days = b.days;
    this.force = b.force;
    this.revocationUrls = b.revocationUrls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The folder the files are written to. */
  public Path dir() {
    return dir;
  }

  /** Key type of both the lab CA and the server. */
  public KeyType keyType() {
    return keyType;
  }

  /** The server certificate's subject common name. */
  public String commonName() {
    return commonName;
  }

  /** The server's SubjectAltName entries: host names and IP literals. */
  public List<String> sans() {
    return sans;
  }

  /** Validity of the server certificate in days. */
  public int days() {
    return days;
  }

  /** Whether existing keys and certificates may be replaced. */
  public boolean force() {
    return force;
  }

  /** Where issued certificates say their revocation status can be checked. */
  public RevocationUrls revocationUrls() {
    return revocationUrls;
  }

  /** Collects the options; {@link #build()} checks them and says which one is wrong. */
  public static final class Builder {
    private Path dir = Path.of("certs");
    private KeyType keyType = KeyType.RSA_2048;
    private String commonName = "localhost";
    private List<String> sans = List.of("localhost", "127.0.0.1");
    private int days = 365;
    private boolean force;
    private RevocationUrls revocationUrls = RevocationUrls.defaults();

    private Builder() {}

    /** Output folder, created if missing. Default: {@code certs} (relative to the working dir). */
    public Builder dir(Path dir) {
      this.dir = dir;
      return this;
    }

    /** Key type for the CA and the server. Default: {@link KeyType#RSA_2048}. */
    public Builder keyType(KeyType keyType) {
      this.keyType = keyType;
      return this;
    }

    /**
     * Server subject CN. Default: {@code localhost}. Clients do not check the CN when SANs are
     * present (RFC 6125 section 6.4.4); the SANs below are what hostname checks use.
     */
    public Builder commonName(String commonName) {
      this.commonName = commonName;
      return this;
    }

    /**
     * SubjectAltName entries. Default: {@code ["localhost", "127.0.0.1"]}. IP literals (v4 or v6)
     * become iPAddress entries, everything else a dNSName (a leading {@code *.} is a wildcard).
     */
    public Builder sans(List<String> sans) {
      this.sans = sans == null ? null : new ArrayList<>(sans);
      return this;
    }

    /** Server certificate validity in days, 1..3650. Default: 365. */
    public Builder days(int days) {
      this.days = days;
      return this;
    }

    /** Replace existing keys and certificates. Default: false (refuse). */
    public Builder force(boolean force) {
      this.force = force;
      return this;
    }

    /**
     * OCSP responder and CRL addresses put into the server certificate and every later one.
     * Default: {@link RevocationUrls#defaults()} ({@code lab ca ocsp} on 127.0.0.1:8888).
     */
    public Builder revocationUrls(RevocationUrls urls) {
      this.revocationUrls = urls;
      return this;
    }

    /**
     * Checks every option.
     *
     * @throws LabException BAD_INPUT naming the wrong option
     */
    public InitOptions build() {
      if (dir == null) {
        throw LabException.badInput("dir: an output folder is required");
      }
      if (keyType == null) {
        throw LabException.badInput("key type: required (" + KeyType.labels() + ")");
      }
      if (commonName == null || commonName.isBlank()) {
        throw LabException.badInput("common name: must not be empty");
      }
      if (sans == null || sans.isEmpty()) {
        throw LabException.badInput(
            "SANs: at least one name or IP is required (clients check the host name against them)");
      }
      for (String san : sans) {
        Names.checkSan(san);
      }
      if (days < 1 || days > 3650) {
        throw LabException.badInput("days: must be between 1 and 3650, got " + days);
      }
      if (revocationUrls == null) {
        throw LabException.badInput("revocation URLs: required (RevocationUrls.defaults())");
      }
      return new InitOptions(this);
    }
  }
}
