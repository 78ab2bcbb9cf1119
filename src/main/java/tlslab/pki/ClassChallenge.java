package tlslab.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tlslab.common.LabException;

/**
 * A student's challenge: a short code that only the instructor can compute for a given student, so
 * that work handed in can be tied to that student.
 *
 * <p>{@code lab certs class} draws a random class secret once (kept in the class folder as {@code
 * class.secret}, mode 0600, never in a bundle) and puts each student's challenge, {@code
 * HMAC-SHA256(secret, student key)} shortened to 80 bits, in the student's bundle. Exercises have
 * the student type it into the encrypted chat; at grading the checker decrypts the student's own
 * capture, finds the challenge, and recomputes it from the secret. A friend's capture carries the
 * friend's challenge; inventing one means guessing 80 bits (RFC 2104 §5: a truncated HMAC is as
 * strong as its length).
 *
 * <p>Without a class (self-study) the key is the SHA-256 of the student's own CA certificate: the
 * same flow, but it proves nothing about who did the work, and the checks say so.
 */
public final class ClassChallenge {
  /** The class secret's file name in the class folder. */
  public static final String SECRET_FILE = "class.secret";

  /** The challenge's file name in each student's bundle. */
  public static final String BUNDLE_FILE = "challenge.txt";

  /** Every challenge starts with this, so a checker can find it in a chat line. */
  public static final String PREFIX = "tlslab-";

  private static final int BYTES = 10;

  private ClassChallenge() {}

  /** A new random class secret, 32 bytes. */
  public static byte[] newSecret() {
    byte[] s = new byte[32];
    new SecureRandom().nextBytes(s);
    return s;
  }

  /**
   * The challenge of the student whose bundle folder (ID, or file-safe name) is {@code studentKey}:
   * "tlslab-" and 20 lower-case hex digits.
   */
  public static String of(byte[] secret, String studentKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] h = mac.doFinal(studentKey.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(h, 0, BYTES);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("HmacSHA256 is in every JDK", e);
    }
  }

  /** Reads a class secret file (hex, one line) as written by {@code lab certs class}. */
  public static byte[] readSecret(java.nio.file.Path file) {
    String text =
        new String(tlslab.pki.internal.SecureFiles.read(file), StandardCharsets.US_ASCII).strip();
    try {
      byte[] s = HexFormat.of().parseHex(text);
      if (s.length < 16) {
        throw LabException.badInput(file + ": a class secret has at least 16 bytes");
      }
      return s;
    } catch (IllegalArgumentException e) {
      throw LabException.badInput(file + ": not a class secret (hex expected)");
    }
  }

  /** Whether {@code text} has the shape of a challenge. */
  public static boolean looksLikeOne(String text) {
    return text.matches(PREFIX + "[0-9a-f]{" + (2 * BYTES) + "}");
  }
}
