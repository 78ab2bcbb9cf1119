package tlslab.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import tlslab.chat.ChatRoom;
import tlslab.chat.LineFramer;
import tlslab.chat.Peer;

/**
 * One client connection on the server: glues its {@link TlsDriver} (TLS), a {@link LineFramer}
 * (lines) and the shared {@link ChatRoom} (chat), and bounds what is queued for the client.
 * Everything except {@link #enqueue} and {@link #requestClose} runs on the connection's loop.
 */
final class ServerSession implements EventLoop.Handler, TlsDriver.Listener {
  private final ChatServer server;
  private final EventLoop loop;
  private final SocketChannel channel;
  private final TlsDriver driver;
  private final int id;
  private final String address;
  // Lines from connections on other loops (guarded by itself: a lock taken once per line costs
  // less than a queue node per line).
  private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
  private final Runnable drainTask = this::drain;
  private final Runnable deferDrain = this::deferDrain;
  private final long flushDelayNanos;
  private final AtomicLong inboxBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean dropped;
  private LineFramer framer;
  // The lines of one read, reused from read to read (loop thread only): no list, no lambda per
  // read.
  private final List<String> lines = new ArrayList<>();
  private final java.util.function.Consumer<String> collect = lines::add;
  private EventLoop.Timer handshakeTimer;
  private boolean joined;
  private String closeReason;

  ServerSession(
      ChatServer server, EventLoop loop, SocketChannel channel, SSLEngine engine, int id) {
    this.server = server;
    this.loop = loop;
    this.channel = channel;
    this.id = id;
    this.address = addressOf(channel);
    this.flushDelayNanos = server.config().flushDelay.toNanos();
    this.driver =
        new TlsDriver(
            engine,
            channel,
            this,
            server.observerFor(engine),
            server.taskExecutor(),
            loop,
            loop.buffers());
  }

  @Override
  public String toString() {
    return id
        + "@"
        + address
        + " inbox="
        + inboxSize()
        + "/"
        + inboxBytes.get()
        + " drain="
        + drainScheduled.get()
        + " "
        + driver;
  }

  int id() {
    return id;
  }

  /** Registers with the loop, arms the handshake timeout and waits for the ClientHello. */
  void start() {
    SelectionKey key = loop.register(channel, SelectionKey.OP_READ, this);
    if (key == null) {
      driver.abort(new IOException("closed before registration"));
      return;
    }
    driver.attach(key);
    handshakeTimer =
        loop.schedule(server.config().handshakeTimeout.toNanos(), this::handshakeTimedOut);
    driver.start();
  }

  @Override
  public void onReady(SelectionKey key) {
    driver.pump();
  }

  @Override
  public void onHandshakeFinished(TlsDriver d) {
    handshakeTimer.cancel();
    framer = new LineFramer(server.config().maxLineBytes());
    Peer peer = peerOf(d.session(), address);
    synchronized (server.room()) {
      server.joined(this);
      server.room().join(id, peer);
      joined = true;
    }
  }

  @Override
  public void onAppData(TlsDriver d, ByteBuffer plaintext) {
    if (framer == null) {
      return;
    }
    LineFramer.Result r = framer.feed(plaintext, collect);
    if (!lines.isEmpty()) {
      ChatRoom room = server.room();
      synchronized (room) {
        for (int i = 0; i < lines.size(); i++) {
          room.handle(id, lines.get(i));
        }
      }
      lines.clear();
    }
    switch (r) {
      case OK:
        break;
      case TOO_LONG:
        closeReason = "line longer than " + framer.maxLineBytes() + " bytes";
        d.send(
            ByteBuffer.wrap(
                ("! line too long (max " + framer.maxLineBytes() + " bytes); closing\n")
                    .getBytes(StandardCharsets.UTF_8)));
        d.close(false);
        break;
      default:
        throw new AssertionError(r);
    }
  }

  @Override
  public void onClosed(TlsDriver d, Throwable cause) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    synchronized (inbox) {
      inbox.clear();
    }
    server.closed(this);
    String reason = closeReason != null ? closeReason : cause == null ? null : describe(cause);
    reason = HandshakeFailures.withSentAlert(reason, d.failureAlert());
    if (joined) {
      synchronized (server.room()) {
        server.room().leave(id, reason);
      }
    } else if (!server.isClosing()) {
      server.log(address + " dropped before joining: " + (reason == null ? "closed" : reason));
    }
  }

  /**
   * Queues a line for this client; called from any loop. When more than the configured maximum is
   * waiting, the client is not reading: drop it rather than buffer without end.
   */
  void enqueue(byte[] line) {
    if (dropped) {
      return;
    }
    long waiting = inboxBytes.addAndGet(line.length) + driver.queuedBytes();
    if (waiting > server.config().maxOutboundBytes) {
      dropped = true;
      loop.execute(
          () -> {
            closeReason =
                "not reading: more than "
                    + server.config().maxOutboundBytes
                    + " bytes waiting, disconnected";
            driver.abort(null);
          });
      return;
    }
    if (loop.inLoop()) {
      // Same loop thread (a reply, or a line from a neighbour): hand it to the driver directly,
      // so it is ahead of a close_notify that the same read may trigger. The driver copies it
      // into the record it is filling; the record leaves when the drain task runs, after every
      // line of this pass of the loop is in.
      inboxBytes.addAndGet(-line.length);
      driver.send(line);
    } else {
      synchronized (inbox) {
        inbox.add(line);
      }
    }
    if (drainScheduled.compareAndSet(false, true)) {
      loop.execute(flushDelayNanos > 0 ? deferDrain : drainTask);
    }
  }

  private void deferDrain() {
    loop.defer(drainTask, flushDelayNanos);
  }

  /** Sends what is queued, then {@code close_notify}; called from any thread. */
  void requestClose() {
    loop.execute(
        () -> {
          drain();
          driver.close(false);
        });
  }

  private void drain() {
    drainScheduled.set(false);
    long n = 0;
    synchronized (inbox) {
      byte[] line;
      while ((line = inbox.poll()) != null) {
        n += line.length;
        driver.send(line);
      }
    }
    if (n > 0) {
      inboxBytes.addAndGet(-n);
    }
    driver.flushQueued();
  }

  private int inboxSize() {
    synchronized (inbox) {
      return inbox.size();
    }
  }

  private void handshakeTimedOut() {
    if (!driver.handshakeDone() && !driver.isClosed()) {
      closeReason =
          "no TLS handshake within " + server.config().handshakeTimeout.toMillis() + " ms";
      driver.abort(null);
    }
  }

  private static String describe(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  private static String addressOf(SocketChannel ch) {
    try {
      java.net.InetSocketAddress a = (java.net.InetSocketAddress) ch.getRemoteAddress();
      return a.getAddress().getHostAddress() + ":" + a.getPort();
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** What the chat may know of a session: protocol, suite and the client certificate's subject. */
  static Peer peerOf(SSLSession s, String address) {
    String subject = null;
    String cn = null;
    try {
      Certificate[] chain = s.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate) {
        subject = ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
        cn = commonName(subject);
      }
    } catch (SSLPeerUnverifiedException e) {
      // No client certificate: client auth off, or "want" and the client sent none.
    }
    return new Peer(address, s.getProtocol(), s.getCipherSuite(), subject, cn);
  }

  static String commonName(String rfc2253) {
    try {
      for (Rdn rdn : new LdapName(rfc2253).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
