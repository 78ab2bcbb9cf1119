package tlslab.quic;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that protect one direction of one packet number space (RFC 9001 section 5): the AEAD key
 * and IV, and the header protection key. They come from a TLS 1.3 traffic secret through
 * HKDF-Expand-Label with QUIC's labels ("quic key", "quic iv", "quic hp"; "quicv2 ..." in v2) - for
 * Initial packets from the client's Destination Connection ID, which is why anyone can read them.
 *
 * <p>Keeps its {@link SecretKeySpec}s; the ciphers are per thread and shared by all keys, so that
 * opening thousands of packets does not look up a provider each time. An instance is therefore not
 * thread-safe.
 */
public final class PacketKeys {
  /** The AEADs TLS 1.3 can negotiate for QUIC (RFC 9001 section 5.3). */
  public enum Aead {
    AES_128_GCM(16, "HmacSHA256", 32),
    AES_256_GCM(32, "HmacSHA384", 48),
    CHACHA20_POLY1305(32, "HmacSHA256", 32);

    final int keyLength;
    final String hmac;
    final int hashLength;

    Aead(int keyLength, String hmac, int hashLength) {
      this.keyLength = keyLength;
      this.hmac = hmac;
      this.hashLength = hashLength;
    }

    /** The AEAD of a TLS 1.3 cipher suite (0x1301..0x1303), or null for any other suite. */
    public static Aead ofSuite(int suite) {
      return switch (suite) {
        case 0x1301 -> AES_128_GCM;
        case 0x1302 -> AES_256_GCM;
        case 0x1303 -> CHACHA20_POLY1305;
        default -> null;
      };
    }
  }

  private final Aead aead;
  private final byte[] secret;
  private final byte[] key;
  private final byte[] iv;
  private final byte[] hp;
  private SecretKeySpec aesKey;
  private SecretKeySpec hpKey;

  private PacketKeys(Aead aead, byte[] secret, byte[] key, byte[] iv, byte[] hp) {
    this.aead = aead;
    this.secret = secret;
    this.key = key;
    this.iv = iv;
    this.hp = hp;
  }

  /** Keys from a traffic secret (a key log's CLIENT_HANDSHAKE_TRAFFIC_SECRET and so on). */
  public static PacketKeys fromSecret(byte[] secret, Aead aead, QuicVersion v) {
    byte[] key = expandLabel(aead, secret, v.keyLabel("key"), aead.keyLength);
    byte[] iv = expandLabel(aead, secret, v.keyLabel("iv"), 12);
    byte[] hp = expandLabel(aead, secret, v.keyLabel("hp"), aead.keyLength);
    return new PacketKeys(aead, secret.clone(), key, iv, hp);
  }

  /**
   * The keys after a key update (RFC 9001 section 6.1): the next secret is HKDF-Expand-Label(
   * secret, "quic ku"); AEAD key and IV come from it, the header protection key stays.
   */
  public PacketKeys next(QuicVersion v) {
    byte[] s = expandLabel(aead, secret, v.keyLabel("ku"), aead.hashLength);
    byte[] k = expandLabel(aead, s, v.keyLabel("key"), aead.keyLength);
    byte[] i = expandLabel(aead, s, v.keyLabel("iv"), 12);
    return new PacketKeys(aead, s, k, i, hp);
  }

  /**
   * Initial keys (RFC 9001 section 5.2): initial_secret = HKDF-Extract(version salt, client's first
   * DCID); then "client in" or "server in". Always AES-128-GCM with SHA-256.
   */
  public static PacketKeys initial(byte[] clientDcid, QuicVersion v, boolean client) {
    if (!v.known()) throw new IllegalArgumentException("no Initial salt for version " + v);
    return fromSecret(initialSecret(clientDcid, v, client), Aead.AES_128_GCM, v);
  }

  /** The client or server Initial secret (exposed for the RFC 9001 Appendix A test). */
  public static byte[] initialSecret(byte[] clientDcid, QuicVersion v, boolean client) {
    byte[] initial = hmac("HmacSHA256", v.initialSalt(), clientDcid);
    return expandLabel(Aead.AES_128_GCM, initial, client ? "client in" : "server in", 32);
  }

  public byte[] key() {
    return key.clone();
  }

  public byte[] iv() {
    return iv.clone();
  }

  public byte[] hp() {
    return hp.clone();
  }

  public Aead aead() {
    return aead;
  }

  /**
   * The JDK ciphers, one set per thread, shared by all keys: {@code Cipher.getInstance} looks up a
   * provider and costs more than opening a small packet, and a capture holds thousands of
   * connections, each with its own Initial keys. A cipher is re-initialised with a key only when
   * the key differs from the one it last had (header protection of consecutive packets of one
   * connection keeps its AES key schedule).
   */
  private static final class Ciphers {
    final Cipher gcm;
    final Cipher ecb;
    final byte[] block = new byte[16];
    SecretKeySpec ecbKey;

    Ciphers() {
      try {
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new AssertionError("AES-GCM and AES-ECB are in every JDK", e);
      }
    }
  }

  private static final ThreadLocal<Ciphers> CIPHERS = ThreadLocal.withInitial(Ciphers::new);

  /** The five header-protection mask bytes for the 16-byte sample at {@code b[s]}. */
  byte[] mask(byte[] b, int s) {
    try {
      if (aead == Aead.CHACHA20_POLY1305) {
        // RFC 9001 section 5.4.4: counter = sample[0..3] little-endian, nonce = sample[4..15].
        int counter =
            (b[s] & 0xff)
                | ((b[s + 1] & 0xff) << 8)
                | ((b[s + 2] & 0xff) << 16)
                | ((b[s + 3] & 0xff) << 24);
        Cipher c = Cipher.getInstance("ChaCha20");
        c.init(
            Cipher.ENCRYPT_MODE,
            new SecretKeySpec(hp, "ChaCha20"),
            new ChaCha20ParameterSpec(Arrays.copyOfRange(b, s + 4, s + 16), counter));
        return c.doFinal(new byte[5]);
      }
      // RFC 9001 section 5.4.3: mask = AES-ECB(hp_key, sample).
      Ciphers c = CIPHERS.get();
      if (hpKey == null) hpKey = new SecretKeySpec(hp, "AES");
      if (c.ecbKey != hpKey) {
        c.ecb.init(Cipher.ENCRYPT_MODE, hpKey);
        c.ecbKey = hpKey;
      }
      c.ecb.doFinal(b, s, 16, c.block, 0);
      return Arrays.copyOf(c.block, 5);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES-ECB and ChaCha20 are in every JDK", e);
    }
  }

  /**
   * AEAD-opens {@code b[from..to)} (ciphertext and 16-byte tag) with the packet's nonce (RFC 9001
   * section 5.3: the IV XOR the packet number) and the unprotected header as associated data; null
   * if the tag does not verify.
   */
  byte[] open(long packetNumber, byte[] header, byte[] b, int from, int to) {
    if (to - from < 16) return null;
    byte[] nonce = iv.clone();
    for (int i = 0; i < 8; i++) nonce[nonce.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
    try {
      Cipher c;
      if (aead == Aead.CHACHA20_POLY1305) {
        c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      } else {
        // The JDK's AES-GCM: its GHASH and AES-CTR are compiled to the CPU's carry-less multiply
        // and AES instructions. Decrypting with a key and nonce used before is allowed (the JDK
        // refuses only to encrypt twice with them).
        if (aesKey == null) aesKey = new SecretKeySpec(key, "AES");
        c = CIPHERS.get().gcm;
        c.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce));
      }
      c.updateAAD(header);
      return c.doFinal(b, from, to - from);
    } catch (javax.crypto.AEADBadTagException e) {
      return null; // wrong keys, or not this packet number space: a result, not an error
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  /** Seals a payload (for tests that build packets, and to check round trips). */
  byte[] seal(long packetNumber, byte[] header, byte[] plain) {
    byte[] nonce = iv.clone();
    for (int i = 0; i < 8; i++) nonce[nonce.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
    try {
      Cipher c;
      if (aead == Aead.CHACHA20_POLY1305) {
        c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      } else {
        c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(
            Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      }
      c.updateAAD(header);
      return c.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AEAD sealing with a valid key cannot fail", e);
    }
  }

  /** HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context. */
  static byte[] expandLabel(Aead aead, byte[] secret, String label, int length) {
    byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[2 + 1 + l.length + 1];
    info[0] = (byte) (length >> 8);
    info[1] = (byte) length;
    info[2] = (byte) l.length;
    System.arraycopy(l, 0, info, 3, l.length);
    // HKDF-Expand (RFC 5869 section 2.3): T(i) = HMAC(PRK, T(i-1) | info | i).
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      byte[] in = new byte[t.length + info.length + 1];
      System.arraycopy(t, 0, in, 0, t.length);
      System.arraycopy(info, 0, in, t.length, info.length);
      in[in.length - 1] = (byte) i;
      t = hmac(aead.hmac, secret, in);
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  /** One Mac per algorithm and thread: {@code Mac.getInstance} costs more than the HMAC itself. */
  private static final ThreadLocal<Map<String, Mac>> MACS = ThreadLocal.withInitial(HashMap::new);

  private static byte[] hmac(String alg, byte[] key, byte[] data) {
    try {
      Map<String, Mac> macs = MACS.get();
      Mac m = macs.get(alg);
      if (m == null) {
        m = Mac.getInstance(alg);
        macs.put(alg, m);
      }
      m.init(new SecretKeySpec(key, alg));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(alg + " is in every JDK", e);
    }
  }
}
