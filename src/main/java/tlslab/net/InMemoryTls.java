package tlslab.net;

import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import tlslab.common.LabException;
import tlslab.tls.HandshakeObserver;

/**
 * A client and a server {@link TlsDriver} joined by in-memory channels and run on the calling
 * thread: real TLS between two engines with no sockets and no other threads (the OpenJDK
 * SSLEngineTemplate idea, with the lab's own driver). Benchmarks use it to produce genuine TLS
 * bytes ({@link #chunks()}, one per write, as a capture would show them) or to time handshakes
 * through exactly the code the chat uses, observer calls included.
 */
public final class InMemoryTls {
  /** What one side wrote in one call: a flight, or a record of application data. */
  public record Chunk(boolean fromClient, byte[] bytes) {}

  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final List<Chunk> chunks;
  private final End clientEnd;
  private final End serverEnd;
  private final TlsDriver client;
  private final TlsDriver server;
  private final Side clientSide = new Side();
  private final Side serverSide = new Side();

  /**
   * @param record keep every write as a {@link Chunk}
   */
  public InMemoryTls(
      SSLEngine client,
      SSLEngine server,
      HandshakeObserver clientObserver,
      HandshakeObserver serverObserver,
      boolean record) {
    this.chunks = record ? new ArrayList<>() : null;
    this.clientEnd = new End(true);
    this.serverEnd = new End(false);
    clientEnd.peer = serverEnd;
    serverEnd.peer = clientEnd;
    BufferPool pool = BufferPool.forTls();
    this.client =
        new TlsDriver(client, clientEnd, clientSide, clientObserver, tasks::add, tasks::add, pool);
    this.server =
        new TlsDriver(server, serverEnd, serverSide, serverObserver, tasks::add, tasks::add, pool);
  }

  /** Runs both handshakes to the end. */
  public void handshake() {
    server.start();
    client.start();
    run();
    if (!client.handshakeDone() || !server.handshakeDone()) {
      throw LabException.network(
          "in-memory handshake did not complete: "
              + failure(clientSide)
              + " / "
              + failure(serverSide),
          clientSide.cause != null ? clientSide.cause : serverSide.cause);
    }
  }

  /** Sends bytes from one side and runs until the other has received everything. */
  public void send(boolean fromClient, byte[] bytes) {
    (fromClient ? client : server).send(ByteBuffer.wrap(bytes));
    run();
  }

  /** The client sends close_notify and waits for the server's; runs until both are closed. */
  public void close() {
    client.close(true);
    run();
  }

  /** Bytes the client (true) or the server received as application data so far. */
  public long received(boolean byClient) {
    return (byClient ? clientSide : serverSide).received;
  }

  /** The client's session. */
  public SSLSession clientSession() {
    return client.session();
  }

  /** Every write, in order (empty unless recording). */
  public List<Chunk> chunks() {
    return chunks == null ? List.of() : chunks;
  }

  /** Runs tasks and pumps both drivers until nothing moves. */
  private void run() {
    for (int guard = 0; guard < 10_000; guard++) {
      long moved = clientEnd.moved + serverEnd.moved;
      int queued = tasks.size();
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
      client.pump();
      server.pump();
      if (tasks.isEmpty() && queued == 0 && clientEnd.moved + serverEnd.moved == moved) {
        return;
      }
    }
    throw LabException.network("in-memory TLS did not settle", null);
  }

  private static String failure(Side s) {
    return s.cause == null ? "no error" : String.valueOf(s.cause.getMessage());
  }

  private static final class Side implements TlsDriver.Listener {
    long received;
    Throwable cause;

    @Override
    public void onHandshakeFinished(TlsDriver driver) {}

    @Override
    public void onAppData(TlsDriver driver, ByteBuffer plaintext) {
      received += plaintext.remaining();
      plaintext.position(plaintext.limit());
    }

    @Override
    public void onClosed(TlsDriver driver, Throwable c) {
      cause = c;
    }
  }

  /** One end: reads what the peer wrote (non-blocking: 0 when nothing is there). */
  private final class End implements ByteChannel {
    final boolean isClient;
    ByteBuffer in = ByteBuffer.allocate(1 << 16); // write mode: bytes from the peer
    End peer;
    long moved;
    boolean open = true;

    End(boolean isClient) {
      this.isClient = isClient;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (in.position() == 0) {
        return open && peer.open ? 0 : -1;
      }
      in.flip();
      int n = Math.min(dst.remaining(), in.remaining());
      ByteBuffer slice = in.duplicate();
      slice.limit(in.position() + n);
      dst.put(slice);
      in.position(in.position() + n);
      in.compact();
      moved += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      if (chunks != null && n > 0) {
        byte[] copy = new byte[n];
        src.duplicate().get(copy);
        chunks.add(new Chunk(isClient, copy));
      }
      ByteBuffer target = peer.in;
      if (target.remaining() < n) {
        ByteBuffer bigger =
            ByteBuffer.allocate(Math.max(target.capacity() * 2, target.position() + n));
        target.flip();
        bigger.put(target);
        peer.in = bigger;
        target = bigger;
      }
      target.put(src);
      moved += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
