package tlslab.mitm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import tlslab.chat.LineFramer;
import tlslab.common.LabException;
import tlslab.net.EventLoop;
import tlslab.net.EventLoopGroup;
import tlslab.net.TlsDriver;
import tlslab.pki.CertificateSummary;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.wire.AlertDescription;
import tlslab.wire.ClientHello;
import tlslab.wire.ContentType;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.HandshakeType;
import tlslab.wire.ServerHello;

/**
 * The man in the middle who terminates TLS: the victim's TLS session ends here, under the
 * attacker's certificate, and a second TLS session, to the real server, starts here. Whatever one
 * side sends is decrypted, logged line by line and encrypted again for the other.
 *
 * <p>Whether this works is the victim's choice. A client that checks the server's certificate
 * against the CAs it trusts and the name it dialled (RFC 5280 path validation, RFC 6125) sees a
 * certificate it has no reason to trust, sends a fatal alert and stops; the log records that alert.
 * A client that checks nothing (the report's, {@code lab client --insecure}) goes on, and every
 * line it types reaches the attacker in clear, then the real server, whose replies come back the
 * same way.
 *
 * <p>Both legs are {@link TlsDriver}s on one {@link EventLoop}, so a connection pair lives on one
 * thread and needs no locks. The upstream leg opens as soon as a victim connects, in parallel with
 * the victim's handshake; what the victim sends before it is ready is held, and a victim that
 * refuses closes it.
 */
public final class Interceptor implements AutoCloseable {
  /** JSSE's wording when the peer's alert arrives ({@code sun.security.ssl.Alert}). */
  private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: (\\w+)");

  private final Options options;
  private final MitmLog log;
  private final EventLoopGroup group = new EventLoopGroup("mitm", 1);
  private final EventLoop loop = group.first();
  private final AtomicInteger ids = new AtomicInteger();
  private ServerSocketChannel acceptor;
  private SSLContext attacker;
  private String attackerSha256;

  /**
   * What to run.
   *
   * @param bindHost where to listen for victims (loopback unless told otherwise)
   * @param port the port (0: any free one)
   * @param attackerCerts the attacker's {@code lab certs init} folder: its {@code server.p12} is
   *     what victims are shown
   * @param victimProfile the TLS profile offered to victims (the report's, if they use it)
   * @param upstreamHost the real server
   * @param upstreamPort its port
   * @param upstream makes the context for each connection to the real server (verifying it unless
   *     {@code insecureUpstream}); a fresh one per connection, so that no session is resumed and
   *     every upstream leg shows, and verifies, the real server's certificate
   * @param upstreamProfile the profile spoken to the real server
   * @param insecureUpstream skip the real server's certificate and host name checks
   * @param observers watches each engine's handshake (key log, trace), or none
   */
  public record Options(
      String bindHost,
      int port,
      java.nio.file.Path attackerCerts,
      TlsProfile victimProfile,
      String upstreamHost,
      int upstreamPort,
      java.util.function.Supplier<SSLContext> upstream,
      TlsProfile upstreamProfile,
      boolean insecureUpstream,
      Function<SSLEngine, HandshakeObserver> observers) {}

  public Interceptor(Options options, MitmLog log) {
    this.options = options;
    this.log = log;
  }

  /** Binds and starts accepting victims; returns this. */
  public Interceptor start() {
    attacker = TlsContexts.server(options.attackerCerts());
    options.upstream().get(); // a bad --ca is a user error now, not at the first victim
    try {
      acceptor = ServerSocketChannel.open();
      acceptor.bind(new InetSocketAddress(options.bindHost(), options.port()), 128);
    } catch (IOException e) {
      group.close();
      throw LabException.network(
          "cannot listen on " + options.bindHost() + ":" + options.port() + ": " + e.getMessage(),
          e);
    }
    attackerSha256 = attackerFingerprint();
    log.entry("start", 0)
        .put("mode", "intercept")
        .put("listen", options.bindHost() + ":" + port())
        .put("upstream", options.upstreamHost() + ":" + options.upstreamPort())
        .put("victim_profile", options.victimProfile().label())
        .put("upstream_profile", options.upstreamProfile().label())
        .put("upstream_verified", !options.insecureUpstream())
        .put("certificate_sha256", attackerSha256)
        .write();
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.execute(
        () -> {
          loop.register(acceptor, SelectionKey.OP_ACCEPT, key -> acceptAll());
          registered.complete(null);
        });
    registered.join();
    return this;
  }

  /** The port victims connect to. */
  public int port() {
    try {
      return ((InetSocketAddress) acceptor.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new AssertionError("a bound channel has an address", e);
    }
  }

  /** The SHA-256 fingerprint of the certificate victims are shown. */
  public String attackerCertificateSha256() {
    return attackerSha256;
  }

  @Override
  public void close() {
    try {
      if (acceptor != null) {
        acceptor.close();
      }
    } catch (IOException ignored) {
      // Already closed.
    }
    group.close();
  }

  private String attackerFingerprint() {
    try {
      Certificate c =
          TlsContexts.loadPkcs12(options.attackerCerts().resolve("server.p12"))
              .getCertificate("server");
      return c instanceof X509Certificate x ? CertificateSummary.sha256Fingerprint(x) : null;
    } catch (java.security.KeyStoreException e) {
      throw LabException.badInput(options.attackerCerts() + "/server.p12: " + e.getMessage(), e);
    }
  }

  private void acceptAll() {
    try {
      SocketChannel ch;
      while ((ch = acceptor.accept()) != null) {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        new Pair(ids.incrementAndGet(), ch).start();
      }
    } catch (IOException e) {
      if (acceptor.isOpen()) {
        log.entry("refused", 0).put("leg", "victim").put("reason", "accept failed: " + e).write();
      }
    }
  }

  private static String sha256(Certificate[] chain) {
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return CertificateSummary.sha256Fingerprint(leaf);
  }

  /** The alert a JSSE engine received, from its exception's message, or null. */
  static String receivedAlert(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        Matcher m = RECEIVED_ALERT.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** One victim and, once its handshake is done, the connection to the real server. */
  private final class Pair {
    final int id;
    final SocketChannel victimChannel;
    final Leg victim;
    Leg upstream;
    final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(); // victim → server, not yet sent
    final ArrayDeque<ByteBuffer> pendingToVictim = new ArrayDeque<>(); // server → victim
    long linesFromVictim;
    long linesFromServer;
    long bytesFromVictim;
    long bytesFromServer;
    boolean logged;
    long undeliveredToVictim; // arrived from the server after the victim had closed
    boolean victimGone; // closed while the upstream handshake still ran: flush, then close

    Pair(int id, SocketChannel ch) {
      this.id = id;
      this.victimChannel = ch;
      SSLEngine engine =
          TlsContexts.serverEngine(attacker, options.victimProfile(), ClientAuth.NONE);
      this.victim = new Leg(this, "victim", engine, ch);
    }

    void start() {
      String from;
      try {
        from = String.valueOf(victimChannel.getRemoteAddress());
      } catch (IOException e) {
        from = "?";
      }
      log.entry("accept", id).put("victim", from).write();
      victim.begin(0);
      // The upstream connection starts at once, in parallel with the victim's handshake, as a
      // real interception proxy does: the victim waits no longer than it would for the server.
      connectUpstream();
    }

    void connectUpstream() {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SSLEngine engine =
            TlsContexts.clientEngine(
                options.upstream().get(),
                options.upstreamProfile(),
                options.upstreamHost(),
                options.upstreamPort(),
                options.insecureUpstream());
        upstream = new Leg(this, "upstream", engine, ch);
        boolean done =
            ch.connect(new InetSocketAddress(options.upstreamHost(), options.upstreamPort()));
        upstream.begin(done ? 0 : SelectionKey.OP_CONNECT);
      } catch (IOException | RuntimeException e) {
        log.entry("refused", id)
            .put("leg", "upstream")
            .put("reason", "cannot connect to the real server: " + e.getMessage())
            .write();
        victim.driver.close(false);
      }
    }

    void fromVictim(ByteBuffer plaintext) {
      bytesFromVictim += plaintext.remaining();
      ByteBuffer copy = copy(plaintext);
      linesFromVictim += victim.lines(plaintext, "victim", false);
      if (upstream != null && upstream.driver.handshakeDone()) {
        upstream.send(copy);
      } else {
        pending.add(copy);
      }
    }

    void fromServer(ByteBuffer plaintext) {
      bytesFromServer += plaintext.remaining();
      ByteBuffer copy = copy(plaintext);
      boolean gone = victim.driver.isClosed();
      linesFromServer += upstream.lines(plaintext, "server", gone);
      if (gone) {
        undeliveredToVictim += copy.remaining();
        return;
      }
      if (victim.driver.handshakeDone()) {
        victim.send(copy);
      } else {
        pendingToVictim.add(copy); // the real server spoke first (a welcome line)
      }
    }

    void victimReady() {
      while (!pendingToVictim.isEmpty()) {
        victim.send(pendingToVictim.poll());
      }
    }

    void upstreamReady() {
      while (!pending.isEmpty()) {
        upstream.send(pending.poll());
      }
      if (victimGone) {
        // What the victim sent before leaving still reaches the real server; its answers are
        // logged (marked undelivered) until it closes too.
        upstream.driver.close(true);
      }
    }

    void closed(Leg leg, Throwable cause) {
      Leg other = leg == victim ? upstream : victim;
      if (leg == victim && upstream != null && !upstream.driver.handshakeDone() && cause == null) {
        victimGone = true;
        return;
      }
      if (other != null && !other.driver.isClosed()) {
        if (!leg.driver.handshakeDone()) {
          other.closeReason = "closed by the attacker: the " + leg.name + " leg failed";
        }
        other.driver.close(leg == victim);
      }
      if ((other == null || other.driver.isClosed()) && !logged) {
        logged = true;
        victim.partialLine("victim");
        if (upstream != null) {
          upstream.partialLine("server");
        }
        log.entry("closed", id)
            .put("lines_from_victim", linesFromVictim)
            .put("lines_from_server", linesFromServer)
            .put("bytes_from_victim", bytesFromVictim)
            .put("bytes_from_server", bytesFromServer)
            // Held for a leg that closed before its handshake completed: said, never dropped
            // silently.
            .put("undelivered_to_server_bytes", remaining(pending))
            .put("undelivered_to_victim_bytes", undeliveredToVictim + remaining(pendingToVictim))
            .put("cause", cause == null ? null : String.valueOf(cause.getMessage()))
            .write();
      }
    }

    private long remaining(ArrayDeque<ByteBuffer> q) {
      return q.stream().mapToLong(ByteBuffer::remaining).sum();
    }

    private ByteBuffer copy(ByteBuffer b) {
      ByteBuffer c = ByteBuffer.allocate(b.remaining());
      c.put(b.duplicate()).flip();
      return c;
    }
  }

  /** One TLS connection of a pair: the victim's (we are the server) or the upstream one. */
  private final class Leg implements TlsDriver.Listener, HandshakeObserver {
    final Pair pair;
    final String name;
    final SSLEngine engine;
    final SocketChannel channel;
    final TlsDriver driver;
    final HandshakeObserver extra;
    final LineFramer framer = new LineFramer(1 << 20);
    byte[] clientRandom;
    byte[] serverRandom;
    String plaintextAlert;
    boolean framerBroken;
    boolean reported; // the failure is in the log already
    String closeReason; // why the attacker closed this leg itself, if it did
    EventLoop.Timer timer;

    Leg(Pair pair, String name, SSLEngine engine, SocketChannel channel) {
      this.pair = pair;
      this.name = name;
      this.engine = engine;
      this.channel = channel;
      this.extra = options.observers().apply(engine);
      this.driver =
          new TlsDriver(engine, channel, this, this, group.taskExecutor(), loop, loop.buffers());
    }

    void begin(int ops) {
      SelectionKey key =
          loop.register(
              channel,
              ops,
              k -> {
                if (k.isConnectable()) {
                  try {
                    channel.finishConnect();
                  } catch (IOException e) {
                    log.entry("refused", pair.id)
                        .put("leg", name)
                        .put("reason", "cannot connect to the real server: " + e.getMessage())
                        .write();
                    reported = true;
                    driver.abort(e);
                    return;
                  }
                  startTls(k);
                  return;
                }
                driver.pump();
              });
      if (key == null) {
        driver.abort(new IOException("channel closed before registration"));
        return;
      }
      timer =
          loop.schedule(
              TimeUnit.SECONDS.toNanos(10),
              () -> {
                if (!driver.handshakeDone()) {
                  driver.abort(new IOException("no TLS handshake within 10 s"));
                }
              });
      if (ops == 0) {
        startTls(key);
      }
    }

    private void startTls(SelectionKey key) {
      key.attach((EventLoop.Handler) k -> driver.pump());
      driver.attach(key);
      driver.start();
    }

    void send(ByteBuffer b) {
      driver.send(b);
      driver.pump();
    }

    /** Logs the complete lines in {@code b} (consumed); returns how many. */
    long lines(ByteBuffer b, String from, boolean undelivered) {
      if (framerBroken) {
        return 0;
      }
      long[] n = {0};
      LineFramer.Result r =
          framer.feed(
              b,
              line -> {
                n[0]++;
                MitmLog.Entry e = log.entry("line", pair.id).put("from", from).put("text", line);
                if (undelivered) {
                  e.put("undelivered", true).put("note", "the victim had already closed");
                }
                e.write();
              });
      if (r == LineFramer.Result.TOO_LONG) {
        framerBroken = true;
        log.entry("line", pair.id)
            .put("from", from)
            .put("too_long", true)
            .put("note", "a line longer than 1 MiB: relayed, no longer logged")
            .write();
      }
      return n[0];
    }

    void partialLine(String from) {
      if (framer.buffered() > 0 && !framerBroken) {
        log.entry("line", pair.id)
            .put("from", from)
            .put("partial", true)
            .put("note", framer.buffered() + " bytes without a newline when the connection closed")
            .write();
      }
    }

    // --- TlsDriver.Listener ---

    @Override
    public void onHandshakeFinished(TlsDriver d) {
      timer.cancel();
      SSLSession s = d.session();
      boolean victimLeg = pair.victim == this;
      MitmLog.Entry e =
          log.entry("handshake", pair.id)
              .put("leg", name)
              .put("protocol", s.getProtocol())
              .put("cipher_suite", s.getCipherSuite())
              .put("client_random", hex(clientRandom))
              .put("server_random", hex(serverRandom));
      if (victimLeg) {
        e.put("certificate_sha256", sha256(s.getLocalCertificates()));
      } else {
        Certificate[] peer;
        try {
          peer = s.getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException ex) {
          peer = null;
        }
        e.put("certificate_sha256", sha256(peer)).put("verified", !options.insecureUpstream());
      }
      e.write();
      if (victimLeg) {
        pair.victimReady();
      } else {
        pair.upstreamReady();
      }
    }

    @Override
    public void onAppData(TlsDriver d, ByteBuffer plaintext) {
      if (pair.victim == this) {
        pair.fromVictim(plaintext);
      } else {
        pair.fromServer(plaintext);
      }
    }

    @Override
    public void onClosed(TlsDriver d, Throwable cause) {
      if (timer != null) {
        timer.cancel();
      }
      if (!d.handshakeDone() && !reported) {
        String peer = pair.victim == this ? "victim" : "server";
        String alert = plaintextAlert != null ? plaintextAlert : receivedAlert(cause);
        if (alert != null) {
          log.entry("alert", pair.id)
              .put("leg", name)
              .put("from", peer)
              .put("level", "fatal")
              .put("description", alert)
              .put("source", plaintextAlert != null ? "record" : "jsse")
              .put("reason", cause == null ? null : cause.getMessage())
              .write();
        } else {
          log.entry("refused", pair.id)
              .put("leg", name)
              .put(
                  "reason",
                  closeReason != null
                      ? closeReason
                      : cause == null
                          ? "closed during the handshake"
                          : String.valueOf(cause.getMessage()))
              .write();
        }
      }
      pair.closed(this, cause);
    }

    // --- HandshakeObserver: the hello randoms and a plaintext alert, read from the records ---

    @Override
    public void onRecords(SSLEngine e, boolean outbound, ByteBuffer records) {
      extra.onRecords(e, outbound, records);
      byte[] b = new byte[records.remaining()];
      records.duplicate().get(b);
      for (int p = 0; p + 5 <= b.length; ) {
        int type = b[p] & 0xff;
        int len = ((b[p + 3] & 0xff) << 8) | (b[p + 4] & 0xff);
        int end = Math.min(b.length, p + 5 + len);
        if (type == ContentType.HANDSHAKE.code() && end - p >= 9) {
          int hs = b[p + 5] & 0xff;
          int hsEnd =
              Math.min(
                  end,
                  p
                      + 9
                      + (((b[p + 6] & 0xff) << 16) | ((b[p + 7] & 0xff) << 8) | (b[p + 8] & 0xff)));
          if (hs == HandshakeType.CLIENT_HELLO.code() && clientRandom == null) {
            ClientHello ch = HandshakeMessages.clientHello(b, p + 9, hsEnd).valueOrNull();
            clientRandom = ch == null ? null : ch.random();
          } else if (hs == HandshakeType.SERVER_HELLO.code() && serverRandom == null) {
            ServerHello sh = HandshakeMessages.serverHello(b, p + 9, hsEnd).valueOrNull();
            serverRandom = sh == null || sh.helloRetryRequest() ? null : sh.random();
          }
        } else if (type == ContentType.ALERT.code() && len == 2 && !outbound && end - p == 7) {
          plaintextAlert = AlertDescription.of(b[p + 6] & 0xff).rfcName();
        }
        p = end;
      }
    }

    @Override
    public void onHandshakeStep(SSLEngine e) {
      extra.onHandshakeStep(e);
    }

    @Override
    public void onHandshakeFinished(SSLEngine e) {
      extra.onHandshakeFinished(e);
    }
  }

  private static String hex(byte[] b) {
    return b == null ? null : HexFormat.of().formatHex(b);
  }
}
