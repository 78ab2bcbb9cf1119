package tlslab.trace.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.net.ssl.SSLSession;
import tlslab.common.LabException;

/**
 * Gathers, for one connection, what an NSS key log line needs: the client random and the secrets.
 * It looks at the connection at every step the driver reports (and at every handshake message JSSE
 * logs) because TLS 1.3 handshake secrets exist only while the handshake runs; when the handshake
 * finishes it produces the lines, or says exactly what it could not obtain.
 */
public final class KeyCollector {
  /** JSSE's secret names (SecretKey algorithms) → NSS key log labels, RFC 8446 §7.1 order. */
  private static final Map<String, String> TLS13_LABELS = new LinkedHashMap<>();

  static {
    TLS13_LABELS.put("TlsClientHandshakeTrafficSecret", "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    TLS13_LABELS.put("TlsServerHandshakeTrafficSecret", "SERVER_HANDSHAKE_TRAFFIC_SECRET");
    TLS13_LABELS.put("TlsClientAppTrafficSecret", "CLIENT_TRAFFIC_SECRET_0");
    TLS13_LABELS.put("TlsServerAppTrafficSecret", "SERVER_TRAFFIC_SECRET_0");
  }

  private byte[] jsseRandom;
  private byte[] wireRandom;

  /** The first secret seen under each JSSE name: a later KeyUpdate must not replace _0. */
  private final Map<String, byte[]> secrets = new LinkedHashMap<>();

  public KeyCollector() {}

  /** Looks at the connection now. */
  public synchronized void snapshot(Object engineOrSocket) {
    JsseSecrets.Snapshot s = JsseSecrets.read(engineOrSocket);
    if (jsseRandom == null && s.clientRandom() != null) {
      jsseRandom = s.clientRandom();
    }
    for (SecretKey k : s.secrets()) {
      if (TLS13_LABELS.containsKey(k.getAlgorithm()) && !secrets.containsKey(k.getAlgorithm())) {
        byte[] encoded = k.getEncoded();
        if (encoded != null) {
          secrets.put(k.getAlgorithm(), encoded);
        }
      }
    }
  }

  /** The client random as read from the Client Hello bytes on the wire; preferred when known. */
  public synchronized void wireClientRandom(byte[] random) {
    wireRandom = random.clone();
  }

  /**
   * The key log lines for the finished handshake.
   *
   * @throws LabException {@code ENVIRONMENT} when a secret could not be read on this JDK
   */
  public synchronized List<String> finish(SSLSession session) {
    byte[] random = wireRandom != null ? wireRandom : jsseRandom;
    if (random == null) {
      throw missing("the client random");
    }
    if (wireRandom != null && jsseRandom != null && !Arrays.equals(wireRandom, jsseRandom)) {
      throw LabException.environment(
          "key log: the client random in JSSE's handshake state differs from the Client Hello on"
              + " the wire; this JDK's internals are not what the key logger expects");
    }
    HexFormat hex = HexFormat.of();
    String protocol = session.getProtocol();
    List<String> lines = new ArrayList<>();
    if ("TLSv1.2".equals(protocol)) {
      byte[] master = JsseSecrets.masterSecret(session);
      if (master == null || master.length != 48) {
        throw missing("the TLS 1.2 master secret");
      }
      // RFC 5246 §8.1: the 48-byte master secret; NSS format "CLIENT_RANDOM <random> <master>".
      lines.add("CLIENT_RANDOM " + hex.formatHex(random) + " " + hex.formatHex(master));
    } else if ("TLSv1.3".equals(protocol)) {
      int length = -1;
      for (Map.Entry<String, String> e : TLS13_LABELS.entrySet()) {
        byte[] secret = secrets.get(e.getKey());
        if (secret == null) {
          throw missing(e.getValue());
        }
        // RFC 8446 §7.1: every traffic secret is Hash.length bytes (32 for SHA-256, 48 for
        // SHA-384).
        if ((secret.length != 32 && secret.length != 48)
            || (length >= 0 && secret.length != length)) {
          throw LabException.environment(
              "key log: " + e.getValue() + " has " + secret.length + " bytes; expected 32 or 48");
        }
        length = secret.length;
        lines.add(e.getValue() + " " + hex.formatHex(random) + " " + hex.formatHex(secret));
      }
    } else {
      throw LabException.environment("key log: protocol " + protocol + " is not supported");
    }
    return lines;
  }

  private static LabException missing(String what) {
    String why = JsseSecrets.problem();
    return LabException.environment(
        "key log: could not obtain "
            + what
            + " from JSSE on Java "
            + System.getProperty("java.version")
            + (why != null ? " (" + why + ")" : " (its internals may have changed)")
            + "; no key log line was written for this connection");
  }
}
