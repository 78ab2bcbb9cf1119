package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tlslab.net.RawTls.Record;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.internal.JsseSecrets;

/**
 * A TLS 1.3 KeyUpdate with an undefined {@code request_update} (RFC 8446 §4.6.3: only 0 and 1
 * exist; "any other value" MUST get an {@code illegal_parameter} alert), sent in the same segment
 * as the client's Finished, so that the server's ticket and welcome line are queued when it fails.
 * The alert must follow them, within a second, and the connection must end with a FIN, not a reset.
 *
 * <p>The client is a real JSSE engine driven here to the end of its handshake; its traffic secrets
 * come from the key logger's reader ({@link JsseSecrets}), and the KeyUpdate record is built and
 * encrypted here, field by field: {@code HKDF-Expand-Label} (RFC 8446 §7.3, BouncyCastle's HKDF),
 * {@code TLSInnerPlaintext} and the per-record nonce (§5.2, §5.3), AES-128-GCM. The server's answer
 * is decrypted the same way with the server's secret.
 */
class BadKeyUpdateAlertTest {
  @TempDir static Path certs;
  static ChatServer server;
  static final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    Fixtures.certs(certs);
    server = Fixtures.server(certs, TlsProfile.TLS13, ClientAuth.NONE, log);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "request_update = {0}")
  @ValueSource(ints = {2, 255})
  void undefinedRequestUpdateGetsIllegalParameterAfterQueuedRecords(int requestUpdate)
      throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()));
      s.setSoTimeout(5000);
      s.setTcpNoDelay(true);
      SSLEngine client =
          TlsContexts.clientEngine(
              Fixtures.clientContext(certs), TlsProfile.TLS13, "localhost", server.port(), false);
      // One suite, so that the key schedule below is SHA-256 with 16-byte AES keys.
      client.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"});
      Handshake hs = new Handshake(client, s.getInputStream(), s.getOutputStream());
      byte[] lastFlight = hs.runUntilLastFlight();

      SecretKey clientSecret = secret(client, "TlsClientAppTrafficSecret");
      SecretKey serverSecret = secret(client, "TlsServerAppTrafficSecret");
      // KeyUpdate (type 24, RFC 8446 §4.6.3): one byte, request_update; then the content type.
      byte[] keyUpdate = {24, 0, 0, 1, (byte) requestUpdate};
      byte[] forged = encrypt(clientSecret, 0, keyUpdate, RawTls.HANDSHAKE);

      OutputStream out = s.getOutputStream();
      long sent = System.nanoTime();
      out.write(new RawTls.Bytes().raw(lastFlight).raw(forged).bytes()); // one segment
      out.flush();

      InputStream rest =
          new SequenceInputStream(new ByteArrayInputStream(hs.leftover()), s.getInputStream());
      List<Plain> plain = new ArrayList<>();
      List<Record> got =
          RawTls.readRecords(
              rest,
              r -> {
                if (r.type() != RawTls.APPLICATION_DATA) {
                  return r.isAlert(); // a plaintext alert would mean the keys were not in use
                }
                Plain p = decrypt(serverSecret, plain.size(), r);
                plain.add(p);
                return p.type == RawTls.ALERT;
              });
      String seen = describe(plain) + " raw " + RawTls.describe(got);
      assertThat(plain).as(seen).isNotEmpty();
      Plain alert = plain.get(plain.size() - 1);
      assertThat(alert.type).as("last record's content type: %s", seen).isEqualTo(RawTls.ALERT);
      assertThat(alert.body)
          .as("fatal illegal_parameter (RFC 8446 §4.6.3): %s", seen)
          .containsExactly(2, RawTls.ILLEGAL_PARAMETER);
      assertThat(plain.subList(0, plain.size() - 1))
          .as("the queued welcome line went out before the alert: %s", seen)
          .anyMatch(p -> p.type == RawTls.APPLICATION_DATA && p.text().startsWith("* welcome "));
      assertThat(TimeUnit.NANOSECONDS.toMillis(alert.nanos - sent))
          .as("ms from the KeyUpdate to the alert")
          .isLessThan(1000);
      assertThat(RawTls.endsWithoutReset(rest)).as("closed with FIN, not RST").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent))
          .as("ms until the server closed")
          .isLessThan(1000);
      Fixtures.awaitLog(log, l -> l.contains("KeyUpdate"));
    }
  }

  /** A decrypted record: inner content type, content, when its first byte arrived. */
  private record Plain(int type, byte[] body, long nanos) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static String describe(List<Plain> plain) {
    StringBuilder sb = new StringBuilder("decrypted [");
    for (Plain p : plain) {
      sb.append(' ').append(p.type).append(':');
      sb.append(p.type == RawTls.APPLICATION_DATA ? p.text().strip() : Arrays.toString(p.body));
    }
    return sb.append(" ]").toString();
  }

  private static SecretKey secret(SSLEngine engine, String name) {
    assertThat(JsseSecrets.problem()).as("JSSE internals readable").isNull();
    for (SecretKey k : JsseSecrets.read(engine).secrets()) {
      if (k.getAlgorithm().equals(name)) {
        return k;
      }
    }
    throw new AssertionError("no " + name + " in the client engine after its Finished");
  }

  /** HKDF-Expand-Label(secret, label, "", length) with SHA-256 (RFC 8446 §7.1). */
  private static byte[] expandLabel(SecretKey secret, String label, int length) {
    byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info =
        new RawTls.Bytes().u16(length).vec8(full).vec8(new byte[0]).bytes(); // struct HkdfLabel
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(HKDFParameters.skipExtractParameters(secret.getEncoded(), info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  private static Cipher gcm(int mode, SecretKey secret, long seq, byte[] header) throws Exception {
    byte[] key = expandLabel(secret, "key", 16);
    byte[] nonce = expandLabel(secret, "iv", 12);
    for (int i = 0; i < 8; i++) { // the IV XOR the 64-bit record sequence number (§5.3)
      nonce[11 - i] ^= (byte) (seq >>> (8 * i));
    }
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(header);
    return c;
  }

  /** TLSCiphertext of {@code content} of type {@code type} (RFC 8446 §5.2). */
  private static byte[] encrypt(SecretKey secret, long seq, byte[] content, int type)
      throws Exception {
    byte[] inner = Arrays.copyOf(content, content.length + 1);
    inner[content.length] = (byte) type;
    byte[] header = {RawTls.APPLICATION_DATA, 3, 3, 0, (byte) (inner.length + 16)};
    byte[] sealed = gcm(Cipher.ENCRYPT_MODE, secret, seq, header).doFinal(inner);
    return new RawTls.Bytes().raw(header).raw(sealed).bytes();
  }

  private static Plain decrypt(SecretKey secret, long seq, Record r) {
    try {
      int n = r.body().length;
      byte[] header = {RawTls.APPLICATION_DATA, 3, 3, (byte) (n >>> 8), (byte) n};
      byte[] inner = gcm(Cipher.DECRYPT_MODE, secret, seq, header).doFinal(r.body());
      int end = inner.length - 1;
      while (end >= 0 && inner[end] == 0) { // strip the padding zeros (§5.4)
        end--;
      }
      return new Plain(inner[end] & 0xff, Arrays.copyOf(inner, end), r.nanos());
    } catch (Exception e) {
      throw new AssertionError("server record " + seq + " does not decrypt: " + e, e);
    }
  }

  /**
   * Drives a client engine over a blocking socket up to its last flight (TLS 1.3: Change Cipher
   * Spec and Finished), which it returns unsent. Tests only: the lab's one driver is {@link
   * TlsDriver}; here the test must hold the flight back to add its own record.
   */
  private static final class Handshake {
    private final SSLEngine engine;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuffer netIn = ByteBuffer.allocate(1 << 17).flip();
    private final ByteBuffer app = ByteBuffer.allocate(1 << 17);
    private final ByteArrayOutputStream flight = new ByteArrayOutputStream();

    Handshake(SSLEngine engine, InputStream in, OutputStream out) {
      this.engine = engine;
      this.in = in;
      this.out = out;
    }

    byte[] runUntilLastFlight() throws IOException {
      engine.beginHandshake();
      for (int steps = 0; steps < 1000; steps++) {
        HandshakeStatus hs = engine.getHandshakeStatus();
        switch (hs) {
          case NEED_TASK:
            Runnable t;
            while ((t = engine.getDelegatedTask()) != null) {
              t.run();
            }
            break;
          case NEED_WRAP:
            ByteBuffer o = ByteBuffer.allocate(2 * engine.getSession().getPacketBufferSize());
            SSLEngineResult w = engine.wrap(ByteBuffer.allocate(0), o);
            flight.write(o.array(), 0, o.position());
            if (w.getHandshakeStatus() == HandshakeStatus.FINISHED) {
              return flight.toByteArray();
            }
            break;
          case NEED_UNWRAP:
          case NEED_UNWRAP_AGAIN:
            if (flight.size() > 0) {
              out.write(flight.toByteArray());
              out.flush();
              flight.reset();
            }
            SSLEngineResult u = engine.unwrap(netIn, app);
            app.clear();
            if (u.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
              readMore();
            }
            break;
          default:
            throw new AssertionError("handshake ended without a last client flight: " + hs);
        }
      }
      throw new AssertionError("handshake did not finish in 1000 steps");
    }

    private void readMore() throws IOException {
      netIn.compact();
      int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
      if (n < 0) {
        throw new AssertionError("server closed during the handshake");
      }
      netIn.position(netIn.position() + n).flip();
    }

    /** Bytes read from the socket that the engine has not consumed (none expected). */
    byte[] leftover() {
      byte[] b = new byte[netIn.remaining()];
      netIn.duplicate().get(b);
      return b;
    }
  }
}
