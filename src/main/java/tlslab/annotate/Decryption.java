package tlslab.annotate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tlslab.wire.CipherSuite;
import tlslab.wire.ClientHello;
import tlslab.wire.ServerHello;

/**
 * Decrypts one connection's records, as Wireshark does with a key log or an RSA key.
 *
 * <ul>
 *   <li>TLS 1.2: master secret from the key log (CLIENT_RANDOM) or from the premaster secret that
 *       the RSA key decrypts out of the ClientKeyExchange (PKCS#1 v1.5, RFC 5246 7.4.7.1), with the
 *       TLS 1.2 PRF (RFC 5246 5; extended master secret RFC 7627); key block (RFC 5246 6.3); then
 *       AES-CBC + HMAC (MAC-then-encrypt, or encrypt-then-MAC per RFC 7366), AES-GCM (RFC 5288) or
 *       ChaCha20-Poly1305 (RFC 7905).
 *   <li>TLS 1.0 and 1.1: the same, with their PRF (P_MD5 XOR P_SHA-1, RFC 2246 5) and, in TLS 1.0,
 *       CBC chained across records: the IV of each record is the last ciphertext block of the
 *       previous record in that direction, the first one comes from the key block (RFC 2246 6.3,
 *       6.2.3.2).
 *   <li>TLS 1.3: handshake and application traffic secrets from the key log, keys and IVs by
 *       HKDF-Expand-Label (RFC 8446 7.1, 7.3), AEAD with the per-record nonce (RFC 8446 5.3); a Key
 *       Update moves its sender to the next application traffic secret (RFC 8446 7.2).
 * </ul>
 */
final class Decryption {
  /** Decrypted record content and (TLS 1.3) its inner content type. */
  static final class Plain {
    final int type;
    final byte[] data;

    Plain(int type, byte[] data) {
      this.type = type;
      this.data = data;
    }
  }

  private final KeyMaterial keys;
  private byte[] clientRandom;
  private byte[] serverRandom;
  private CipherSuite suite = CipherSuite.UNKNOWN;
  private int version = -1;
  private boolean ems;
  private boolean etm;
  private byte[] master;
  private final ByteArrayOutputStream transcript = new ByteArrayOutputStream();
  private Dir client = new Dir();

  /**
   * TLS 1.3 with early data: the client's handshake keys, waiting while the client still sends
   * under its early keys (0-RTT data, then End Of Early Data, RFC 8446 4.5).
   */
  private Dir clientHandshake;

  /** CLIENT_EARLY_TRAFFIC_SECRET of an early_data Client Hello, until its suite is known. */
  private byte[] earlySecret;

  private final Dir server = new Dir();

  /** Why decryption did not happen, for the summary; null if it worked or was not tried. */
  String status;

  int decryptedRecords;

  private static final class Dir {
    Cipher cipher;
    SecretKeySpec key;
    byte[] iv;
    byte[] macKey;
    long seq;
    boolean active;

    /** TLS 1.3: the traffic secret the keys come from, for the next Key Update. */
    byte[] secret;
  }

  Decryption(KeyMaterial keys) {
    this.keys = keys;
  }

  private byte[] offeredSessionId;
  private byte[] offeredTicket;
  private boolean masterFromCache;

  void clientHello(ClientHello ch) {
    clientRandom = ch.random();
    offeredSessionId = ch.sessionId();
    offeredTicket = ch.ticket();
    // early_data (RFC 8446 4.2.10): 0-RTT records follow the hello under the early keys.
    earlySecret =
        ch.extensions().contains(42)
            ? keys.secret("CLIENT_EARLY_TRAFFIC_SECRET", ch.random())
            : null;
  }

  void handshake(boolean fromServer, byte[] b, int off, int len) {
    if (master == null || masterFromCache) transcript.write(b, off, len);
    // TLS 1.2 NewSessionTicket (RFC 5077 3.3): lifetime_hint(4), ticket<0..2^16-1>.
    if (fromServer && version != 0x0304 && len >= 10 && b[off] == 4 && master != null) {
      int tlen = ((b[off + 8] & 0xff) << 8) | (b[off + 9] & 0xff);
      if (10 + tlen <= len)
        keys.rememberSession("ticket:", Arrays.copyOfRange(b, off + 10, off + 10 + tlen), master);
    }
  }

  private byte[] serverSessionId;

  /** TLS 1.3: each side's handshake Finished was read, so it sends under application keys. */
  private boolean clientOnApplicationKeys;

  private boolean serverOnApplicationKeys;

  void serverHello(ServerHello sh) {
    serverRandom = sh.random();
    serverSessionId = sh.sessionId();
    suite = CipherSuite.of(sh.cipherSuite());
    version = sh.version();
    ems = sh.extendedMasterSecret();
    etm = sh.encryptThenMac();
    if (clientRandom == null) {
      status = "no Client Hello seen: cannot look up keys";
      return;
    }
    if (tlslab.wire.ProtocolVersion.tls13Draft(version, sh.legacyVersion())) {
      status =
          "the Server Hello chose "
              + tlslab.wire.ProtocolVersion.nameOf(version, sh.legacyVersion())
              + ": the lab decrypts TLS 1.3 as RFC 8446 defines it, not its drafts (their key"
              + " schedules differ)";
      return;
    }
    if (suite == CipherSuite.UNKNOWN
        || suite.cipher() == CipherSuite.Cipher.NULL
        || suite.cipher() == CipherSuite.Cipher.TDES_CBC
        || suite.cipher() == CipherSuite.Cipher.RC4_128
        || suite.cipher() == CipherSuite.Cipher.AES_128_CCM) {
      status =
          "cipher suite "
              + CipherSuite.labelOf(sh.cipherSuite())
              + " is not supported for decryption";
      return;
    }
    if (version == 0x0304) {
      byte[] cs = keys.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientRandom);
      byte[] ss = keys.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", clientRandom);
      if (cs == null || ss == null) {
        status =
            keys.hasKeyLog()
                ? "the key log has no TLS 1.3 secrets for this client random"
                : "TLS 1.3 is always forward secret: only a key log (--keylog) can decrypt it, never"
                    + " the server's private key";
        return;
      }
      if (client.active && earlySecret != null) {
        // Still on the early keys: the handshake keys take over after End Of Early Data, or at
        // once if the server refused the early data (then the next client record fails to open
        // under the early keys).
        clientHandshake = new Dir();
        tls13Keys(clientHandshake, cs);
      } else {
        tls13Keys(client, cs);
      }
      tls13Keys(server, ss);
      status = null;
    } else {
      master = keys.secret("CLIENT_RANDOM", clientRandom);
      if (master == null) {
        // An abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1) reuses an earlier master secret.
        byte[] cached =
            java.util.Arrays.equals(sh.sessionId(), offeredSessionId)
                ? keys.resumedSession("id:", sh.sessionId())
                : null;
        if (cached == null && offeredTicket != null)
          cached = keys.resumedSession("ticket:", offeredTicket);
        if (cached != null) {
          master = cached;
          masterFromCache = true;
          status = null;
          return;
        }
        if (suite.keyExchange() != CipherSuite.KeyExchange.RSA) {
          status =
              keys.rsaKey() != null
                  ? "key exchange "
                      + suite.keyExchange()
                      + " is ephemeral Diffie-Hellman (forward"
                      + " secrecy): the server's RSA key only signed it, so it cannot decrypt this"
                      + " session; use a key log (--keylog)"
                  : "no CLIENT_RANDOM line for this session in the key log";
        } else if (keys.rsaKey() == null) {
          status = "no CLIENT_RANDOM line for this session in the key log";
        }
      }
    }
  }

  /** TLS_RSA: decrypts the premaster secret with the server's private key. */
  void clientKeyExchange(byte[] b, int off, int end) {
    if ((master != null && !masterFromCache) || version == 0x0304 || keys.rsaKey() == null) return;
    if (clientRandom == null || serverRandom == null) return;
    masterFromCache = false; // a full handshake after all: derive a fresh master secret
    if (suite.keyExchange() != CipherSuite.KeyExchange.RSA) return;
    try {
      int len = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
      byte[] enc = Arrays.copyOfRange(b, off + 2, Math.min(end, off + 2 + len));
      Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
      rsa.init(Cipher.DECRYPT_MODE, keys.rsaKey());
      byte[] pms = rsa.doFinal(enc);
      if (pms.length != 48) {
        status =
            "RSA decryption gave a "
                + pms.length
                + "-byte premaster secret (expected 48): wrong key?";
        return;
      }
      if (ems) {
        master = prf(pms, "extended master secret", sessionHash(transcript.toByteArray()), 48);
      } else {
        master = prf(pms, "master secret", concat(clientRandom, serverRandom), 48);
      }
      status = null;
      byte[] sid = serverSessionId;
      keys.rememberSession("id:", sid, master);
    } catch (GeneralSecurityException | RuntimeException e) {
      status =
          "the RSA key did not decrypt the premaster secret ("
              + e.getClass().getSimpleName()
              + "): is it the server's key?";
    }
  }

  void changeCipherSpec(boolean fromServer) {
    if (master == null || version == 0x0304 || clientRandom == null || serverRandom == null) return;
    Dir d = fromServer ? server : client;
    try {
      CipherSuite.Cipher c = suite.cipher();
      int macLen = c.aead() ? 0 : macLength();
      int keyLen = c.keyLength();
      int ivLen = c == CipherSuite.Cipher.CHACHA20_POLY1305 ? 12 : c.ivLength();
      // The key block holds the CBC IVs too; only TLS 1.0 uses them (RFC 2246 6.3: the first
      // record's IV; TLS 1.1 and 1.2 send an explicit IV in every record instead).
      byte[] kb =
          prf(
              master,
              "key expansion",
              concat(serverRandom, clientRandom),
              2 * (macLen + keyLen + ivLen));
      int o = 0;
      byte[] cMac = Arrays.copyOfRange(kb, o, o += macLen);
      byte[] sMac = Arrays.copyOfRange(kb, o, o += macLen);
      byte[] cKey = Arrays.copyOfRange(kb, o, o += keyLen);
      byte[] sKey = Arrays.copyOfRange(kb, o, o += keyLen);
      byte[] cIv = Arrays.copyOfRange(kb, o, o += ivLen);
      byte[] sIv = Arrays.copyOfRange(kb, o, o + ivLen);
      d.macKey = fromServer ? sMac : cMac;
      d.key =
          new SecretKeySpec(
              fromServer ? sKey : cKey,
              c == CipherSuite.Cipher.CHACHA20_POLY1305 ? "ChaCha20" : "AES");
      d.iv = fromServer ? sIv : cIv;
      d.cipher = Cipher.getInstance(cipherName(c));
      d.seq = 0;
      d.active = true;
    } catch (GeneralSecurityException e) {
      status = "this JDK cannot run " + suite.cipher() + ": " + e.getMessage();
    }
  }

  /** TLS 1.3: after a side's Finished its application traffic secret takes over. */
  void finished(boolean fromServer) {
    if (version != 0x0304 || clientRandom == null) return;
    // Only the handshake's Finished moves its sender to the application keys (RFC 8446 7.1); a
    // Finished after post-handshake authentication (4.6.2) comes under them and changes nothing.
    if (fromServer ? serverOnApplicationKeys : clientOnApplicationKeys) return;
    if (fromServer) serverOnApplicationKeys = true;
    else clientOnApplicationKeys = true;
    byte[] s =
        keys.secret(
            fromServer ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0", clientRandom);
    if (s == null) return;
    try {
      tls13Keys(fromServer ? server : client, s);
    } catch (RuntimeException e) {
      status = "could not derive TLS 1.3 application keys: " + e.getMessage();
    }
  }

  /**
   * The client's first 0-RTT record, before any Server Hello names the suite: the early secret's
   * length gives the hash, and of the suites with that hash the one whose AEAD authenticates the
   * record is the one (RFC 8446 4.2.10: early data uses the PSK's suite).
   */
  private Plain openFirstEarly(byte[] b, int off, int len) {
    CipherSuite[] candidates =
        earlySecret.length == 48
            ? new CipherSuite[] {CipherSuite.TLS_AES_256_GCM_SHA384}
            : new CipherSuite[] {
              CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256
            };
    for (CipherSuite cs : candidates) {
      suite = cs;
      Dir d = new Dir();
      tls13Keys(d, earlySecret);
      try {
        Plain p = open13(d, b, off, len);
        client = d;
        decryptedRecords++;
        return p;
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this suite
      }
    }
    suite = CipherSuite.UNKNOWN;
    earlySecret = null;
    status = "the 0-RTT early data did not decrypt with the key log's CLIENT_EARLY_TRAFFIC_SECRET";
    return null;
  }

  /** Decrypts a record body; null if this direction has no keys yet or authentication fails. */
  Plain decrypt(boolean fromServer, int type, int recordVersion, byte[] b, int off, int len) {
    if (!fromServer && !client.active && earlySecret != null && version < 0 && type == 23)
      return openFirstEarly(b, off, len);
    if (!fromServer && clientHandshake != null) return decryptAfterEarly(b, off, len);
    Dir d = fromServer ? server : client;
    if (!d.active) return null;
    if (version == 0x0304 && type != 23) return null;
    try {
      Plain p =
          version == 0x0304 ? open13(d, b, off, len) : open12(d, type, recordVersion, b, off, len);
      if (p != null) decryptedRecords++;
      return p;
    } catch (GeneralSecurityException | RuntimeException e) {
      status = "a record failed to decrypt (" + e.getClass().getSimpleName() + "): wrong keys?";
      d.active = false;
      return null;
    }
  }

  /**
   * A client record after the Server Hello of an early-data handshake: early data or End Of Early
   * Data under the early keys (RFC 8446 4.5), after which the handshake keys take over; if it does
   * not open under the early keys the server refused the early data and the client went straight to
   * its handshake keys.
   */
  private Plain decryptAfterEarly(byte[] b, int off, int len) {
    Dir hs = clientHandshake;
    try {
      Plain p = open13(client, b, off, len);
      if (p.type == 22 && p.data.length >= 4 && p.data[0] == 5) { // end_of_early_data
        client = hs;
        clientHandshake = null;
      }
      decryptedRecords++;
      return p;
    } catch (GeneralSecurityException | RuntimeException e) {
      client = hs;
      clientHandshake = null;
      return decrypt(false, 23, 0x0303, b, off, len);
    }
  }

  private Plain open13(Dir d, byte[] b, int off, int len) throws GeneralSecurityException {
    byte[] nonce = d.iv.clone();
    for (int i = 0; i < 8; i++) nonce[nonce.length - 1 - i] ^= (byte) (d.seq >>> (8 * i));
    byte[] aad = {23, 3, 3, (byte) (len >> 8), (byte) len};
    initAead(d, nonce);
    d.cipher.updateAAD(aad);
    byte[] pt = d.cipher.doFinal(b, off, len);
    d.seq++;
    int n = pt.length;
    while (n > 0 && pt[n - 1] == 0) n--; // RFC 8446 5.4: zero padding, then the real type
    if (n == 0) return null;
    int type = pt[n - 1] & 0xff;
    if (type == 22 && endsWithKeyUpdate(pt, n - 1)) {
      // RFC 8446 4.6.3, 7.2: after a KeyUpdate the sender protects its records with
      // application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "",
      // Hash.length).
      String h = suite.hash().equals("SHA384") ? "HmacSHA384" : "HmacSHA256";
      tls13Keys(d, expandLabel(h, d.secret, "traffic upd", d.secret.length));
    }
    return new Plain(type, Arrays.copyOf(pt, n - 1));
  }

  /** Whether the handshake messages in {@code pt[0..n)} end with a KeyUpdate (type 24). */
  private static boolean endsWithKeyUpdate(byte[] pt, int n) {
    int p = 0;
    int last = -1;
    while (p + 4 <= n) {
      last = pt[p] & 0xff;
      p += 4 + ((pt[p + 1] & 0xff) << 16 | (pt[p + 2] & 0xff) << 8 | pt[p + 3] & 0xff);
    }
    return p == n && last == 24; // RFC 8446 5.1: a KeyUpdate ends its record
  }

  private Plain open12(Dir d, int type, int rv, byte[] b, int off, int len)
      throws GeneralSecurityException {
    CipherSuite.Cipher c = suite.cipher();
    byte[] pt;
    if (c.aead()) {
      byte[] nonce;
      int ctOff = off;
      int ctLen = len;
      if (c == CipherSuite.Cipher.CHACHA20_POLY1305) {
        nonce = d.iv.clone();
        for (int i = 0; i < 8; i++) nonce[11 - i] ^= (byte) (d.seq >>> (8 * i));
      } else {
        nonce = new byte[12];
        System.arraycopy(d.iv, 0, nonce, 0, 4);
        System.arraycopy(b, off, nonce, 4, 8); // explicit nonce (RFC 5288 3)
        ctOff += 8;
        ctLen -= 8;
      }
      int plainLen = ctLen - 16;
      initAead(d, nonce);
      d.cipher.updateAAD(aad(d.seq, type, rv, plainLen));
      pt = d.cipher.doFinal(b, ctOff, ctLen);
    } else {
      int macLen = macLength();
      int ctLen = etm ? len - macLen : len;
      // TLS 1.0 (RFC 2246 6.2.3.2) chains CBC across records: a record's IV is the last
      // ciphertext block of the previous record in the same direction, the first one comes from
      // the key block. TLS 1.1 (RFC 4346 6.2.3.2) and 1.2 put an explicit IV before each record.
      boolean implicitIv = version == 0x0301;
      int block = 16;
      if (ctLen < block || ctLen % block != 0)
        throw new GeneralSecurityException("CBC record of " + ctLen + " bytes");
      int explicit = implicitIv ? 0 : block;
      IvParameterSpec ivSpec =
          implicitIv ? new IvParameterSpec(d.iv, 0, block) : new IvParameterSpec(b, off, block);
      d.cipher.init(Cipher.DECRYPT_MODE, d.key, ivSpec);
      byte[] dec = d.cipher.doFinal(b, off + explicit, ctLen - explicit);
      if (implicitIv) d.iv = Arrays.copyOfRange(b, off + ctLen - block, off + ctLen);
      int pad = dec.length == 0 ? 0 : (dec[dec.length - 1] & 0xff) + 1;
      int n = dec.length - pad - (etm ? 0 : macLen);
      if (n < 0) throw new GeneralSecurityException("bad padding");
      pt = Arrays.copyOf(dec, n);
      // Verify the MAC (RFC 5246 6.2.3.1 / RFC 7366 3): wrong keys must not print garbage.
      Mac mac = Mac.getInstance(macAlg());
      mac.init(new SecretKeySpec(d.macKey, macAlg()));
      if (etm) {
        mac.update(aad(d.seq, type, rv, ctLen));
        mac.update(b, off, ctLen);
        byte[] want = mac.doFinal();
        if (!MessageDigest.isEqual(want, Arrays.copyOfRange(b, off + ctLen, off + len))) {
          throw new GeneralSecurityException("MAC mismatch");
        }
      } else {
        mac.update(aad(d.seq, type, rv, n));
        mac.update(pt);
        byte[] want = mac.doFinal();
        if (!MessageDigest.isEqual(want, Arrays.copyOfRange(dec, n, n + macLen))) {
          throw new GeneralSecurityException("MAC mismatch");
        }
      }
    }
    d.seq++;
    return new Plain(type, pt);
  }

  private void initAead(Dir d, byte[] nonce) throws GeneralSecurityException {
    if (suite.cipher() == CipherSuite.Cipher.CHACHA20_POLY1305) {
      d.cipher.init(Cipher.DECRYPT_MODE, d.key, new IvParameterSpec(nonce));
    } else {
      d.cipher.init(Cipher.DECRYPT_MODE, d.key, new GCMParameterSpec(128, nonce));
    }
  }

  private void tls13Keys(Dir d, byte[] secret) {
    try {
      String h = suite.hash().equals("SHA384") ? "HmacSHA384" : "HmacSHA256";
      CipherSuite.Cipher c = suite.cipher();
      byte[] key = expandLabel(h, secret, "key", c.keyLength());
      d.iv = expandLabel(h, secret, "iv", 12);
      d.key =
          new SecretKeySpec(key, c == CipherSuite.Cipher.CHACHA20_POLY1305 ? "ChaCha20" : "AES");
      d.cipher = Cipher.getInstance(cipherName(c));
      d.seq = 0;
      d.active = true;
      d.secret = secret;
    } catch (GeneralSecurityException e) {
      status = "this JDK cannot run " + suite.cipher() + ": " + e.getMessage();
    }
  }

  private static String cipherName(CipherSuite.Cipher c) {
    return switch (c) {
      case AES_128_GCM, AES_256_GCM -> "AES/GCM/NoPadding";
      case CHACHA20_POLY1305 -> "ChaCha20-Poly1305";
      default -> "AES/CBC/NoPadding";
    };
  }

  private int macLength() {
    return switch (suite.hash()) {
      case "SHA1" -> 20;
      case "SHA384" -> 48;
      default -> 32;
    };
  }

  private String macAlg() {
    return switch (suite.hash()) {
      case "SHA1" -> "HmacSHA1";
      case "SHA384" -> "HmacSHA384";
      default -> "HmacSHA256";
    };
  }

  private static byte[] aad(long seq, int type, int version, int len) {
    byte[] a = new byte[13];
    for (int i = 0; i < 8; i++) a[i] = (byte) (seq >>> (56 - 8 * i));
    a[8] = (byte) type;
    a[9] = (byte) (version >> 8);
    a[10] = (byte) version;
    a[11] = (byte) (len >> 8);
    a[12] = (byte) len;
    return a;
  }

  /**
   * The PRF of the negotiated version: TLS 1.2's P_SHA256 (or the suite's SHA-384), or TLS 1.0 and
   * 1.1's P_MD5 XOR P_SHA1 over the two halves of the secret (RFC 2246 5, RFC 4346 5).
   */
  private byte[] prf(byte[] secret, String label, byte[] seed, int n)
      throws GeneralSecurityException {
    if (version == 0x0301 || version == 0x0302) return prf10(secret, label, seed, n);
    return prf(suite.prfHash(), secret, label, seed, n);
  }

  /**
   * The session hash of the extended master secret (RFC 7627 3): the handshake hash of the version,
   * MD5 || SHA-1 in TLS 1.0 and 1.1, the PRF hash in TLS 1.2.
   */
  private byte[] sessionHash(byte[] handshake) throws GeneralSecurityException {
    if (version == 0x0301 || version == 0x0302)
      return concat(
          MessageDigest.getInstance("MD5").digest(handshake),
          MessageDigest.getInstance("SHA-1").digest(handshake));
    return MessageDigest.getInstance(suite.prfHash().equals("SHA384") ? "SHA-384" : "SHA-256")
        .digest(handshake);
  }

  /**
   * TLS 1.0/1.1 PRF (RFC 2246 section 5): P_MD5(S1, label + seed) XOR P_SHA-1(S2, label + seed), S1
   * and S2 the first and last halves of the secret (sharing a byte when its length is odd).
   */
  static byte[] prf10(byte[] secret, String label, byte[] seed, int n)
      throws GeneralSecurityException {
    int half = (secret.length + 1) / 2;
    byte[] s1 = Arrays.copyOfRange(secret, 0, half);
    byte[] s2 = Arrays.copyOfRange(secret, secret.length - half, secret.length);
    byte[] md5 = pHash("HmacMD5", s1, label, seed, n);
    byte[] sha = pHash("HmacSHA1", s2, label, seed, n);
    for (int i = 0; i < n; i++) md5[i] ^= sha[i];
    return md5;
  }

  /** TLS 1.2 PRF (RFC 5246 section 5): P_hash(secret, label + seed). */
  static byte[] prf(String hash, byte[] secret, String label, byte[] seed, int n)
      throws GeneralSecurityException {
    return pHash(hash.equals("SHA384") ? "HmacSHA384" : "HmacSHA256", secret, label, seed, n);
  }

  /** P_hash (RFC 5246 section 5): HMAC(secret, A(i) + label + seed) until n bytes. */
  private static byte[] pHash(String alg, byte[] secret, String label, byte[] seed, int n)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance(alg);
    mac.init(new SecretKeySpec(secret, alg));
    byte[] ls = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
    byte[] out = new byte[n];
    byte[] a = ls;
    int o = 0;
    while (o < n) {
      a = mac.doFinal(a);
      mac.update(a);
      byte[] chunk = mac.doFinal(ls);
      int k = Math.min(chunk.length, n - o);
      System.arraycopy(chunk, 0, out, o, k);
      o += k;
    }
    return out;
  }

  /** HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context. */
  static byte[] expandLabel(String hmac, byte[] secret, String label, int len)
      throws GeneralSecurityException {
    byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[2 + 1 + full.length + 1];
    info[0] = (byte) (len >> 8);
    info[1] = (byte) len;
    info[2] = (byte) full.length;
    System.arraycopy(full, 0, info, 3, full.length);
    info[info.length - 1] = 0;
    Mac mac = Mac.getInstance(hmac);
    mac.init(new SecretKeySpec(secret, hmac));
    byte[] out = new byte[len];
    byte[] t = new byte[0];
    int o = 0;
    for (int i = 1; o < len; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int k = Math.min(t.length, len - o);
      System.arraycopy(t, 0, out, o, k);
      o += k;
    }
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Decrypted bytes as one printable line (control bytes as \xNN). */
  static String printable(byte[] d) {
    StringBuilder sb = new StringBuilder();
    for (byte x : d) {
      int c = x & 0xff;
      if (c == '\n') sb.append("\\n");
      else if (c >= 0x20 && c < 0x7f) sb.append((char) c);
      else sb.append(String.format("\\x%02x", c));
    }
    return sb.toString();
  }
}
