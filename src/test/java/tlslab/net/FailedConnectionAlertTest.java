package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.net.RawTls.ClientHello;
import tlslab.net.RawTls.Record;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * Every failed connection ends at once with the alert the RFC asks for, and with a FIN, not a
 * reset: malformed bytes built here go to a real server over loopback. The servers' handshake
 * timeout is 5 s, so an alert within a second is the driver's doing, not the timeout's.
 */
class FailedConnectionAlertTest {
  @TempDir static Path certs;
  static ChatServer modern;
  static ChatServer tls13;
  static ChatServer report;
  static final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    Fixtures.certs(certs);
    modern = Fixtures.server(certs, TlsProfile.MODERN, ClientAuth.NONE, log);
    tls13 = Fixtures.server(certs, TlsProfile.TLS13, ClientAuth.NONE, log);
    report = Fixtures.server(certs, TlsProfile.REPORT, ClientAuth.NONE, log);
  }

  @AfterAll
  static void stop() {
    modern.close();
    tls13.close();
    report.close();
  }

  private static Socket connect(ChatServer server) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", server.port()));
    s.setSoTimeout(5000);
    s.setTcpNoDelay(true);
    return s;
  }

  /**
   * Sends {@code bytes}, then expects a fatal alert {@code description} within a second, and the
   * connection's end without a reset.
   */
  private static void expectAlert(Socket s, byte[] bytes, int description) throws IOException {
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    long sent = System.nanoTime();
    out.write(bytes);
    out.flush();
    List<Record> got = RawTls.readRecords(in, r -> r.isAlert());
    Record last = got.get(got.size() - 1);
    assertThat(last).as("records from the server: %s", RawTls.describe(got)).isNotNull();
    assertThat(last.isAlert()).as(RawTls.describe(got)).isTrue();
    assertThat(last.level()).as("alert level (2 = fatal): %s", RawTls.describe(got)).isEqualTo(2);
    assertThat(last.description()).as("alert description").isEqualTo(description);
    assertThat(TimeUnit.NANOSECONDS.toMillis(last.nanos() - sent))
        .as("ms from the bad bytes to the alert")
        .isLessThan(1000);
    assertThat(RawTls.endsWithoutReset(in)).as("closed with FIN, not RST").isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent))
        .as("ms until the server closed")
        .isLessThan(1000);
  }

  /**
   * A client that rejects the server (here: a fatal unknown_ca after the server's flight, as
   * openssl sends for an untrusted CA) gets no alert back, only the connection's end: on receipt of
   * a fatal alert both sides close at once (RFC 5246 §7.2.2). The driver's own plaintext alert, for
   * JDK 17 failures JSSE leaves without one, once answered it with handshake_failure, and the
   * capture then showed the server failing too. The log says what came, and sent nothing.
   */
  @ParameterizedTest
  @EnumSource(names = {"MODERN", "REPORT"})
  void aClientsFatalAlertGetsNoAlertBack(TlsProfile profile) throws IOException {
    ChatServer server = profile == TlsProfile.MODERN ? modern : report;
    ClientHello h = profile == TlsProfile.MODERN ? ClientHello.tls12() : new ClientHello();
    if (profile == TlsProfile.REPORT) {
      h.suites = new int[] {0x002f};
      h.extensions.add(RawTls.extension(0xff01, new byte[] {0}));
      h.extensions.add(ClientHello.signatureAlgorithms(0x0804, 0x0401));
    }
    try (Socket s = connect(server)) {
      int port = s.getLocalPort();
      awaitServerHelloDone(s, h.record());
      s.getOutputStream().write(RawTls.record(RawTls.ALERT, new byte[] {2, 48})); // unknown_ca
      s.getOutputStream().flush();
      List<Record> after = RawTls.readRecords(s.getInputStream(), r -> false);
      assertThat(after).as(RawTls.describe(after)).containsExactly((Record) null);
      String line =
          Fixtures.awaitLog(
              log, l -> l.startsWith("127.0.0.1:" + port + " dropped before joining"));
      assertThat(line).endsWith("Received fatal alert: unknown_ca");
    }
  }

  /** The log names the alert the server sent beside JSSE's reason. */
  @Test
  void theLogNamesTheAlertTheServerSent() throws IOException {
    ClientHello h = ClientHello.tls12();
    h.compressionLength = 14;
    try (Socket s = connect(modern)) {
      int port = s.getLocalPort();
      expectAlert(s, h.record(), RawTls.DECODE_ERROR);
      assertThat(
              Fixtures.awaitLog(
                  log, l -> l.startsWith("127.0.0.1:" + port + " dropped before joining")))
          .endsWith("(sent alert: fatal decode_error)");
    }
  }

  @Test
  void compressionMethodsLengthTooLongGetsDecodeError() throws IOException {
    ClientHello h = ClientHello.tls12();
    h.compressionLength = 14; // swallows the extensions' length and more
    try (Socket s = connect(modern)) {
      expectAlert(s, h.record(), RawTls.DECODE_ERROR);
    }
  }

  @Test
  void signatureAlgorithmsInnerLengthWrongGetsDecodeError() throws IOException {
    ClientHello h = ClientHello.tls12();
    byte[] body = ClientHello.signatureAlgorithmsBody(0x0804, 0x0401);
    body[1] = 87; // the list claims 87 bytes inside a 6-byte extension
    h.extensions.set(2, RawTls.extension(0x000d, body));
    try (Socket s = connect(modern)) {
      expectAlert(s, h.record(), RawTls.DECODE_ERROR);
    }
  }

  @Test
  void tls13SignatureAlgorithmsInnerLengthWrongGetsDecodeError() throws IOException {
    byte[] share = new byte[32];
    share[0] = 9; // the x25519 base point: a valid public key
    ClientHello h = ClientHello.tls13(share);
    byte[] body = ClientHello.signatureAlgorithmsBody(0x0804, 0x0401);
    body[1] = 3; // odd length: not a list of 2-byte schemes
    h.extensions.set(1, RawTls.extension(0x000d, body));
    try (Socket s = connect(tls13)) {
      expectAlert(s, h.record(), RawTls.DECODE_ERROR);
    }
  }

  @Test
  void allZeroX25519KeyShareInTls13GetsIllegalParameter() throws IOException {
    // RFC 8446 §7.4.2 / RFC 7748 §6.1: an all-zero shared secret must abort the handshake.
    ClientHello h = ClientHello.tls13(new byte[32]);
    try (Socket s = connect(tls13)) {
      expectAlert(s, h.record(), RawTls.ILLEGAL_PARAMETER);
    }
  }

  @Test
  void allZeroX25519ClientKeyExchangeInTls12GetsIllegalParameter() throws IOException {
    ClientHello h = ClientHello.tls12();
    h.extensions.set(
        0, RawTls.extension(0x000a, new RawTls.Bytes().vec16(new byte[] {0, 0x1d}).bytes()));
    try (Socket s = connect(modern)) {
      awaitServerHelloDone(s, h.record());
      byte[] cke = RawTls.handshake(16, new RawTls.Bytes().vec8(new byte[32]).bytes());
      expectAlert(s, clientFlight(cke), RawTls.ILLEGAL_PARAMETER);
    }
  }

  @Test
  void truncatedRsaClientKeyExchangeGetsDecodeError() throws IOException {
    ClientHello h = new ClientHello();
    h.suites = new int[] {0x002f}; // TLS_RSA_WITH_AES_128_CBC_SHA, the report's suite
    h.extensions.add(RawTls.extension(0xff01, new byte[] {0}));
    h.extensions.add(ClientHello.signatureAlgorithms(0x0804, 0x0401));
    try (Socket s = connect(report)) {
      awaitServerHelloDone(s, h.record());
      // EncryptedPreMasterSecret says 256 bytes (RSA-2048), the message carries 255.
      byte[] body = new RawTls.Bytes().u16(256).raw(new byte[255]).bytes();
      expectAlert(s, clientFlight(RawTls.handshake(16, body)), RawTls.DECODE_ERROR);
    }
  }

  /**
   * tlsfuzzer's "padded Client Key Exchange": a well-formed RSA-encrypted premaster, then one byte
   * more inside the message, and nothing after it (no Change Cipher Spec, no Finished). JSSE reads
   * the vector and ignores the byte, then waits for the next flight; the driver's check answers
   * with decode_error at once (RFC 5246 §7.2.2).
   */
  @Test
  void paddedRsaClientKeyExchangeGetsDecodeError() throws Exception {
    ClientHello h = new ClientHello();
    h.suites = new int[] {0x002f}; // TLS_RSA_WITH_AES_128_CBC_SHA, the report's suite
    h.extensions.add(RawTls.extension(0xff01, new byte[] {0}));
    h.extensions.add(ClientHello.signatureAlgorithms(0x0804, 0x0401));
    try (Socket s = connect(report)) {
      awaitServerHelloDone(s, h.record());
      byte[] premaster = new byte[48];
      new java.security.SecureRandom().nextBytes(premaster);
      premaster[0] = 3; // client_version TLS 1.2 (RFC 5246 §7.4.7.1)
      premaster[1] = 3;
      javax.crypto.Cipher rsa = javax.crypto.Cipher.getInstance("RSA/ECB/PKCS1Padding");
      rsa.init(javax.crypto.Cipher.ENCRYPT_MODE, serverPublicKey());
      byte[] encrypted = rsa.doFinal(premaster);
      assertThat(encrypted).hasSize(256);
      byte[] body = new RawTls.Bytes().vec16(encrypted).raw(new byte[] {0}).bytes();
      expectAlert(
          s, RawTls.record(RawTls.HANDSHAKE, RawTls.handshake(16, body)), RawTls.DECODE_ERROR);
    }
  }

  /** The same for an ECDHE share: a valid X25519 key, one byte more, nothing after it. */
  @Test
  void paddedEcdheClientKeyExchangeGetsDecodeError() throws IOException {
    ClientHello h = ClientHello.tls12();
    h.extensions.set(
        0, RawTls.extension(0x000a, new RawTls.Bytes().vec16(new byte[] {0, 0x1d}).bytes()));
    try (Socket s = connect(modern)) {
      awaitServerHelloDone(s, h.record());
      byte[] share = new byte[32];
      share[0] = 9; // the X25519 base point: a valid public key (RFC 7748 §4.1)
      byte[] body = new RawTls.Bytes().vec8(share).raw(new byte[] {0}).bytes();
      expectAlert(
          s, RawTls.record(RawTls.HANDSHAKE, RawTls.handshake(16, body)), RawTls.DECODE_ERROR);
    }
  }

  private static java.security.PublicKey serverPublicKey() throws Exception {
    try (InputStream in = java.nio.file.Files.newInputStream(certs.resolve("server.pem"))) {
      return java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in)
          .getPublicKey();
    }
  }

  /** Client Key Exchange, Change Cipher Spec and a Finished the server cannot decrypt. */
  private static byte[] clientFlight(byte[] clientKeyExchange) {
    byte[] finished = new byte[40];
    Arrays.fill(finished, (byte) 0x5a);
    return new RawTls.Bytes()
        .raw(RawTls.record(RawTls.HANDSHAKE, clientKeyExchange))
        .raw(RawTls.record(RawTls.CHANGE_CIPHER_SPEC, new byte[] {1}))
        .raw(RawTls.record(RawTls.HANDSHAKE, finished))
        .bytes();
  }

  /** Sends the hello and reads the server's flight up to Server Hello Done (type 14). */
  private static void awaitServerHelloDone(Socket s, byte[] hello) throws IOException {
    s.getOutputStream().write(hello);
    s.getOutputStream().flush();
    java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
    List<Record> got =
        RawTls.readRecords(
            s.getInputStream(),
            r -> {
              if (r.type() != RawTls.HANDSHAKE) {
                return true;
              }
              messages.writeBytes(r.body());
              return containsServerHelloDone(messages.toByteArray());
            });
    assertThat(containsServerHelloDone(messages.toByteArray()))
        .as("server flight: %s", RawTls.describe(got))
        .isTrue();
  }

  private static boolean containsServerHelloDone(byte[] m) {
    for (int i = 0; i + 4 <= m.length; ) {
      int type = m[i] & 0xff;
      int len = ((m[i + 1] & 0xff) << 16) | ((m[i + 2] & 0xff) << 8) | (m[i + 3] & 0xff);
      if (type == 14) {
        return true;
      }
      i += 4 + len;
    }
    return false;
  }

  /**
   * The server's records are already queued (its Finished flight, the welcome line) when a bad
   * record arrives in the same segment as the client's Finished: the alert still follows them. The
   * client is the lab's own driver over a channel that appends a forged record to the client's last
   * handshake flight.
   */
  @ParameterizedTest
  @EnumSource(
      value = TlsProfile.class,
      names = {"MODERN", "TLS13"})
  void alertFollowsRecordsAlreadyQueued(TlsProfile profile) throws Exception {
    ChatServer server = profile == TlsProfile.TLS13 ? tls13 : modern;
    EventLoopGroup group = new EventLoopGroup("alert-test", 1);
    try {
      EventLoop loop = group.first();
      SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
      ch.configureBlocking(false);
      // 0x17 application data, 48 bytes no key can decrypt: bad_record_mac (RFC 8446 §5.2).
      byte[] forged = RawTls.record(RawTls.APPLICATION_DATA, new byte[48]);
      ForgingChannel forging = new ForgingChannel(ch, forged, profile == TlsProfile.TLS13);
      StringBuilder plaintext = new StringBuilder();
      CompletableFuture<Throwable> closed = new CompletableFuture<>();
      long[] sentAt = new long[1];
      TlsDriver.Listener listener =
          new TlsDriver.Listener() {
            @Override
            public void onHandshakeFinished(TlsDriver d) {}

            @Override
            public void onAppData(TlsDriver d, ByteBuffer b) {
              plaintext.append(StandardCharsets.UTF_8.decode(b));
            }

            @Override
            public void onClosed(TlsDriver d, Throwable cause) {
              closed.complete(cause);
            }
          };
      TlsDriver driver =
          new TlsDriver(
              TlsContexts.clientEngine(
                  Fixtures.clientContext(certs), profile, "localhost", server.port(), false),
              forging,
              listener,
              HandshakeObserver.NONE,
              group.taskExecutor(),
              loop,
              loop.buffers());
      loop.execute(
          () -> {
            SelectionKey key = loop.register(ch, SelectionKey.OP_READ, k -> driver.pump());
            driver.attach(key);
            driver.start();
          });
      Throwable cause = closed.get(5, TimeUnit.SECONDS);
      sentAt[0] = forging.forgedAt;
      assertThat(forging.forgedAt).as("the forged record was sent").isPositive();
      if (profile == TlsProfile.MODERN) {
        // TLS 1.2: the server's Change Cipher Spec, Finished and the welcome record are wrapped
        // before the forged record is read; TLS 1.3's server Finished went out a flight earlier.
        assertThat(plaintext.toString()).as("the queued welcome line").startsWith("* welcome ");
      }
      assertThat(cause).isInstanceOf(SSLException.class);
      assertThat(cause.getMessage()).contains("bad_record_mac");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt[0])).isLessThan(1000);
    } finally {
      group.close();
    }
  }

  /** Appends a forged record to the first write that carries the client's Finished. */
  private static final class ForgingChannel implements ByteChannel {
    private final SocketChannel ch;
    private final byte[] forged;
    private final boolean tls13;
    private int writes;
    private ByteBuffer pending;
    volatile long forgedAt;

    ForgingChannel(SocketChannel ch, byte[] forged, boolean tls13) {
      this.ch = ch;
      this.forged = forged;
      this.tls13 = tls13;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (pending != null) {
        ch.write(pending);
        if (pending.hasRemaining()) {
          return 0;
        }
        pending = null;
      }
      writes++;
      // The client's second write is its last handshake flight: TLS 1.2 Client Key Exchange,
      // Change Cipher Spec, Finished; TLS 1.3 (middlebox) Change Cipher Spec and Finished.
      if (writes == 2 && forgedAt == 0) {
        int n = src.remaining();
        ByteBuffer both = ByteBuffer.allocate(n + forged.length);
        both.put(src).put(forged).flip();
        ch.write(both);
        forgedAt = System.nanoTime();
        if (both.hasRemaining()) {
          pending = both;
        }
        return n;
      }
      return ch.write(src);
    }

    @Override
    public boolean isOpen() {
      return ch.isOpen();
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  /** Client-initiated renegotiation (RFC 5746) is refused: a denial-of-service lever. */
  @Test
  void clientInitiatedRenegotiationIsRefused() throws Exception {
    try (SSLSocket s =
        (SSLSocket)
            Fixtures.clientContext(certs)
                .getSocketFactory()
                .createSocket("localhost", modern.port())) {
      s.setSoTimeout(5000);
      s.startHandshake();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[256];
      assertThat(in.read(buf)).isPositive(); // the welcome line: the handshake is complete
      long t0 = System.nanoTime();
      Throwable refused = null;
      try {
        s.startHandshake(); // a new Client Hello on the established connection
        s.getOutputStream().write("/whoami\n".getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        while (in.read(buf) >= 0) {
          // until the alert
        }
      } catch (IOException e) {
        refused = e;
      }
      assertThat(refused).as("renegotiation refused with an alert").isNotNull();
      assertThat(refused.getMessage()).contains("handshake_failure");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
    }
  }
}
