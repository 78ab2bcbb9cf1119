package tlslab.net;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import tlslab.tls.ClientKeyExchangeCheck;
import tlslab.tls.HandshakeObserver;
import tlslab.wire.AlertDescription;

/**
 * Drives one {@link SSLEngine} over one non-blocking byte channel: the only class in the lab that
 * calls {@code wrap}, {@code unwrap}, runs delegated tasks or sends {@code close_notify}.
 *
 * <p>An {@code SSLEngine} is a TLS state machine without I/O. Whoever drives it must: feed it the
 * bytes that arrive ({@code unwrap}), send what it produces ({@code wrap}), grow buffers when it
 * says {@code BUFFER_OVERFLOW} (output too small) or read more when it says {@code
 * BUFFER_UNDERFLOW} (no complete record yet, RFC 8446 §5.1: a record may arrive in many TCP
 * segments, or many records in one), run its slow steps (certificate checks, RSA/ECDHE math: {@code
 * NEED_TASK}) somewhere, and close it with an alert. This class does all of that without ever
 * blocking, so one event-loop thread can drive thousands of connections: it does as much as the
 * channel allows in {@link #pump()} and then says, through {@link #interestOps()}, whether it waits
 * to read or to write.
 *
 * <p>Delegated tasks run on a small executor off the loop; while they run the driver does nothing,
 * and when they are done it asks the loop (through the {@code resume} executor) to call {@link
 * #pump()} again.
 *
 * <p>Memory: buffers come from the loop's {@link BufferPool} and go back as soon as they are empty,
 * so an idle connection holds no buffer.
 *
 * <p>Not thread-safe: every method must run on the loop thread that owns the connection.
 */
public final class TlsDriver {
  /** What the driver tells its owner (the chat server's session, the chat client). */
  public interface Listener {
    /** The handshake completed; {@link TlsDriver#session()} now describes the connection. */
    void onHandshakeFinished(TlsDriver driver);

    /** Decrypted application bytes; the buffer is only valid during the call. */
    void onAppData(TlsDriver driver, ByteBuffer plaintext);

    /**
     * The connection is closed and the channel too. Called exactly once.
     *
     * @param cause null after an orderly close (close_notify), else what went wrong
     */
    void onClosed(TlsDriver driver, Throwable cause);
  }

  /** How many wrap/unwrap calls after the handshake still go to the observer (TLS 1.3 tickets). */
  private static final int OBSERVE_AFTER_FINISH = 4;

  private final SSLEngine engine;
  private final ByteChannel channel;
  private final Listener listener;
  private final HandshakeObserver observer;
  private final Executor taskExecutor;
  private final Executor resume;
  private final BufferPool pool;
  private final ArrayDeque<ByteBuffer> appOut = new ArrayDeque<>();
  // Small sends are copied here (read mode), so that every line queued for this connection
  // during one pass of the loop goes out in one record and one write, with no per-line buffer
  // objects. Bytes here always precede those in appOut. The buffer is the connection's own, small
  // and kept between records: a broadcast stages one line on every member at once, and borrowing
  // a 17 KiB pooled buffer for each (the pool keeps 16) allocated and zeroed about 3 MB per line
  // in a room of 200, a quarter of the server's CPU (perf, lab bench chat).
  private ByteBuffer staged;
  private final ByteBuffer[] srcs = new ByteBuffer[64];
  private int srcCount;
  // While sending only (a line from another connection), the socket is not read: the selector
  // reports readability separately. Saves a read() call that would return 0 per delivery.
  private boolean sendOnly;

  private ByteBuffer netIn; // read mode; null when empty
  private ByteBuffer netOut; // read mode; null when empty
  private volatile long queuedPlain;
  private SelectionKey key;
  private boolean handshakeDone;
  // The session's buffer sizes, fixed once the handshake is done (renegotiation is refused):
  // asking the engine takes its lock and costs about 2% of a delivery's CPU (perf).
  private int packetSize;
  private int applicationSize;
  private int observeLeft = OBSERVE_AFTER_FINISH;
  private boolean tasksRunning;
  private boolean closeRequested;
  private boolean waitForPeerClose;
  private boolean closed;
  private boolean inPump;
  // After delegated tasks: JSSE reports a failed task only on the next wrap/unwrap, so probe.
  private boolean probeAfterTasks;
  // A TLS error is being reported: flush what is queued and the alert, then close.
  private Throwable failure;
  // Our side is done and FIN is sent: reading (and discarding) until the peer's FIN, so that the
  // close never turns into a reset because of unread input.
  private boolean lingering;
  private Throwable lingerCause;
  // Whether a record we sent was protected (Change Cipher Spec, or TLS 1.3's encrypted records):
  // until then an alert may go out as a plaintext record (RFC 8446 §5.1, RFC 5246 §6.2.1).
  private boolean protectedSent;
  // A server's look at the client's plaintext flight for a Client Key Exchange JSSE would accept
  // with trailing bytes (and then wait for a flight that never comes); null on a client.
  private final ClientKeyExchangeCheck plaintextCheck;
  private String plaintextProblem;
  // How often the engine asked for bigger buffers or more bytes: tests check the paths ran.
  int overflows;
  int underflows;

  /**
   * @param engine a fresh engine in client or server mode (see {@code TlsContexts})
   * @param channel a non-blocking channel (a {@code SocketChannel}, or an in-memory one in tests)
   * @param listener receives the handshake result, plaintext and the close
   * @param observer watches the handshake ({@link HandshakeObserver#NONE} for none)
   * @param taskExecutor where delegated tasks run (off the loop)
   * @param resume the loop itself: where to continue after the tasks
   * @param pool the loop's buffer pool
   */
  public TlsDriver(
      SSLEngine engine,
      ByteChannel channel,
      Listener listener,
      HandshakeObserver observer,
      Executor taskExecutor,
      Executor resume,
      BufferPool pool) {
    this.engine = engine;
    this.channel = channel;
    this.listener = listener;
    this.observer = observer == null ? HandshakeObserver.NONE : observer;
    this.taskExecutor = taskExecutor;
    this.resume = resume;
    this.pool = pool;
    this.plaintextCheck =
        engine.getUseClientMode() ? null : new ClientKeyExchangeCheck(this::handshakeSuite);
  }

  /** The suite being negotiated, or null before the Server Hello (or from an engine without). */
  private String handshakeSuite() {
    try {
      SSLSession s = engine.getHandshakeSession();
      return s == null ? null : s.getCipherSuite();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /** Lets the driver keep the selection key's interest set up to date after each step. */
  public void attach(SelectionKey key) {
    this.key = key;
    updateInterest();
  }

  /** Starts the handshake (the client sends its ClientHello; the server waits for it). */
  public void start() {
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      fail(e);
      return;
    }
    pump();
  }

  /** Queues plaintext to send (the buffer is taken over, or its bytes copied). */
  public void send(ByteBuffer plaintext) {
    if (closed || closeRequested) {
      return;
    }
    int n = plaintext.remaining();
    queuedPlain += n;
    if (appOut.isEmpty() && n <= STAGE_BYTES && stage(n)) {
      staged.put(plaintext).flip();
      return;
    }
    appOut.addLast(plaintext);
  }

  /** Queues a copy of {@code bytes} to send; the caller may reuse the array. */
  public void send(byte[] bytes) {
    if (closed || closeRequested) {
      return;
    }
    queuedPlain += bytes.length;
    if (appOut.isEmpty() && bytes.length <= STAGE_BYTES && stage(bytes.length)) {
      staged.put(bytes).flip();
      return;
    }
    appOut.addLast(ByteBuffer.wrap(bytes.clone()));
  }

  /** At most one record's plaintext is staged (RFC 8446 §5.1: 2^14 bytes). */
  private static final int STAGE_BYTES = 16384;

  /** The staging buffer's first size: a few chat lines. */
  private static final int STAGE_FIRST = 512;

  /**
   * A staging buffer that grew beyond this is let go once empty, so idle connections stay small.
   */
  private static final int STAGE_KEEP = 4096;

  /** Makes room for n more staged bytes and leaves the buffer in write mode; false if full. */
  private boolean stage(int n) {
    if (staged == null) {
      staged = ByteBuffer.allocate(Math.min(STAGE_BYTES, Math.max(STAGE_FIRST, n)));
      staged.flip(); // empty, read mode
    }
    if (STAGE_BYTES - staged.remaining() < n) {
      return false;
    }
    staged.compact();
    if (staged.remaining() < n) {
      int size = Math.min(STAGE_BYTES, Math.max(2 * staged.capacity(), staged.position() + n));
      ByteBuffer bigger = ByteBuffer.allocate(size);
      staged.flip();
      bigger.put(staged);
      staged = bigger;
    }
    return true;
  }

  /** The staged bytes have all been wrapped: keep a small buffer for the next line. */
  private void stagedSent() {
    if (staged.capacity() > STAGE_KEEP) {
      staged = null;
    } else {
      staged.clear().flip(); // empty, read mode
    }
  }

  /**
   * Encrypts and writes what {@link #send} queued, without reading the socket (after the
   * handshake): for a loop that hands this connection lines from other connections.
   */
  public void flushQueued() {
    sendOnly = handshakeDone;
    try {
      pump();
    } finally {
      sendOnly = false;
    }
  }

  /**
   * Closes in order: what was queued is sent, then {@code close_notify} (RFC 8446 §6.1).
   *
   * @param waitForPeer also wait for the peer's {@code close_notify} before closing the socket (a
   *     client that wants to know the server got everything); otherwise close once ours is sent
   */
  public void close(boolean waitForPeer) {
    if (closed) {
      return;
    }
    closeRequested = true;
    waitForPeerClose |= waitForPeer;
    pump();
  }

  /**
   * Closes the socket at once, without an alert (a peer that stopped reading gets nothing more).
   */
  public void abort(Throwable cause) {
    finish(cause);
  }

  /** Whether the handshake has completed. */
  public boolean handshakeDone() {
    return handshakeDone;
  }

  /** Whether the connection is closed. */
  public boolean isClosed() {
    return closed;
  }

  /** The session (protocol, suite, peer certificates); complete once the handshake is done. */
  public SSLSession session() {
    return engine.getSession();
  }

  /** Plaintext queued but not yet encrypted; safe to read from any thread (a hint). */
  public long queuedBytes() {
    ByteBuffer out = netOut; // may change under us: a hint is all the caller needs
    return queuedPlain + (out == null ? 0 : out.remaining());
  }

  @Override
  public String toString() {
    return "TlsDriver[closed="
        + closed
        + " tasks="
        + tasksRunning
        + " closeReq="
        + closeRequested
        + " appOut="
        + appOut.size()
        + " netOut="
        + (netOut == null ? "-" : netOut.remaining())
        + " netIn="
        + (netIn == null ? "-" : netIn.remaining())
        + " hs="
        + engine.getHandshakeStatus()
        + " interest="
        + interestOps()
        + " key="
        + (key == null ? "-" : key.isValid() ? key.interestOps() : "invalid")
        + "]";
  }

  /** The {@link SelectionKey} interest set the driver needs now. */
  public int interestOps() {
    if (closed || tasksRunning) {
      return 0;
    }
    if (lingering) {
      return SelectionKey.OP_READ;
    }
    if (failure != null) {
      return netOut != null ? SelectionKey.OP_WRITE : 0;
    }
    int ops = 0;
    if (netOut != null) {
      ops |= SelectionKey.OP_WRITE;
    }
    if (!engine.isInboundDone()) {
      ops |= SelectionKey.OP_READ;
    }
    return ops;
  }

  /**
   * Does everything possible now: writes pending records, handshakes, encrypts queued plaintext,
   * reads and decrypts. Call it when the channel is ready, after {@link #send}, and after tasks.
   */
  public void pump() {
    if (closed || tasksRunning || inPump) {
      return;
    }
    if (lingering) {
      linger();
      return;
    }
    if (failure != null) {
      flushFailure();
      return;
    }
    inPump = true;
    ByteBuffer appIn = null;
    try {
      boolean progress = true;
      // A bounded number of rounds, so that one busy peer cannot starve the loop's others; if
      // work is left, the pump is queued on the loop again below.
      int round = 0;
      for (; progress && !closed && !tasksRunning && round < 64; round++) {
        if (heldFlight != null
            && engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
            && engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
          heldFlight.flip();
          netOut = heldFlight;
          heldFlight = null;
        }
        if (!flush()) {
          break; // socket full: wait for OP_WRITE
        }
        if (closeRequested && !hasQueued() && !engine.isOutboundDone()) {
          engine.closeOutbound();
        }
        if (engine.isOutboundDone()
            && netOut == null
            && (engine.isInboundDone() || !waitForPeerClose)) {
          closeGracefully(null);
          break;
        }
        HandshakeStatus hs = engine.getHandshakeStatus();
        if (probeAfterTasks) {
          probeAfterTasks = false;
          if (hs != HandshakeStatus.NEED_WRAP && hs != HandshakeStatus.NEED_TASK) {
            // A failed delegated task (a bad signature list, an all-zero key share, RSA
            // decryption) surfaces only on the next engine call: make one now rather than wait
            // for bytes the peer will not send, and its alert goes out at once.
            wrap();
            hs = engine.getHandshakeStatus();
          }
        }
        switch (hs) {
          case NEED_TASK:
            runTasks();
            progress = false;
            break;
          case NEED_WRAP:
            progress = wrap();
            break;
          case NEED_UNWRAP:
          case NEED_UNWRAP_AGAIN:
            if (appIn == null) {
              appIn = pool.acquire(applicationSize());
            }
            appIn = readAndUnwrap(appIn);
            progress = lastProgress;
            break;
          case FINISHED:
          case NOT_HANDSHAKING:
            boolean wrote = hasQueued() && wrap();
            if (appIn == null) {
              appIn = pool.acquire(applicationSize());
            }
            appIn = readAndUnwrap(appIn);
            progress = wrote || lastProgress;
            break;
          default:
            throw new AssertionError(hs);
        }
      }
      if (progress && round == 64 && !closed && !tasksRunning) {
        resume.execute(this::pump);
      }
    } catch (SSLException e) {
      fail(e);
    } catch (IOException e) {
      finish(e);
    } catch (RuntimeException e) {
      // JSSE itself failed (JDK 17 throws ClassCastException for a Hello Request sent to a
      // server): still a failed connection, which ends now and with an alert, not a stuck one.
      fail(new SSLException("TLS engine failed: " + e, e));
    } finally {
      pool.release(appIn);
      inPump = false;
    }
    if (!closed && netIn != null && !netIn.hasRemaining()) {
      pool.release(netIn);
      netIn = null;
    }
    updateInterest();
  }

  private boolean lastProgress;

  /**
   * Records of a handshake flight already wrapped while the engine runs a delegated task before
   * wrapping the rest (a server's New Session Ticket, then Change Cipher Spec and Finished): they
   * leave together once the flight is complete.
   */
  private ByteBuffer heldFlight;

  /** Reads what the channel has and unwraps it; sets {@link #lastProgress}. */
  private ByteBuffer readAndUnwrap(ByteBuffer appIn) throws IOException {
    lastProgress = false;
    if (engine.isInboundDone()) {
      return appIn;
    }
    for (int reads = 0; !closed && reads < 16; ) {
      if (netIn != null && netIn.hasRemaining()) {
        boolean handshaking = !handshakeDone;
        observeInbound();
        int before = netIn.position();
        SSLEngineResult r = engine.unwrap(netIn, appIn);
        afterStep(r, handshaking);
        switch (r.getStatus()) {
          case OK:
            deliver(appIn);
            if (r.bytesConsumed() == 0
                && r.bytesProduced() == 0
                && netIn.position() == before
                && r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
                && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
              break; // nothing doable with these bytes: read more
            }
            lastProgress = true;
            HandshakeStatus hs = r.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_WRAP || hs == HandshakeStatus.NEED_TASK || hasQueued()) {
              // Let pump() send first: replies to this record must go out before the engine
              // sees a close_notify that may follow (TLS 1.2 JSSE then closes its outbound side).
              return appIn;
            }
            continue;
          case BUFFER_OVERFLOW:
            overflows++;
            deliver(appIn);
            // The plaintext buffer is smaller than a record's content: grow it to what the
            // session says a record can hold (or double it, if the session says no more).
            int needed = engine.getSession().getApplicationBufferSize(); // rare: ask afresh
            pool.release(appIn);
            appIn = ByteBuffer.allocate(Math.max(needed, appIn.capacity() * 2));
            continue;
          case BUFFER_UNDERFLOW:
            underflows++;
            break; // need a complete record: read more below
          case CLOSED:
            deliver(appIn);
            lastProgress = true;
            // The peer's close_notify (RFC 8446 §6.1): answer with ours once our queue is sent.
            closeRequested = true;
            return appIn;
          default:
            throw new AssertionError(r.getStatus());
        }
      }
      if (sendOnly) {
        return appIn; // the selector says when there is something to read
      }
      int n = readMore();
      if (plaintextProblem != null) {
        throw new SSLProtocolException(plaintextProblem); // fail(): decode_error, RFC 5246 §7.2.2
      }
      if (n < 0) {
        lastProgress = true;
        peerVanished();
        return appIn;
      }
      if (n == 0) {
        return appIn;
      }
      reads++;
      lastProgress = true;
    }
    return appIn;
  }

  /** Reads into {@link #netIn}, growing it to a whole record if needed; -1 at end of stream. */
  private int readMore() throws IOException {
    int packet = packetSize();
    if (netIn == null) {
      netIn = pool.acquire(packet);
      netIn.flip();
    }
    if (netIn.capacity() < packet) {
      // A record may be as long as the session's packet size: make room for a whole one.
      ByteBuffer bigger = ByteBuffer.allocate(packet);
      bigger.put(netIn).flip();
      pool.release(netIn);
      netIn = bigger;
    }
    netIn.compact();
    int start = netIn.position();
    int n;
    try {
      n = channel.read(netIn);
    } finally {
      netIn.flip();
    }
    if (n > 0 && plaintextCheck != null && !handshakeDone) {
      plaintextProblem = plaintextCheck.feed(netIn, start, n);
    }
    return n;
  }

  /** End of stream: with close_notify already seen this is orderly, otherwise a truncation. */
  private void peerVanished() {
    if (engine.isInboundDone()) {
      finish(null);
      return;
    }
    try {
      engine.closeInbound(); // throws: no close_notify came (possible truncation attack)
      finish(null);
    } catch (SSLException e) {
      finish(new EOFException("peer closed the connection without close_notify"));
    }
  }

  private void deliver(ByteBuffer appIn) {
    if (appIn.position() > 0) {
      appIn.flip();
      listener.onAppData(this, appIn);
      appIn.clear();
    }
  }

  /**
   * Wraps handshake data or queued plaintext and queues it for writing; true on progress. While
   * handshaking, consecutive handshake records of one flight (e.g. Client Key Exchange, Change
   * Cipher Spec, Finished: RFC 5246 §7.3) are wrapped into one buffer and leave in one write, as
   * OpenSSL sends them, so a capture shows the flight in one segment as in the report's table.
   */
  private boolean wrap() throws IOException {
    if (netOut != null) {
      return false;
    }
    // JSSE wants a whole record's room free before each wrap: a flight needs more than one.
    int packet = packetSize();
    ByteBuffer out =
        heldFlight != null ? heldFlight : pool.acquire(handshakeDone ? packet : 2 * packet);
    heldFlight = null;
    boolean progress = false;
    while (true) {
      boolean handshaking = !handshakeDone;
      // Handshake messages the engine has queued (TLS 1.3 New Session Ticket, after the
      // handshake) go first, in their own records, before any application data.
      if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
        srcs[0] = EMPTY;
        srcCount = 1;
      } else {
        firstBuffers();
      }
      int start = out.position();
      SSLEngineResult r;
      while (true) {
        r = engine.wrap(srcs, 0, srcCount, out);
        if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW || start > 0) {
          break;
        }
        overflows++;
        int needed = engine.getSession().getPacketBufferSize(); // rare: ask afresh
        pool.release(out);
        out = ByteBuffer.allocate(Math.max(needed, out.capacity() * 2));
      }
      if (r.bytesConsumed() > 0) {
        queuedPlain -= r.bytesConsumed();
        if (staged != null && !staged.hasRemaining()) {
          stagedSent();
        }
        while (!appOut.isEmpty() && !appOut.peekFirst().hasRemaining()) {
          appOut.pollFirst();
        }
      }
      java.util.Arrays.fill(srcs, 0, srcCount, null);
      switch (r.getStatus()) {
        case OK:
        case CLOSED:
          break;
        case BUFFER_OVERFLOW: // a later record of a flight that does not fit: next write
          afterStep(r, handshaking);
          break;
        case BUFFER_UNDERFLOW: // wrap never needs more input
        default:
          throw new AssertionError(r.getStatus());
      }
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        break;
      }
      if (handshaking && !protectedSent && out.position() > start) {
        protectedSent = anyProtected(out, start);
      }
      if (out.position() > start && (handshaking || observeLeft > 0)) {
        ByteBuffer produced = out.duplicate();
        produced.limit(out.position()).position(start);
        observer.onRecords(engine, true, produced.asReadOnlyBuffer());
      }
      afterStep(r, handshaking);
      progress |=
          r.bytesProduced() > 0
              || r.bytesConsumed() > 0
              || r.getHandshakeStatus() == HandshakeStatus.NEED_TASK;
      boolean moreOfFlight =
          handshaking
              && !handshakeDone
              && r.bytesProduced() > 0
              && r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
              && out.hasRemaining();
      if (!moreOfFlight) {
        if (handshaking
            && !handshakeDone
            && out.position() > 0
            && out.hasRemaining()
            && r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
          heldFlight = out;
          return progress;
        }
        break;
      }
    }
    out.flip();
    if (out.hasRemaining()) {
      netOut = out;
    } else {
      pool.release(out);
    }
    return progress;
  }

  /**
   * Fills {@link #srcs} with enough queued plaintext for one record (16 KiB, RFC 8446 §5.1): the
   * staged bytes, then queued buffers, at most 64.
   */
  private void firstBuffers() {
    int n = 0;
    long bytes = 0;
    if (staged != null && staged.hasRemaining()) {
      srcs[n++] = staged;
      bytes = staged.remaining();
    }
    // Chat lines are staged, so the queue is usually empty: no iterator (garbage) per record.
    if (!appOut.isEmpty()) {
      for (ByteBuffer b : appOut) {
        if (n == srcs.length || bytes >= 16384) {
          break;
        }
        bytes += b.remaining();
        srcs[n++] = b;
      }
    }
    if (n == 0) {
      srcs[n++] = EMPTY;
    }
    srcCount = n;
  }

  private boolean hasQueued() {
    return (staged != null && staged.hasRemaining()) || !appOut.isEmpty();
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** Writes {@link #netOut}; true when nothing is left to write. */
  private boolean flush() throws IOException {
    while (netOut != null) {
      if (channel.write(netOut) == 0 && netOut.hasRemaining()) {
        return false;
      }
      if (!netOut.hasRemaining()) {
        pool.release(netOut);
        netOut = null;
      }
    }
    return true;
  }

  /** Passes the next complete inbound record to the observer, just before it is consumed. */
  private void observeInbound() {
    if ((handshakeDone && observeLeft <= 0) || netIn.remaining() < 5) {
      return;
    }
    int p = netIn.position();
    int length = ((netIn.get(p + 3) & 0xff) << 8) | (netIn.get(p + 4) & 0xff);
    if (netIn.remaining() >= 5 + length) {
      ByteBuffer record = netIn.asReadOnlyBuffer();
      record.limit(p + 5 + length);
      observer.onRecords(engine, false, record);
    }
  }

  private int packetSize() {
    return handshakeDone ? packetSize : engine.getSession().getPacketBufferSize();
  }

  private int applicationSize() {
    return handshakeDone ? applicationSize : engine.getSession().getApplicationBufferSize();
  }

  private void afterStep(SSLEngineResult r, boolean wasHandshaking) {
    if (wasHandshaking) {
      observer.onHandshakeStep(engine);
    } else if (observeLeft > 0 && r.bytesConsumed() + r.bytesProduced() > 0) {
      observeLeft--;
    }
    if (!handshakeDone && r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
      handshakeDone = true;
      packetSize = engine.getSession().getPacketBufferSize();
      applicationSize = engine.getSession().getApplicationBufferSize();
      observer.onHandshakeFinished(engine);
      listener.onHandshakeFinished(this);
    }
  }

  private void runTasks() {
    tasksRunning = true;
    updateInterest();
    taskExecutor.execute(
        () -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
          resume.execute(
              () -> {
                tasksRunning = false;
                probeAfterTasks = true;
                pump();
              });
        });
  }

  /**
   * A TLS error: the alert the engine prepared goes out after whatever records are already queued
   * (RFC 8446 §6.2: the alert is the last thing the peer receives), then the connection closes
   * without a reset (see {@link #closeGracefully}).
   */
  private void fail(SSLException e) {
    if (closed || failure != null) {
      return;
    }
    failure = e;
    appOut.clear();
    staged = null;
    queuedPlain = 0;
    ByteBuffer alert = null;
    try {
      alert = wrapAlert(e);
    } catch (SSLException | RuntimeException ignored) {
      // The engine has nothing more to say; what was queued still goes out.
    }
    netOut = concat(concat(netOut, flipped(heldFlight)), alert);
    heldFlight = null;
    flushFailure();
  }

  /** Writes what a failing connection still has to send, then closes it. */
  private void flushFailure() {
    try {
      if (flush()) {
        closeGracefully(failure);
        return;
      }
    } catch (IOException e) {
      finish(failure);
      return;
    }
    updateInterest(); // socket full: wait for OP_WRITE
  }

  /**
   * Wraps the alert JSSE queued when it threw (a fatal alert, RFC 8446 §6.2); if it queued none,
   * closes our side so that the peer at least gets close_notify rather than silence.
   */
  private ByteBuffer wrapAlert(SSLException e) throws SSLException {
    // JSSE wants room for a whole record of the (possibly not yet negotiated) session before it
    // wraps anything, even a 7-byte alert: give it plenty, this runs once per failed connection.
    ByteBuffer out = ByteBuffer.allocate(4 * 17 * 1024);
    ByteBuffer empty = ByteBuffer.allocate(0);
    boolean alertQueued = false;
    for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
      int before = out.position();
      SSLEngineResult r = engine.wrap(empty, out);
      if (r.bytesProduced() == 0) {
        break;
      }
      alertQueued |= containsRecord(out, before, ALERT);
    }
    if (!alertQueued && !protectedSent && !handshakeDone && !receivedFatalAlert(e)) {
      // JDK 17 hands a failed delegated task's exception back without queuing its alert (the
      // task's parser threw outside JSSE's alert path). Nothing protected has been sent yet, so
      // the alert is a plaintext record anyone can build: RFC 8446 §6.2, RFC 5246 §7.2.2. What
      // JSSE had prepared of the failed flight (a TLS 1.3 Server Hello whose key exchange then
      // failed) is dropped: the peer gets the alert instead of a flight that cannot continue.
      out.clear();
      out.put(new byte[] {ALERT, 3, 3, 0, 2, 2, (byte) alertFor(e)});
      alertQueued = true;
    }
    if (!alertQueued && !engine.isOutboundDone()) {
      engine.closeOutbound(); // protected and nothing queued: JSSE's close is all we can send
      engine.wrap(empty, out);
    }
    out.flip();
    sentAlert = alertIn(out);
    return out.hasRemaining() ? out : null;
  }

  /** What {@link #failureAlert()} says; set once, when the connection fails. */
  private volatile String sentAlert;

  /**
   * The alert this side sent when the connection failed, in the clear: its level and name (RFC 8446
   * §6, e.g. {@code "fatal protocol_version"}); {@code "encrypted"} when it went under the
   * session's keys (its name is then on no wire a capture sees); or {@code null} if the connection
   * did not fail or sent no alert.
   */
  public String failureAlert() {
    return sentAlert;
  }

  /**
   * The alert that ends the records of {@code b} (read mode), as {@link #failureAlert()}: what a
   * failing engine wraps ends with its alert (or the close_notify of {@link #wrapAlert}).
   */
  private static String alertIn(ByteBuffer b) {
    int last = -1;
    for (int p = b.position(); p + 5 <= b.limit(); ) {
      last = p;
      p += 5 + recordLength(b, p);
    }
    if (last < 0) {
      return null;
    }
    int type = b.get(last);
    int length = recordLength(b, last);
    if (type == ALERT && length == 2 && last + 7 <= b.limit()) {
      int level = b.get(last + 5);
      return (level == 2 ? "fatal " : level == 1 ? "warning " : "")
          + AlertDescription.of(b.get(last + 6) & 0xff).rfcName();
    }
    // A TLS 1.2 alert under the keys keeps its type; TLS 1.3 hides it (RFC 8446 §5.2).
    return type == ALERT || type == APPLICATION_DATA ? "encrypted" : null;
  }

  /**
   * Whether the engine failed because the peer sent a fatal alert: JSSE then sends none back, and
   * neither may the driver (RFC 5246 §7.2.2, RFC 8446 §6.2: on receipt, close at once). JSSE says
   * so only in its message ("Received fatal alert: unknown_ca", JDK 17 and 25).
   */
  private static boolean receivedFatalAlert(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("Received fatal alert")) {
        return true;
      }
    }
    return false;
  }

  /** The length field of the TLS record header at {@code p} (RFC 8446 §5.1). */
  private static int recordLength(ByteBuffer b, int p) {
    return ((b.get(p + 3) & 0xff) << 8) | (b.get(p + 4) & 0xff);
  }

  private static final byte APPLICATION_DATA = 23;
  private static final byte ALERT = 21;
  private static final byte HANDSHAKE = 22;

  /**
   * The alert a failure calls for (RFC 8446 §6.2): decode_error for a message that does not parse,
   * illegal_parameter for a value that parses but is not allowed (an all-zero x25519 share, RFC
   * 7748 §6.1), handshake_failure otherwise.
   */
  static int alertFor(Throwable e) {
    if (e.getCause() instanceof ClassCastException
        || e.getCause() instanceof NullPointerException) {
      return 80; // internal_error: JSSE itself broke, not the peer's message
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (t instanceof java.security.InvalidKeyException
          || m.contains("point")
          || m.contains("key_share")
          || m.contains("secret")
          || m.contains("public key")) {
        return 47; // illegal_parameter: a key share that parses but is no valid key
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (t instanceof java.nio.BufferUnderflowException
          || m.contains("insufficient space")
          || m.contains("invalid")
          || m.contains("length")) {
        return 50; // decode_error: the message does not parse
      }
    }
    return 40; // handshake_failure
  }

  /** Whether the records in {@code b} from {@code start} to its position include {@code type}. */
  private static boolean containsRecord(ByteBuffer b, int start, byte type) {
    for (int p = start; p + 5 <= b.position(); ) {
      if (b.get(p) == type) {
        return true;
      }
      p += 5 + recordLength(b, p);
    }
    return false;
  }

  /** Whether any record from {@code start} is other than a plaintext handshake or alert. */
  private static boolean anyProtected(ByteBuffer b, int start) {
    for (int p = start; p + 5 <= b.position(); ) {
      byte t = b.get(p);
      if (t != HANDSHAKE && t != ALERT) {
        return true;
      }
      p += 5 + recordLength(b, p);
    }
    return false;
  }

  private static ByteBuffer flipped(ByteBuffer b) {
    if (b != null) {
      b.flip();
    }
    return b;
  }

  /** a then b in one buffer (either may be null or empty). */
  private ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
    if (a == null || !a.hasRemaining()) {
      return b == null || !b.hasRemaining() ? null : b;
    }
    if (b == null || !b.hasRemaining()) {
      return a;
    }
    ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining());
    both.put(a).put(b).flip();
    pool.release(a);
    return both;
  }

  /**
   * Our side is finished (alert or close_notify sent): half-close with a FIN and read until the
   * peer's FIN, discarding, for at most {@value #LINGER_MILLIS} ms. Closing a socket with unread
   * input makes the kernel send a reset instead of a FIN (RFC 1122 §4.2.2.13), and a reset may
   * destroy the alert before the peer reads it.
   */
  private void closeGracefully(Throwable cause) {
    if (closed || lingering) {
      return;
    }
    if (!(channel instanceof SocketChannel)) {
      finish(cause);
      return;
    }
    try {
      ((SocketChannel) channel).shutdownOutput();
    } catch (IOException e) {
      finish(cause);
      return;
    }
    lingering = true;
    lingerCause = cause;
    pool.release(netIn);
    netIn = null;
    if (resume instanceof EventLoop) {
      ((EventLoop) resume).schedule(LINGER_MILLIS * 1_000_000L, () -> finish(lingerCause));
    }
    linger();
  }

  /** How long a closing connection waits for the peer's FIN. */
  static final long LINGER_MILLIS = 1000;

  private void linger() {
    ByteBuffer scratch = pool.acquire(4096);
    try {
      for (int i = 0; i < 64; i++) {
        scratch.clear();
        int n = channel.read(scratch);
        if (n < 0) {
          finish(lingerCause);
          return;
        }
        if (n == 0) {
          break;
        }
      }
    } catch (IOException e) {
      finish(lingerCause);
      return;
    } finally {
      pool.release(scratch);
    }
    if (!(resume instanceof EventLoop)) {
      finish(lingerCause); // no timer to bound the wait: what was there is drained
      return;
    }
    updateInterest();
  }

  private void finish(Throwable cause) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing a broken socket can fail; it is closed either way.
    }
    if (!engine.isOutboundDone()) {
      engine.closeOutbound();
    }
    pool.release(netIn);
    pool.release(netOut);
    netIn = null;
    netOut = null;
    appOut.clear();
    staged = null;
    queuedPlain = 0;
    listener.onClosed(this, cause);
  }

  private void updateInterest() {
    if (key != null && key.isValid()) {
      key.interestOps(interestOps());
    }
  }
}
