package tlslab.quic;

import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Retry Integrity Tag (RFC 9001 section 5.8; RFC 9369 section 3.3.3 for v2): the last 16 bytes
 * of a Retry packet are an AES-128-GCM tag, with a key and nonce published in the RFC, over the
 * Retry Pseudo-Packet:
 *
 * <pre>
 * Retry Pseudo-Packet {
 *   ODCID Length (8),
 *   Original Destination Connection ID (0..160),
 *   Header Form (1) = 1, Fixed Bit (1) = 1, Long Packet Type (2) = 3, Unused (4),
 *   Version (32), DCID Len (8), Destination Connection ID (0..160),
 *   SCID Len (8), Source Connection ID (0..160),
 *   Retry Token (..),
 * }
 * </pre>
 *
 * The Original Destination Connection ID is the one the client's first Initial carried, so the tag
 * shows that whoever sent the Retry saw that Initial: it stops off-path attackers only, since
 * anyone who saw the Initial can compute it.
 */
public final class RetryIntegrity {
  private static final SecretKeySpec KEY_V1 = key("be0c690b9f66575a1d766b54e368c84e");
  private static final byte[] NONCE_V1 = HexFormat.of().parseHex("461599d35d632bf2239825bb");
  private static final SecretKeySpec KEY_V2 = key("8fb4b01b56ac48e260fbcbcead7ccc92");
  private static final byte[] NONCE_V2 = HexFormat.of().parseHex("d86969bc2d7c6d9990efb04a");

  private RetryIntegrity() {}

  /** The result of checking a Retry packet's tag. */
  public enum Check {
    VALID,
    INVALID,
    /** A version whose Retry key this tool does not know (draft versions, unknown ones). */
    UNKNOWN_VERSION
  }

  /**
   * Checks the tag of the Retry packet {@code h} in {@code b} against the client's original
   * Destination Connection ID.
   */
  public static Check check(byte[] b, QuicHeader h, byte[] originalDcid) {
    QuicVersion v = h.quicVersion();
    if (v != QuicVersion.V1 && v != QuicVersion.V2) return Check.UNKNOWN_VERSION;
    int tagAt = h.end() - 16;
    if (tagAt <= h.start()) return Check.INVALID;
    byte[] pseudo = new byte[1 + originalDcid.length + tagAt - h.start()];
    pseudo[0] = (byte) originalDcid.length;
    System.arraycopy(originalDcid, 0, pseudo, 1, originalDcid.length);
    System.arraycopy(b, h.start(), pseudo, 1 + originalDcid.length, tagAt - h.start());
    try {
      // Decrypting an empty ciphertext with the tag checks the tag (and is allowed with a key and
      // nonce used before, which encrypting is not).
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          v == QuicVersion.V1 ? KEY_V1 : KEY_V2,
          new GCMParameterSpec(128, v == QuicVersion.V1 ? NONCE_V1 : NONCE_V2));
      c.updateAAD(pseudo);
      c.doFinal(b, tagAt, 16);
      return Check.VALID;
    } catch (AEADBadTagException e) {
      return Check.INVALID;
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES-128-GCM is in every JDK", e);
    }
  }

  private static SecretKeySpec key(String hex) {
    return new SecretKeySpec(HexFormat.of().parseHex(hex), "AES");
  }
}
