package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * The SSLEngine driver over in-memory channels: no sockets, no threads (the OpenJDK
 * SSLEngineTemplate way). Delegated tasks and loop resumes go to a queue that the test runs.
 */
class TlsDriverTest {
  @TempDir static Path dir;
  static SSLContext serverCtx;
  static SSLContext clientCtx;

  private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
  private int pumpNo;

  @BeforeAll
  static void certs() {
    Fixtures.certs(dir);
    serverCtx = Fixtures.serverContext(dir);
    clientCtx = Fixtures.clientContext(dir);
  }

  /** One side of a connection: what its driver reported. */
  final class Side implements TlsDriver.Listener, HandshakeObserver {
    TlsDriver driver;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    int finishedCalls;
    int observerFinished;
    int steps;
    int finishedAtPump = -1;
    int firstDataAtPump = -1;
    boolean closed;
    Throwable cause;
    final List<byte[]> recordsOut = new ArrayList<>();
    final List<byte[]> recordsIn = new ArrayList<>();
    final List<byte[]> recordsInAfterFinish = new ArrayList<>();
    final List<byte[]> recordsOutAfterFinish = new ArrayList<>();
    byte[] sendOnFinish;

    @Override
    public void onHandshakeFinished(TlsDriver d) {
      finishedCalls++;
      finishedAtPump = pumpNo;
      if (sendOnFinish != null) {
        d.send(ByteBuffer.wrap(sendOnFinish));
      }
    }

    @Override
    public void onAppData(TlsDriver d, ByteBuffer plaintext) {
      if (firstDataAtPump < 0) {
        firstDataAtPump = pumpNo;
      }
      byte[] b = new byte[plaintext.remaining()];
      plaintext.get(b);
      received.writeBytes(b);
    }

    @Override
    public void onClosed(TlsDriver d, Throwable c) {
      closed = true;
      cause = c;
    }

    @Override
    public void onRecords(SSLEngine engine, boolean outbound, ByteBuffer records) {
      byte[] b = new byte[records.remaining()];
      records.get(b);
      (outbound ? recordsOut : recordsIn).add(b);
      if (observerFinished > 0) {
        (outbound ? recordsOutAfterFinish : recordsInAfterFinish).add(b);
      }
    }

    @Override
    public void onHandshakeStep(SSLEngine engine) {
      steps++;
    }

    @Override
    public void onHandshakeFinished(SSLEngine engine) {
      observerFinished++;
    }

    String text() {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  private Side[] connect(TlsProfile profile, MemoryPipe pipe, BufferPool pool) {
    Side client = new Side();
    Side server = new Side();
    SSLEngine ce = TlsContexts.clientEngine(clientCtx, profile, "localhost", 8443, false);
    SSLEngine se = TlsContexts.serverEngine(serverCtx, profile, ClientAuth.NONE);
    client.driver = new TlsDriver(ce, pipe.a, client, client, loop::add, loop::add, pool);
    server.driver = new TlsDriver(se, pipe.b, server, server, loop::add, loop::add, pool);
    return new Side[] {client, server};
  }

  /** Pumps both sides and runs queued tasks until the condition holds (or fails after a bound). */
  private void runUntil(Side[] s, BooleanSupplier done) {
    for (int i = 0; i < 200_000 && !done.getAsBoolean(); i++) {
      pumpNo++;
      s[0].driver.pump();
      pumpNo++;
      s[1].driver.pump();
      while (!loop.isEmpty()) {
        loop.poll().run();
      }
    }
    assertThat(done.getAsBoolean()).as("condition reached").isTrue();
  }

  private static BooleanSupplier handshaken(Side[] s) {
    return () -> s[0].driver.handshakeDone() && s[1].driver.handshakeDone();
  }

  @ParameterizedTest(name = "{0}, chunks of {1} bytes")
  @CsvSource({"MODERN, 1", "MODERN, 7", "TLS13, 1", "TLS13, 5", "MODERN, 65536"})
  void handshakesAndCarriesDataThroughRecordsCutIntoPieces(TlsProfile profile, int chunk) {
    Side[] s = connect(profile, new MemoryPipe(chunk, 1 << 20), BufferPool.forTls());
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, handshaken(s));

    byte[] big = new byte[40_000]; // three records' worth
    Arrays.fill(big, (byte) 'x');
    s[0].driver.send(ByteBuffer.wrap("hello server\n".getBytes(StandardCharsets.UTF_8)));
    s[0].driver.send(ByteBuffer.wrap(big));
    s[1].driver.send(ByteBuffer.wrap("hello client\n".getBytes(StandardCharsets.UTF_8)));
    runUntil(s, () -> s[1].received.size() == 13 + big.length && s[0].received.size() == 13);
    assertThat(s[1].text()).startsWith("hello server\nxxx");
    assertThat(s[0].text()).isEqualTo("hello client\n");

    for (Side side : s) {
      assertThat(side.finishedCalls).isEqualTo(1);
      assertThat(side.observerFinished).isEqualTo(1);
      assertThat(side.steps).isGreaterThan(1);
      assertThat(side.driver.session().getProtocol())
          .isEqualTo(profile == TlsProfile.TLS13 ? "TLSv1.3" : "TLSv1.2");
    }
    // The first record out of the client is a handshake record (22) holding a ClientHello (1).
    assertThat(s[0].recordsOut.get(0)[0]).isEqualTo((byte) 22);
    assertThat(s[0].recordsOut.get(0)[5]).isEqualTo((byte) 1);
    assertThat(s[1].recordsIn.get(0)[5]).isEqualTo((byte) 1);
  }

  @Test
  void growsBuffersOnOverflowAndReadsMoreOnUnderflow() {
    // A pool whose buffers (512 bytes) are far smaller than a record (up to ~16 KiB).
    BufferPool tiny = new BufferPool(512, 4, true);
    Side[] s = connect(TlsProfile.MODERN, new MemoryPipe(1000, 1 << 20), tiny);
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, handshaken(s));
    byte[] big = new byte[50_000];
    new java.util.Random(1).nextBytes(big);
    s[0].driver.send(ByteBuffer.wrap(big));
    runUntil(s, () -> s[1].received.size() == big.length);
    assertThat(s[1].received.toByteArray()).isEqualTo(big);
    assertThat(s[0].driver.overflows).as("wrap into a 512-byte buffer overflows").isPositive();
    assertThat(s[1].driver.overflows).as("unwrap into a 512-byte buffer overflows").isPositive();
    assertThat(s[1].driver.underflows).as("1000-byte chunks of 16 KiB records").isPositive();
  }

  @Test
  void linesStagedInOnePassGrowTheStagingBufferAndArriveInOrder() {
    Side[] s = connect(TlsProfile.MODERN, new MemoryPipe(1 << 20, 1 << 20), BufferPool.forTls());
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, handshaken(s));
    // Lines from 1 byte to 3 KiB, queued with no pump in between: the staging buffer starts at
    // 512 bytes, grows past 4 KiB and fills a whole record (16 KiB), after which lines go to the
    // queue behind it. Twice: the second batch starts after the grown buffer was let go.
    java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
    java.util.Random random = new java.util.Random(7);
    for (int batch = 0; batch < 2; batch++) {
      for (int i = 0; i < 40; i++) {
        byte[] line = new byte[1 + random.nextInt(3072)];
        random.nextBytes(line);
        s[1].driver.send(line);
        sent.writeBytes(line);
      }
      int expected = sent.size();
      runUntil(s, () -> s[0].received.size() == expected);
    }
    assertThat(s[0].received.toByteArray()).isEqualTo(sent.toByteArray());
  }

  @Test
  void tls12ApplicationDataArrivingWithTheServersFinishedIsDelivered() {
    // Whole flights per read: the server's Finished and its first line share one read.
    MemoryPipe pipe = new MemoryPipe(1 << 20, 1 << 20);
    Side[] s = connect(TlsProfile.MODERN, pipe, BufferPool.forTls());
    s[1].sendOnFinish = "* welcome\n".getBytes(StandardCharsets.UTF_8);
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, () -> s[0].received.size() == 10);
    assertThat(s[0].text()).isEqualTo("* welcome\n");
    assertThat(s[0].firstDataAtPump).as("same read as the Finished").isEqualTo(s[0].finishedAtPump);
  }

  @Test
  void tls13ApplicationDataArrivingWithTheClientsFinishedIsDelivered() {
    MemoryPipe pipe = new MemoryPipe(1 << 20, 1 << 20);
    Side[] s = connect(TlsProfile.TLS13, pipe, BufferPool.forTls());
    s[0].sendOnFinish = "/nick alice\n".getBytes(StandardCharsets.UTF_8);
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, () -> s[1].received.size() == 12);
    assertThat(s[1].text()).isEqualTo("/nick alice\n");
    assertThat(s[1].firstDataAtPump).isEqualTo(s[1].finishedAtPump);
  }

  @Test
  void tls13NewSessionTicketAfterTheHandshakeIsConsumedQuietly() {
    Side[] s = connect(TlsProfile.TLS13, new MemoryPipe(3, 1 << 20), BufferPool.forTls());
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, () -> handshaken(s).getAsBoolean() && !s[0].recordsInAfterFinish.isEmpty());
    // RFC 8446 §4.6.1: the server sends NewSessionTicket after the handshake, encrypted, so on the
    // wire it is an application_data (23) record; the client consumes it without any app data.
    assertThat(s[0].recordsInAfterFinish.get(0)[0]).isEqualTo((byte) 23);
    assertThat(s[0].received.size()).isZero();
    s[1].driver.send(ByteBuffer.wrap("after ticket\n".getBytes(StandardCharsets.UTF_8)));
    runUntil(s, () -> s[0].received.size() == 13);
    assertThat(s[0].text()).isEqualTo("after ticket\n");
    assertThat(s[0].finishedCalls).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({"MODERN", "TLS13"})
  void closeNotifyIsSentAndAnswered(TlsProfile profile) {
    Side[] s = connect(profile, new MemoryPipe(11, 1 << 20), BufferPool.forTls());
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, handshaken(s));
    s[0].driver.send(ByteBuffer.wrap("last words\n".getBytes(StandardCharsets.UTF_8)));
    s[0].driver.close(true);
    runUntil(s, () -> s[0].closed && s[1].closed);
    assertThat(s[1].text()).isEqualTo("last words\n");
    assertThat(s[0].cause).as("client: orderly close").isNull();
    assertThat(s[1].cause).as("server: orderly close").isNull();
  }

  @Test
  void endOfStreamWithoutCloseNotifyIsReportedAsTruncation() {
    MemoryPipe pipe = new MemoryPipe(64, 1 << 20);
    Side[] s = connect(TlsProfile.MODERN, pipe, BufferPool.forTls());
    s[0].driver.start();
    s[1].driver.start();
    runUntil(s, handshaken(s));
    pipe.a.shutdownOutput();
    runUntil(s, () -> s[1].closed);
    assertThat(s[1].cause).isInstanceOf(EOFException.class).hasMessageContaining("close_notify");
  }
}
