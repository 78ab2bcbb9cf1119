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

  /**
   * Adds the lines of an NSS key log file. Comments ({@code #}) and blank lines are skipped; so are
   * lines that are not {@code LABEL CLIENT_RANDOM SECRET} in hex (as Wireshark skips them), and
   * those are counted in {@link #warnings()}, so that a key log damaged on the way does not pass
   * for a complete one. Bytes that are not ASCII do not stop the reading: they make their line
   * junk, nothing more.
   */
  public KeyMaterial withKeyLog(Path file) {
    List<String> lines;
    try {
      // ISO-8859-1 maps every byte to one character: a stray UTF-8 comment cannot fail the read.
      lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
    } catch (OutOfMemoryError e) {
      throw LabException.badInput(file + ": too large for a key log");
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read key log: " + e.getMessage());
    }
    Skipped skipped = new Skipped();
    int good = addLines(lines, skipped);
    if (good == 0)
      throw LabException.badInput(file + ": no NSS key log lines (LABEL random secret)");
    skipped.warn(file.toString(), warnings);
    return this;
  }

  /**
   * What reading the key material skipped and the reader should be told: one line each, e.g.
   * "k.log: 2 lines are not NSS key log lines and were skipped (lines 3, 9)". Empty when every line
   * was used.
   */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  private final List<String> warnings = new java.util.ArrayList<>();

  /** Lines that were neither key lines, comments nor blank: how many, and the first few. */
  private static final class Skipped {
    int count;
    final List<Integer> first = new java.util.ArrayList<>();

    void add(int lineNumber) {
      count++;
      if (first.size() < 5) first.add(lineNumber);
    }

    void warn(String where, List<String> to) {
      if (count == 0) return;
      StringBuilder sb = new StringBuilder(where).append(": ");
      sb.append(count)
          .append(
              count == 1 ? " line is not an NSS key log line" : " lines are not NSS key log lines");
      sb.append(" (LABEL CLIENT_RANDOM SECRET, in hex) and ");
      sb.append(count == 1 ? "was" : "were").append(" skipped (line");
      sb.append(first.size() == 1 ? " " : "s ");
      for (int i = 0; i < first.size(); i++) sb.append(i > 0 ? ", " : "").append(first.get(i));
      sb.append(count > first.size() ? ", ...)" : ")");
      to.add(sb.toString());
    }
  }

  /**
   * Adds the NSS key log carried inside a capture (a pcapng Decryption Secrets Block, as {@code
   * editcap --inject-secrets tls,FILE} writes it); Wireshark uses those keys with no key log
   * option. Returns how many key lines were read (malformed lines are skipped, as Wireshark does).
   */
  public int addKeyLogFromCapture(byte[] nssKeyLog) {
    Skipped skipped = new Skipped();
    int good =
        addLines(new String(nssKeyLog, StandardCharsets.ISO_8859_1).lines().toList(), skipped);
    keysInCapture += good;
    skipped.warn("the key log stored in the capture (Decryption Secrets Block)", warnings);
    return good;
  }

  /** Key log lines read from Decryption Secrets Blocks of the capture (0 if none). */
  public int keysInCapture() {
    return keysInCapture;
  }

  private int keysInCapture;

  private int addLines(List<String> lines, Skipped skipped) {
    int good = 0;
    int number = 0;
    for (String line : lines) {
      number++;
      String t = line.strip();
      if (number == 1 && t.startsWith("\u00ef\u00bb\u00bf")) t = t.substring(3); // UTF-8 BOM
      if (t.isEmpty() || t.startsWith("#")) continue;
      String[] p = t.split("\\s+");
      byte[] cr = p.length == 3 ? hex(p[1]) : null;
      byte[] secret = p.length == 3 ? hex(p[2]) : null;
      if (cr == null || secret == null || cr.length != 32 || !plausible(p[0], secret.length)) {
        skipped.add(number); // not hex, wrong length: skipped, as Wireshark does, and counted
        continue;
      }
      byClientRandom
          .computeIfAbsent(HexFormat.of().formatHex(cr), k -> new HashMap<>())
          .put(p[0], secret);
      good++;
    }
    return good;
  }

  private static byte[] hex(String s) {
    try {
      return HexFormat.of().parseHex(s.toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A secret of the length its label implies: a TLS 1.2 master secret is 48 bytes (RFC 5246 §8.1);
   * a TLS 1.3 traffic secret is as long as the suite's hash (32 or 48). A line with a secret of
   * another length would only derive wrong keys. Labels the lab does not know are kept as they are.
   */
  private static boolean plausible(String label, int length) {
    if (length == 0) return false;
    if (label.equals("CLIENT_RANDOM")) return length == 48;
    if (label.endsWith("_SECRET") || label.contains("_TRAFFIC_SECRET_"))
      return length == 32 || length == 48;
    return true;
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
