package tlslab.trace.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import javax.net.ssl.SSLSession;

/**
 * Reads secrets out of JSSE's internals ({@code sun.security.ssl}) for the NSS key log. JSSE has no
 * key-log feature, so this depends on fields found with {@code javap} on JDK 17 and JDK 25 (the
 * same names on both):
 *
 * <ul>
 *   <li>{@code SSLEngineImpl.conContext} / {@code SSLSocketImpl.conContext}: the {@code
 *       TransportContext};
 *   <li>{@code TransportContext.handshakeContext} (only while handshaking): {@code
 *       clientHelloRandom.randomBytes}, {@code baseReadSecret}, {@code baseWriteSecret} — the TLS
 *       1.3 handshake traffic secrets, later the application ones;
 *   <li>{@code TransportContext.inputRecord.readCipher.baseSecret} and {@code
 *       outputRecord.writeCipher.baseSecret}: the TLS 1.3 application traffic secrets once
 *       installed;
 *   <li>{@code SSLSessionImpl.getMasterSecret()}: the TLS 1.2 master secret.
 * </ul>
 *
 * TLS 1.3 secrets are {@code SecretKeySpec}s whose algorithm names say what they are ({@code
 * TlsClientHandshakeTrafficSecret}, {@code TlsServerAppTrafficSecret}, …), so they are sorted by
 * name, not by when they were seen. Needs {@code --add-opens
 * java.base/sun.security.ssl=ALL-UNNAMED}.
 */
public final class JsseSecrets {
  /** What one look at a connection found. */
  public record Snapshot(byte[] clientRandom, List<SecretKey> secrets) {}

  private static final String PKG = "sun.security.ssl.";
  private static final Handles HANDLES;
  private static final String PROBLEM;

  static {
    Handles h = null;
    String problem = null;
    try {
      h = new Handles();
    } catch (ReflectiveOperationException e) {
      problem =
          "this JDK's JSSE internals differ from what the key logger knows ("
              + e
              + "); "
              + "key logging supports JDK 17 and JDK 25";
    } catch (RuntimeException e) { // InaccessibleObjectException is a RuntimeException
      problem =
          "JSSE internals are closed to the lab ("
              + e.getClass().getSimpleName()
              + "): run"
              + " java with --add-opens java.base/sun.security.ssl=ALL-UNNAMED (the lab launcher"
              + " does)";
    }
    HANDLES = h;
    PROBLEM = problem;
  }

  private static final class Handles {
    final Field handshakeContext;
    final Field inputRecord;
    final Field outputRecord;
    final Field readCipher;
    final Field writeCipher;
    final Field readBase;
    final Field writeBase;
    final Field hcRead;
    final Field hcWrite;
    final Field hcClientRandom;
    final Field randomBytes;
    final Method masterSecret;

    Handles() throws ReflectiveOperationException {
      handshakeContext = field("TransportContext", "handshakeContext");
      inputRecord = field("TransportContext", "inputRecord");
      outputRecord = field("TransportContext", "outputRecord");
      readCipher = field("InputRecord", "readCipher");
      writeCipher = field("OutputRecord", "writeCipher");
      readBase = field("SSLCipher$SSLReadCipher", "baseSecret");
      writeBase = field("SSLCipher$SSLWriteCipher", "baseSecret");
      hcRead = field("HandshakeContext", "baseReadSecret");
      hcWrite = field("HandshakeContext", "baseWriteSecret");
      hcClientRandom = field("HandshakeContext", "clientHelloRandom");
      randomBytes = field("RandomCookie", "randomBytes");
      masterSecret = Class.forName(PKG + "SSLSessionImpl").getDeclaredMethod("getMasterSecret");
      masterSecret.setAccessible(true);
      // The engine and socket classes hold the TransportContext in "conContext".
      field("SSLEngineImpl", "conContext");
      field("SSLSocketImpl", "conContext");
    }

    private static Field field(String cls, String name) throws ReflectiveOperationException {
      Field f = Class.forName(PKG + cls).getDeclaredField(name);
      f.setAccessible(true);
      return f;
    }
  }

  private JsseSecrets() {}

  /** {@code null} when this JDK's internals can be read, else why not (one line). */
  public static String problem() {
    return PROBLEM;
  }

  /** Reads what the connection holds right now; empty when unreadable. */
  public static Snapshot read(Object engineOrSocket) {
    if (HANDLES == null) {
      return new Snapshot(null, List.of());
    }
    try {
      Object transport = conContext(engineOrSocket);
      if (transport == null) {
        return new Snapshot(null, List.of());
      }
      List<SecretKey> keys = new ArrayList<>(4);
      byte[] random = null;
      Object hc = HANDLES.handshakeContext.get(transport);
      if (hc != null) {
        add(keys, HANDLES.hcRead.get(hc));
        add(keys, HANDLES.hcWrite.get(hc));
        Object cookie = HANDLES.hcClientRandom.get(hc);
        if (cookie != null) {
          random = ((byte[]) HANDLES.randomBytes.get(cookie)).clone();
        }
      }
      Object rc = HANDLES.readCipher.get(HANDLES.inputRecord.get(transport));
      if (rc != null) {
        add(keys, HANDLES.readBase.get(rc));
      }
      Object wc = HANDLES.writeCipher.get(HANDLES.outputRecord.get(transport));
      if (wc != null) {
        add(keys, HANDLES.writeBase.get(wc));
      }
      return new Snapshot(random, keys);
    } catch (ReflectiveOperationException e) {
      return new Snapshot(null, List.of());
    }
  }

  /** The TLS 1.2 master secret of a JSSE session, or {@code null}. */
  public static byte[] masterSecret(SSLSession session) {
    if (HANDLES == null || !HANDLES.masterSecret.getDeclaringClass().isInstance(session)) {
      return null;
    }
    try {
      SecretKey k = (SecretKey) HANDLES.masterSecret.invoke(session);
      return k == null ? null : k.getEncoded();
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** The {@code conContext} field of each JSSE engine/socket class (or null when it has none). */
  private static final ClassValue<Field> CON_CONTEXT =
      new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
          for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().startsWith(PKG)) {
              try {
                Field f = c.getDeclaredField("conContext");
                f.setAccessible(true);
                return f;
              } catch (NoSuchFieldException e) {
                // keep looking in the superclass
              }
            }
          }
          return null;
        }
      };

  private static Object conContext(Object engineOrSocket) throws ReflectiveOperationException {
    Field f = CON_CONTEXT.get(engineOrSocket.getClass());
    return f == null ? null : f.get(engineOrSocket);
  }

  private static void add(List<SecretKey> keys, Object k) {
    if (k instanceof SecretKey) {
      keys.add((SecretKey) k);
    }
  }
}
