package tlslab.exercise.checks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.wire.CipherSuite;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.ServerHello;

/**
 * Whether one handshake in a capture is one a real TLS peer made, as far as the capture and the
 * student's keys can show: what a hand-edited capture (a certificate pasted into someone else's
 * handshake, a message changed, records from another session) cannot keep true.
 *
 * <ul>
 *   <li>The Server Key Exchange's signature over both randoms and the (EC)DHE parameters (RFC 5246
 *       §7.4.3, RFC 8422 §5.4) verifies with the key of the certificate the server sent: only the
 *       holder of that certificate's private key signed this handshake.
 *   <li>A client's Certificate Verify (RFC 5246 §7.4.8; RFC 8446 §4.4.3) verifies with the key of
 *       the client certificate: only its holder took part. So does a TLS 1.3 server's.
 *   <li>With the session's secrets (a key log, or the server's RSA key for TLS_RSA suites), each
 *       Finished (RFC 5246 §7.4.9; RFC 8446 §4.4.4) is the MAC of the handshake as captured: no
 *       message was changed, added or removed.
 * </ul>
 *
 * What cannot be checked (no keys: a TLS 1.2 Finished is encrypted) is not claimed. The lab's
 * annotator already decrypts; this re-derives only what the proofs need, from the same messages,
 * because verifying a peer is not the annotator's job (it shows what was sent, verified or not).
 */
final class HandshakeProof {
  /** One handshake message as sent: its 4-byte header and body. */
  record Message(boolean fromServer, int type, String label, byte[] bytes) {
    byte[] body() {
      return Arrays.copyOfRange(bytes, 4, bytes.length);
    }
  }

  /**
   * What was verified and what failed.
   *
   * @param verified what held, in words ("the Server Key Exchange signature")
   * @param problems what did not, each a sentence for the student
   */
  record Result(List<String> verified, List<String> problems) {
    boolean genuine() {
      return problems.isEmpty();
    }
  }

  private static final int CLIENT_HELLO = 1;
  private static final int SERVER_HELLO = 2;
  private static final int CERTIFICATE = 11;
  private static final int SERVER_KEY_EXCHANGE = 12;
  private static final int CERTIFICATE_VERIFY = 15;
  private static final int CLIENT_KEY_EXCHANGE = 16;
  private static final int FINISHED = 20;
  private static final int NEW_SESSION_TICKET = 4;
  private static final int KEY_UPDATE = 24;

  private HandshakeProof() {}

  /** Verifies the handshake of connection {@code c}, whose messages are {@code messages}. */
  static Result verify(ConnectionFacts c, List<Message> messages, KeyMaterial keys) {
    List<String> ok = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    Message ch = first(messages, false, CLIENT_HELLO);
    Message sh = first(messages, true, SERVER_HELLO);
    if (ch == null || sh == null || ch.bytes().length < 38 || sh.bytes().length < 38) {
      return new Result(ok, bad); // no hellos seen whole: nothing to verify against
    }
    byte[] clientRandom = Arrays.copyOfRange(ch.bytes(), 6, 38);
    byte[] serverRandom = Arrays.copyOfRange(sh.bytes(), 6, 38);
    CipherSuite suite = CipherSuite.of(c.cipherSuite());
    try {
      if (c.version() == 0x0303) {
        tls12(c, messages, keys, clientRandom, serverRandom, suite, ok, bad);
      } else if (c.version() == 0x0304) {
        tls13(c, messages, keys, clientRandom, suite, ok, bad);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // A message too short for its fields, a key the JDK cannot use: not a real peer's handshake.
      bad.add("its handshake messages cannot be verified (" + e.getMessage() + ")");
    }
    return new Result(ok, bad);
  }

  private static void tls12(
      ConnectionFacts c,
      List<Message> messages,
      KeyMaterial keys,
      byte[] cr,
      byte[] sr,
      CipherSuite suite,
      List<String> ok,
      List<String> bad)
      throws GeneralSecurityException {
    Message ske = first(messages, true, SERVER_KEY_EXCHANGE);
    if (ske != null && !c.serverCertificates().isEmpty()) {
      byte[] b = ske.body();
      int paramsEnd = dhParamsEnd(b, c);
      byte[] params = Arrays.copyOfRange(b, 0, paramsEnd);
      int scheme = u16(b, paramsEnd);
      byte[] sig = vector16(b, paramsEnd + 2);
      byte[] signed = concat(cr, sr, params);
      if (verifies(scheme, c.serverCertificates().get(0).getPublicKey(), signed, sig)) {
        ok.add("the Server Key Exchange is signed by the server certificate's key");
      } else {
        bad.add(
            "the Server Key Exchange is not signed by the key of the server certificate it shows ("
                + CaptureEvidence.describe(c.serverCertificates().get(0))
                + "): that certificate was not the one of this handshake's server");
      }
    }
    Message cv = first(messages, false, CERTIFICATE_VERIFY);
    if (cv != null && !c.clientCertificates().isEmpty()) {
      byte[] b = cv.body();
      int scheme = u16(b, 0);
      byte[] sig = vector16(b, 2);
      byte[] signed = transcript(messages, cv);
      clientVerify(c.clientCertificates().get(0), scheme, signed, sig, ok, bad);
    } else if (!c.clientCertificates().isEmpty()) {
      bad.add(noClientVerify(c));
    }
    if (suite == CipherSuite.UNKNOWN) {
      return;
    }
    byte[] master = keys.secret("CLIENT_RANDOM", cr);
    if (master == null && keys.rsaKey() != null) {
      master = rsaMaster(messages, keys.rsaKey(), cr, sr, suite);
    }
    if (master == null) {
      return;
    }
    String hash = suite.prfHash().equals("SHA384") ? "SHA-384" : "SHA-256";
    for (Message m : messages) {
      if (m.type() != FINISHED) {
        continue;
      }
      if (m.bytes().length != 16) {
        finished(m, false, ok, bad); // TLS 1.2 verify_data is 12 bytes (RFC 5246 §7.4.9)
        continue;
      }
      byte[] want =
          prf(
              suite.prfHash(),
              master,
              m.fromServer() ? "server finished" : "client finished",
              MessageDigest.getInstance(hash).digest(transcript(messages, m)),
              12);
      finished(m, MessageDigest.isEqual(want, m.body()), ok, bad);
    }
  }

  private static void tls13(
      ConnectionFacts c,
      List<Message> messages,
      KeyMaterial keys,
      byte[] cr,
      CipherSuite suite,
      List<String> ok,
      List<String> bad)
      throws GeneralSecurityException {
    if (suite == CipherSuite.UNKNOWN) {
      return;
    }
    String hash = "SHA384".equals(suite.hash()) ? "SHA-384" : "SHA-256";
    if (!c.clientCertificates().isEmpty() && first(messages, false, CERTIFICATE_VERIFY) == null) {
      bad.add(noClientVerify(c));
    }
    for (Message m : messages) {
      if (m.type() == CERTIFICATE_VERIFY) {
        List<X509Certificate> chain =
            m.fromServer() ? c.serverCertificates() : c.clientCertificates();
        if (chain.isEmpty()) {
          continue;
        }
        byte[] b = m.body();
        int scheme = u16(b, 0);
        byte[] sig = vector16(b, 2);
        // RFC 8446 §4.4.3: 64 spaces, a context string, a zero byte, the transcript hash.
        byte[] pad = new byte[64];
        Arrays.fill(pad, (byte) 0x20);
        byte[] signed =
            concat(
                pad,
                ("TLS 1.3, " + (m.fromServer() ? "server" : "client") + " CertificateVerify")
                    .getBytes(StandardCharsets.US_ASCII),
                new byte[1],
                MessageDigest.getInstance(hash).digest(transcript13(messages, m, hash)));
        if (m.fromServer()) {
          if (verifies(scheme, chain.get(0).getPublicKey(), signed, sig)) {
            ok.add("the server's Certificate Verify is signed by its certificate's key");
          } else {
            bad.add(
                "the server's Certificate Verify is not signed by the key of the certificate it"
                    + " shows ("
                    + CaptureEvidence.describe(chain.get(0))
                    + "): that certificate was not the one of this handshake's server");
          }
        } else {
          clientVerify(chain.get(0), scheme, signed, sig, ok, bad);
        }
      } else if (m.type() == FINISHED) {
        String label =
            m.fromServer() ? "SERVER_HANDSHAKE_TRAFFIC_SECRET" : "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
        byte[] secret = keys.secret(label, cr);
        if (secret == null) {
          continue;
        }
        String hmac = hash.equals("SHA-384") ? "HmacSHA384" : "HmacSHA256";
        int n = hash.equals("SHA-384") ? 48 : 32;
        byte[] key = expandLabel(hmac, secret, "finished", new byte[0], n);
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(key, hmac));
        byte[] want =
            mac.doFinal(MessageDigest.getInstance(hash).digest(transcript13(messages, m, hash)));
        finished(m, MessageDigest.isEqual(want, m.body()), ok, bad);
      }
    }
  }

  /**
   * A client Certificate with no Certificate Verify after it. A real client that sends a
   * certificate with a signing key also proves it holds that key (RFC 5246 §7.4.8; in TLS 1.3 it
   * must, RFC 8446 §4.4.3), and every lab certificate has one. Certificates are public (each is in
   * the clear in every TLS 1.2 capture of its holder): a Certificate alone, in a handshake whose
   * Finished anyone with the session's key log can recompute, shows nothing about who took part.
   */
  private static String noClientVerify(ConnectionFacts c) {
    return "the client's Certificate ("
        + CaptureEvidence.describe(c.clientCertificates().get(0))
        + ") is followed by no Certificate Verify: nothing shows that whoever made this"
        + " handshake held that certificate's key";
  }

  private static void finished(Message m, boolean match, List<String> ok, List<String> bad) {
    String who = m.fromServer() ? "server" : "client";
    if (match) {
      ok.add("the " + who + "'s Finished matches the handshake as captured");
    } else {
      bad.add(
          "the "
              + who
              + "'s Finished does not match the handshake messages in the capture: they were"
              + " changed after the handshake (a message edited, added or removed)");
    }
  }

  private static void clientVerify(
      X509Certificate cert,
      int scheme,
      byte[] signed,
      byte[] sig,
      List<String> ok,
      List<String> bad)
      throws GeneralSecurityException {
    if (verifies(scheme, cert.getPublicKey(), signed, sig)) {
      ok.add("the client's Certificate Verify is signed by its certificate's key");
    } else {
      bad.add(
          "the client's Certificate Verify is not signed by the key of the client certificate it"
              + " shows ("
              + CaptureEvidence.describe(cert)
              + "): whoever made this handshake did not hold that certificate's key");
    }
  }

  /**
   * Where the (EC)DHE parameters of a Server Key Exchange body end (RFC 8422 §5.4: curve type 3,
   * named group, point; RFC 5246 §7.4.3: dh_p, dh_g, dh_Ys).
   */
  private static int dhParamsEnd(byte[] b, ConnectionFacts c) {
    if (c.keyExchangeGroup() >= 0 && (b[0] & 0xff) == 3) {
      return 4 + (b[3] & 0xff);
    }
    int p = 0;
    for (int i = 0; i < 3; i++) {
      p += 2 + u16(b, p);
    }
    return p;
  }

  /** The TLS_RSA master secret: the pre-master secret the client encrypted to the server key. */
  private static byte[] rsaMaster(
      List<Message> messages, RSAPrivateKey key, byte[] cr, byte[] sr, CipherSuite suite)
      throws GeneralSecurityException {
    Message cke = first(messages, false, CLIENT_KEY_EXCHANGE);
    Message shm = first(messages, true, SERVER_HELLO);
    if (suite.keyExchange() != CipherSuite.KeyExchange.RSA) {
      return null;
    }
    byte[] pms = rsaPremaster(messages, key);
    if (pms == null) {
      return null; // not encrypted to this key: the session does not decrypt, and checks say so
    }
    ServerHello sh =
        HandshakeMessages.serverHello(shm.bytes(), 4, shm.bytes().length).valueOrNull();
    if (sh != null && sh.extendedMasterSecret()) {
      String hash = suite.prfHash().equals("SHA384") ? "SHA-384" : "SHA-256";
      byte[] sessionHash =
          MessageDigest.getInstance(hash).digest(concat(transcript(messages, cke), cke.bytes()));
      return prf(suite.prfHash(), pms, "extended master secret", sessionHash, 48);
    }
    return prf(suite.prfHash(), pms, "master secret", concat(cr, sr), 48);
  }

  /**
   * The 48-byte pre-master secret of a TLS_RSA handshake (RFC 5246 §7.4.7.1): the client's
   * EncryptedPreMasterSecret decrypted with the server's key (PKCS#1 v1.5). Null when there is no
   * Client Key Exchange, or it was not encrypted to {@code key} (including a decryption that does
   * not give 48 bytes: §7.4.7.1 fixes the length).
   */
  static byte[] rsaPremaster(List<Message> messages, RSAPrivateKey key) {
    Message cke = first(messages, false, CLIENT_KEY_EXCHANGE);
    if (cke == null || key == null) {
      return null;
    }
    try {
      Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
      rsa.init(Cipher.DECRYPT_MODE, key);
      byte[] pms = rsa.doFinal(vector16(cke.body(), 0));
      return pms.length == 48 ? pms : null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** Every handshake message before {@code upTo}, concatenated (RFC 5246 §7.4.9). */
  private static byte[] transcript(List<Message> messages, Message upTo) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message m : messages) {
      if (m == upTo) {
        break;
      }
      if (m.type() != 0) { // Hello Request is not part of the handshake hash
        out.writeBytes(m.bytes());
      }
    }
    return out.toByteArray();
  }

  /**
   * The TLS 1.3 transcript before {@code upTo} (RFC 8446 §4.4.1): after a Hello Retry Request the
   * first Client Hello is replaced by a message_hash message carrying its hash.
   */
  private static byte[] transcript13(List<Message> messages, Message upTo, String hash)
      throws GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean retry = messages.stream().anyMatch(m -> m.label().equals("Hello Retry Request"));
    boolean firstHello = true;
    for (Message m : messages) {
      if (m == upTo) {
        break;
      }
      if (m.type() == NEW_SESSION_TICKET || m.type() == KEY_UPDATE) {
        continue; // post-handshake messages are in no transcript (RFC 8446 §4.6)
      }
      if (retry && firstHello && m.type() == CLIENT_HELLO) {
        byte[] h = MessageDigest.getInstance(hash).digest(m.bytes());
        out.writeBytes(new byte[] {(byte) 254, 0, 0, (byte) h.length});
        out.writeBytes(h);
        firstHello = false;
        continue;
      }
      out.writeBytes(m.bytes());
    }
    return out.toByteArray();
  }

  /** Verifies a TLS signature (SignatureScheme code, RFC 8446 §4.2.3). */
  private static boolean verifies(int scheme, PublicKey key, byte[] data, byte[] sig)
      throws GeneralSecurityException {
    Signature s;
    switch (scheme) {
      case 0x0201 -> s = Signature.getInstance("SHA1withRSA");
      case 0x0401 -> s = Signature.getInstance("SHA256withRSA");
      case 0x0501 -> s = Signature.getInstance("SHA384withRSA");
      case 0x0601 -> s = Signature.getInstance("SHA512withRSA");
      case 0x0203 -> s = Signature.getInstance("SHA1withECDSA");
      case 0x0403 -> s = Signature.getInstance("SHA256withECDSA");
      case 0x0503 -> s = Signature.getInstance("SHA384withECDSA");
      case 0x0603 -> s = Signature.getInstance("SHA512withECDSA");
      case 0x0804, 0x0809 -> s = pss("SHA-256", 32);
      case 0x0805, 0x080a -> s = pss("SHA-384", 48);
      case 0x0806, 0x080b -> s = pss("SHA-512", 64);
      case 0x0807 -> s = Signature.getInstance("Ed25519");
      case 0x0808 -> s = Signature.getInstance("Ed448");
      default ->
          throw new GeneralSecurityException(
              String.format("signature scheme 0x%04x is not one the lab verifies", scheme));
    }
    try {
      s.initVerify(key);
      s.update(data);
      return s.verify(sig);
    } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
      return false; // a key of another type, a signature of the wrong shape: not this key's
    }
  }

  private static Signature pss(String hash, int salt) throws GeneralSecurityException {
    Signature s = Signature.getInstance("RSASSA-PSS");
    s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1));
    return s;
  }

  /** The TLS 1.2 PRF, P_hash (RFC 5246 §5). */
  static byte[] prf(String prfHash, byte[] secret, String label, byte[] seed, int n)
      throws GeneralSecurityException {
    String alg = prfHash.equals("SHA384") ? "HmacSHA384" : "HmacSHA256";
    Mac mac = Mac.getInstance(alg);
    mac.init(new SecretKeySpec(secret, alg));
    byte[] s = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] a = s;
    while (out.size() < n) {
      a = mac.doFinal(a);
      mac.update(a);
      out.writeBytes(mac.doFinal(s));
    }
    return Arrays.copyOf(out.toByteArray(), n);
  }

  /** HKDF-Expand-Label for one output block at most (RFC 8446 §7.1, RFC 5869 §2.3). */
  private static byte[] expandLabel(String hmac, byte[] secret, String label, byte[] ctx, int n)
      throws GeneralSecurityException {
    byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info =
        concat(
            new byte[] {(byte) (n >> 8), (byte) n, (byte) l.length},
            l,
            new byte[] {(byte) ctx.length},
            ctx,
            new byte[] {1});
    Mac mac = Mac.getInstance(hmac);
    mac.init(new SecretKeySpec(secret, hmac));
    return Arrays.copyOf(mac.doFinal(info), n);
  }

  private static Message first(List<Message> messages, boolean fromServer, int type) {
    return messages.stream()
        .filter(m -> m.fromServer() == fromServer && m.type() == type)
        .findFirst()
        .orElse(null);
  }

  private static int u16(byte[] b, int at) {
    if (at + 2 > b.length) {
      throw new IllegalArgumentException("a message ends inside a length field");
    }
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static byte[] vector16(byte[] b, int at) {
    int n = u16(b, at);
    if (at + 2 + n > b.length) {
      throw new IllegalArgumentException("a message is shorter than its length field says");
    }
    return Arrays.copyOfRange(b, at + 2, at + 2 + n);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
