package tlslab.pki.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import tlslab.common.LabException;

/**
 * The CA's two ledgers in its folder, plain tab-separated text an instructor can read:
 *
 * <ul>
 *   <li>{@value #ISSUED}: every certificate the CA signed (serial, notAfter, subject). The OCSP
 *       responder answers "good" only for these; any other serial is "unknown" (RFC 6960 2.2: the
 *       responder does not know the certificate), so a forged or foreign serial is never vouched
 *       for.
 *   <li>{@value #REVOKED}: every revocation (serial, time, reason, subject). The CRL and the OCSP
 *       responder read it on every use, so a revocation counts at once.
 * </ul>
 *
 * Serials are upper-case hex, as {@code openssl x509 -serial} prints them.
 */
public final class CaRecords {
  public static final String ISSUED = "issued.tsv";
  public static final String REVOKED = "revoked.tsv";
  private static final String ISSUED_HEADER = "serial\tnot_after\tsubject";
  private static final String REVOKED_HEADER = "serial\trevoked_at\treason\tsubject";

  /** Appends from parallel class issuing must not interleave. */
  private static final Object LOCK = new Object();

  private CaRecords() {}

  /** One issued certificate. */
  public record Issued(String serial, Instant notAfter, String subject) {}

  /** One revocation; {@code reasonCode} is the RFC 5280 CRLReason. */
  public record Revoked(String serial, Instant at, int reasonCode, String subject) {
    public BigInteger serialNumber() {
      return new BigInteger(serial, 16);
    }
  }

  /** The serial of a certificate, in the ledgers' form. */
  public static String serialOf(X509Certificate cert) {
    return cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
  }

  /** Starts a new, empty ledger pair (a new CA): forgets the old CA's issued and revoked lists. */
  public static void reset(Path dir) {
    synchronized (LOCK) {
      SecureFiles.writePublic(
          dir.resolve(ISSUED), (ISSUED_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      try {
        Files.deleteIfExists(dir.resolve(REVOKED));
      } catch (IOException e) {
        throw LabException.badInput(
            "cannot delete " + dir.resolve(REVOKED) + ": " + SecureFiles.describe(e));
      }
    }
  }

  /** Records a certificate the CA just signed. */
  public static void recordIssued(Path dir, X509Certificate cert) {
    append(
        dir.resolve(ISSUED),
        ISSUED_HEADER,
        String.join(
            "\t",
            serialOf(cert),
            cert.getNotAfter().toInstant().toString(),
            clean(cert.getSubjectX500Principal().getName(X500Principal.RFC2253))));
  }

  /** Records a revocation. */
  public static void recordRevoked(Path dir, Revoked r) {
    append(
        dir.resolve(REVOKED),
        REVOKED_HEADER,
        String.join(
            "\t",
            r.serial(),
            r.at().toString(),
            Integer.toString(r.reasonCode()),
            clean(r.subject())));
  }

  /** Whether the CA folder has an issued ledger at all (folders made before it existed do not). */
  public static boolean hasIssuedLedger(Path dir) {
    return Files.exists(dir.resolve(ISSUED));
  }

  /** Every issued certificate, by serial. */
  public static Map<String, Issued> issued(Path dir) {
    Map<String, Issued> out = new LinkedHashMap<>();
    for (String[] f : rows(dir.resolve(ISSUED), 3)) {
      out.put(f[0], new Issued(f[0], instant(dir.resolve(ISSUED), f[1]), f[2]));
    }
    return out;
  }

  /** Every revocation, by serial (the first one wins: a revocation is final). */
  public static Map<String, Revoked> revoked(Path dir) {
    Map<String, Revoked> out = new LinkedHashMap<>();
    Path file = dir.resolve(REVOKED);
    for (String[] f : rows(file, 4)) {
      int code;
      try {
        code = Integer.parseInt(f[2]);
      } catch (NumberFormatException e) {
        throw LabException.badInput(file + ": reason '" + f[2] + "' is not a CRLReason code");
      }
      out.putIfAbsent(f[0], new Revoked(f[0], instant(file, f[1]), code, f[3]));
    }
    return out;
  }

  private static List<String[]> rows(Path file, int columns) {
    List<String[]> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = new String(SecureFiles.read(file), StandardCharsets.UTF_8);
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isBlank() || lineNo == 1 && line.startsWith("serial\t")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != columns || !f[0].matches("[0-9A-F]+")) {
        throw LabException.badInput(
            file + " line " + lineNo + ": expected " + columns + " tab-separated fields");
      }
      out.add(f);
    }
    return out;
  }

  private static Instant instant(Path file, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw LabException.badInput(file + ": '" + text + "' is not an ISO-8601 instant");
    }
  }

  private static void append(Path file, String header, String line) {
    synchronized (LOCK) {
      try {
        if (!Files.exists(file)) {
          SecureFiles.writePublic(file, (header + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.write(
            file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw LabException.badInput("cannot write " + file + ": " + SecureFiles.describe(e));
      }
    }
  }

  private static String clean(String s) {
    return s.replaceAll("[\t\r\n]", " ");
  }
}
