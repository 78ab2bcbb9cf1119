package tlslab.annotate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import tlslab.common.LabException;

/**
 * Secrets for decryption: an NSS key log (the SSLKEYLOGFILE format, one "LABEL client_random
 * secret" line each: CLIENT_RANDOM for TLS 1.2 master secrets, *_TRAFFIC_SECRET lines for TLS 1.3)
 * and/or the server's RSA private key (only useful for TLS_RSA_* suites).
 */
public final class KeyMaterial {
  private final Map<String, Map<String, byte[]>> byClientRandom = new HashMap<>();
  private RSAPrivateKey rsaKey;

  /**
   * TLS 1.2 master secrets learnt while annotating, by session id and by session ticket, so an
   * abbreviated (resumed) handshake - which has no Client Key Exchange - decrypts too.
   */
  private final Map<String, byte[]> resumption = new HashMap<>();

  void rememberSession(String kind, byte[] id, byte[] master) {
    if (id != null && id.length > 0 && resumption.size() < 100_000) {
      resumption.put(kind + HexFormat.of().formatHex(id), master);
    }
  }

  byte[] resumedSession(String kind, byte[] id) {
    return id == null || id.length == 0
        ? null
        : resumption.get(kind + HexFormat.of().formatHex(id));
  }

  public static KeyMaterial none() {
    return new KeyMaterial();
  }

  public boolean isEmpty() {
    return byClientRandom.isEmpty() && rsaKey == null;
  }

  public boolean hasKeyLog() {
    return !byClientRandom.isEmpty();
  }

  public RSAPrivateKey rsaKey() {
    return rsaKey;
  }

  /** The secret for a label ("CLIENT_RANDOM", "SERVER_TRAFFIC_SECRET_0"...) and client random. */
  public byte[] secret(String label, byte[] clientRandom) {
    Map<String, byte[]> m = byClientRandom.get(HexFormat.of().formatHex(clientRandom));
    return m == null ? null : m.get(label);
  }

  /** Adds the lines of an NSS key log file; malformed lines are skipped. */
  public KeyMaterial withKeyLog(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read key log: " + e.getMessage());
    }
    int good = addLines(lines);
    if (good == 0)
      throw LabException.badInput(file + ": no NSS key log lines (LABEL random secret)");
    return this;
  }

  /**
   * Adds the NSS key log carried inside a capture (a pcapng Decryption Secrets Block, as {@code
   * editcap --inject-secrets tls,FILE} writes it); Wireshark uses those keys with no key log
   * option. Returns how many key lines were read (malformed lines are skipped, as Wireshark does).
   */
  public int addKeyLogFromCapture(byte[] nssKeyLog) {
    int good =
        addLines(
            java.util.Arrays.asList(
                new String(nssKeyLog, StandardCharsets.US_ASCII).split("\r?\n")));
    keysInCapture += good;
    return good;
  }

  /** Key log lines read from Decryption Secrets Blocks of the capture (0 if none). */
  public int keysInCapture() {
    return keysInCapture;
  }

  private int keysInCapture;

  private int addLines(List<String> lines) {
    int good = 0;
    for (String line : lines) {
      String[] p = line.trim().split("\\s+");
      if (p.length != 3 || p[0].startsWith("#")) continue;
      try {
        byte[] cr = HexFormat.of().parseHex(p[1].toLowerCase());
        byte[] secret = HexFormat.of().parseHex(p[2].toLowerCase());
        if (cr.length != 32) continue;
        byClientRandom
            .computeIfAbsent(HexFormat.of().formatHex(cr), k -> new HashMap<>())
            .put(p[0], secret);
        good++;
      } catch (IllegalArgumentException e) {
        // not hex: skip the line, as Wireshark does
      }
    }
    return good;
  }

  /** Adds an RSA private key from PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). */
  public KeyMaterial withRsaKey(Path file) {
    try (PEMParser p = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      Object o = p.readObject();
      PrivateKey k;
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) k = conv.getPrivateKey(kp.getPrivateKeyInfo());
      else if (o instanceof PrivateKeyInfo pki) k = conv.getPrivateKey(pki);
      else throw LabException.badInput(file + ": not an unencrypted PEM private key");
      if (!(k instanceof RSAPrivateKey rsa)) {
        throw LabException.badInput(
            file + ": not an RSA key (only RSA keys decrypt TLS_RSA sessions)");
      }
      rsaKey = rsa;
      return this;
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read private key: " + e.getMessage());
    }
  }
}
