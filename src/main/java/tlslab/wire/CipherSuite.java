package tlslab.wire;

import java.util.HashMap;
import java.util.Map;

/**
 * Cipher suites (IANA "TLS Cipher Suites" registry) with what a student needs to read them: the key
 * exchange, the bulk cipher and the MAC/PRF hash. The RFC name is also Wireshark's label.
 *
 * <p>A TLS 1.2 suite name reads {@code TLS_<kx>_WITH_<cipher>_<mac>}: {@code
 * TLS_RSA_WITH_AES_128_CBC_SHA} (the report's "AES128-SHA") has the client encrypt the secret with
 * the server's RSA key, so whoever later steals that key can decrypt old captures; {@code
 * TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256} uses a fresh elliptic-curve Diffie-Hellman key per
 * connection (forward secrecy) and only <em>signs</em> with RSA. TLS 1.3 suites ({@code
 * TLS_AES_128_GCM_SHA256}) name only the cipher and hash: the key exchange is always ephemeral.
 */
public enum CipherSuite {
  TLS_NULL_WITH_NULL_NULL(0x0000, KeyExchange.NULL, Cipher.NULL, "NULL"),
  TLS_RSA_WITH_NULL_SHA256(0x003B, KeyExchange.RSA, Cipher.NULL, "SHA256"),
  TLS_RSA_WITH_RC4_128_MD5(0x0004, KeyExchange.RSA, Cipher.RC4_128, "MD5"),
  TLS_RSA_WITH_RC4_128_SHA(0x0005, KeyExchange.RSA, Cipher.RC4_128, "SHA1"),
  TLS_RSA_WITH_3DES_EDE_CBC_SHA(0x000A, KeyExchange.RSA, Cipher.TDES_CBC, "SHA1"),
  TLS_RSA_WITH_AES_128_CBC_SHA(0x002F, KeyExchange.RSA, Cipher.AES_128_CBC, "SHA1"),
  TLS_RSA_WITH_AES_256_CBC_SHA(0x0035, KeyExchange.RSA, Cipher.AES_256_CBC, "SHA1"),
  TLS_RSA_WITH_AES_128_CBC_SHA256(0x003C, KeyExchange.RSA, Cipher.AES_128_CBC, "SHA256"),
  TLS_RSA_WITH_AES_256_CBC_SHA256(0x003D, KeyExchange.RSA, Cipher.AES_256_CBC, "SHA256"),
  TLS_RSA_WITH_AES_128_GCM_SHA256(0x009C, KeyExchange.RSA, Cipher.AES_128_GCM, "SHA256"),
  TLS_RSA_WITH_AES_256_GCM_SHA384(0x009D, KeyExchange.RSA, Cipher.AES_256_GCM, "SHA384"),
  TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA(0x0016, KeyExchange.DHE_RSA, Cipher.TDES_CBC, "SHA1"),
  TLS_DHE_DSS_WITH_AES_128_CBC_SHA(0x0032, KeyExchange.DHE_DSS, Cipher.AES_128_CBC, "SHA1"),
  TLS_DHE_DSS_WITH_AES_256_CBC_SHA(0x0038, KeyExchange.DHE_DSS, Cipher.AES_256_CBC, "SHA1"),
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA(0x0033, KeyExchange.DHE_RSA, Cipher.AES_128_CBC, "SHA1"),
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA(0x0039, KeyExchange.DHE_RSA, Cipher.AES_256_CBC, "SHA1"),
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA256(0x0067, KeyExchange.DHE_RSA, Cipher.AES_128_CBC, "SHA256"),
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA256(0x006B, KeyExchange.DHE_RSA, Cipher.AES_256_CBC, "SHA256"),
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256(0x009E, KeyExchange.DHE_RSA, Cipher.AES_128_GCM, "SHA256"),
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384(0x009F, KeyExchange.DHE_RSA, Cipher.AES_256_GCM, "SHA384"),
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256(
      0xCCAA, KeyExchange.DHE_RSA, Cipher.CHACHA20_POLY1305, "SHA256"),
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA(0xC007, KeyExchange.ECDHE_ECDSA, Cipher.RC4_128, "SHA1"),
  TLS_ECDHE_RSA_WITH_RC4_128_SHA(0xC011, KeyExchange.ECDHE_RSA, Cipher.RC4_128, "SHA1"),
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA(0xC012, KeyExchange.ECDHE_RSA, Cipher.TDES_CBC, "SHA1"),
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA(0xC009, KeyExchange.ECDHE_ECDSA, Cipher.AES_128_CBC, "SHA1"),
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA(0xC00A, KeyExchange.ECDHE_ECDSA, Cipher.AES_256_CBC, "SHA1"),
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA(0xC013, KeyExchange.ECDHE_RSA, Cipher.AES_128_CBC, "SHA1"),
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA(0xC014, KeyExchange.ECDHE_RSA, Cipher.AES_256_CBC, "SHA1"),
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256(
      0xC023, KeyExchange.ECDHE_ECDSA, Cipher.AES_128_CBC, "SHA256"),
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384(
      0xC024, KeyExchange.ECDHE_ECDSA, Cipher.AES_256_CBC, "SHA384"),
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256(
      0xC027, KeyExchange.ECDHE_RSA, Cipher.AES_128_CBC, "SHA256"),
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384(
      0xC028, KeyExchange.ECDHE_RSA, Cipher.AES_256_CBC, "SHA384"),
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256(
      0xC02B, KeyExchange.ECDHE_ECDSA, Cipher.AES_128_GCM, "SHA256"),
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384(
      0xC02C, KeyExchange.ECDHE_ECDSA, Cipher.AES_256_GCM, "SHA384"),
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256(
      0xC02F, KeyExchange.ECDHE_RSA, Cipher.AES_128_GCM, "SHA256"),
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384(
      0xC030, KeyExchange.ECDHE_RSA, Cipher.AES_256_GCM, "SHA384"),
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256(
      0xCCA8, KeyExchange.ECDHE_RSA, Cipher.CHACHA20_POLY1305, "SHA256"),
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256(
      0xCCA9, KeyExchange.ECDHE_ECDSA, Cipher.CHACHA20_POLY1305, "SHA256"),
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV(0x00FF, KeyExchange.NULL, Cipher.NULL, "NULL"),
  TLS_FALLBACK_SCSV(0x5600, KeyExchange.NULL, Cipher.NULL, "NULL"),
  TLS_AES_128_GCM_SHA256(0x1301, KeyExchange.TLS13, Cipher.AES_128_GCM, "SHA256"),
  TLS_AES_256_GCM_SHA384(0x1302, KeyExchange.TLS13, Cipher.AES_256_GCM, "SHA384"),
  TLS_CHACHA20_POLY1305_SHA256(0x1303, KeyExchange.TLS13, Cipher.CHACHA20_POLY1305, "SHA256"),
  TLS_AES_128_CCM_SHA256(0x1304, KeyExchange.TLS13, Cipher.AES_128_CCM, "SHA256"),
  /** A code not in this table; {@link #labelOf(int)} still names it by number. */
  UNKNOWN(-1, KeyExchange.NULL, Cipher.NULL, "NULL");

  /** How the two sides agree on the premaster/shared secret. */
  public enum KeyExchange {
    NULL(false),
    /**
     * Client encrypts the premaster secret with the server's RSA public key: no forward secrecy.
     */
    RSA(false),
    DHE_RSA(true),
    DHE_DSS(true),
    ECDHE_RSA(true),
    ECDHE_ECDSA(true),
    /** TLS 1.3: always (EC)DHE (or PSK with (EC)DHE): forward secret. */
    TLS13(true);

    private final boolean forwardSecret;

    KeyExchange(boolean forwardSecret) {
      this.forwardSecret = forwardSecret;
    }

    public boolean forwardSecret() {
      return forwardSecret;
    }
  }

  /** The record protection algorithm and its key/IV sizes. */
  public enum Cipher {
    NULL(0, 0, false),
    /** RC4 stream cipher: prohibited in every TLS version (RFC 7465). */
    RC4_128(16, 0, false),
    TDES_CBC(24, 8, false),
    AES_128_CBC(16, 16, false),
    AES_256_CBC(32, 16, false),
    AES_128_GCM(16, 4, true),
    AES_256_GCM(32, 4, true),
    AES_128_CCM(16, 4, true),
    CHACHA20_POLY1305(32, 12, true);

    private final int keyLength;
    private final int ivLength;
    private final boolean aead;

    Cipher(int keyLength, int ivLength, boolean aead) {
      this.keyLength = keyLength;
      this.ivLength = ivLength;
      this.aead = aead;
    }

    public int keyLength() {
      return keyLength;
    }

    /** For TLS 1.2: CBC IV length, or the implicit (salt) part of the AEAD nonce. */
    public int ivLength() {
      return ivLength;
    }

    public boolean aead() {
      return aead;
    }
  }

  private static final Map<Integer, CipherSuite> BY_CODE = new HashMap<>();

  static {
    for (CipherSuite s : values()) if (s.code >= 0) BY_CODE.put(s.code, s);
  }

  private final int code;
  private final KeyExchange keyExchange;
  private final Cipher cipher;
  private final String hash;

  CipherSuite(int code, KeyExchange keyExchange, Cipher cipher, String hash) {
    this.code = code;
    this.keyExchange = keyExchange;
    this.cipher = cipher;
    this.hash = hash;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return this == UNKNOWN ? "unknown" : name();
  }

  public String label() {
    return rfcName();
  }

  public KeyExchange keyExchange() {
    return keyExchange;
  }

  public Cipher cipher() {
    return cipher;
  }

  /** The MAC hash (TLS 1.2 CBC suites), also the PRF/HKDF hash: "SHA1", "SHA256", "SHA384". */
  public String hash() {
    return hash;
  }

  /**
   * The hash used by the TLS 1.2 PRF (RFC 5246 section 5): SHA-256 unless the suite says SHA384.
   */
  public String prfHash() {
    return "SHA384".equals(hash) ? "SHA384" : "SHA256";
  }

  public static CipherSuite of(int code) {
    return BY_CODE.getOrDefault(code, UNKNOWN);
  }

  /** The suite with this RFC (and JSSE) name, or UNKNOWN. */
  public static CipherSuite forName(String name) {
    for (CipherSuite s : values()) if (s.name().equals(name)) return s;
    return UNKNOWN;
  }

  /** The RFC name, or "Unknown (0xNNNN)" for a code not in the table. */
  public static String labelOf(int code) {
    CipherSuite s = of(code);
    return s == UNKNOWN ? String.format("Unknown (0x%04x)", code) : s.name();
  }
}
