package tlslab.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import tlslab.chat.LineFramer;
import tlslab.common.LabException;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * The lab's chat client: one TLS connection driven by a {@link TlsDriver} on an {@link EventLoop},
 * so that many clients can share a loop (the benchmark runs a thousand on two cores).
 *
 * <p>By default it checks that the server's certificate chains to the lab CA and names the host it
 * dialled (RFC 6125); {@code insecure} turns both checks off, which is what the report's Python
 * client did ({@code ssl.SSLContext(PROTOCOL_TLSv1_2)} without {@code load_verify_locations}): it
 * would chat just as happily with an attacker in the middle.
 *
 * <p>Received lines go to the {@code onLine} consumer, on the loop thread. {@link #send} may be
 * called from any thread. {@link #close()} sends {@code close_notify} and waits for the server's.
 */
public final class ChatClient implements AutoCloseable {
  private final Builder config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final EventLoop loop;
  private final CompletableFuture<ChatClient> connected = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private SocketChannel channel;
  private TlsDriver driver;
  private LineFramer framer;
  private EventLoop.Timer timer;

  private ChatClient(Builder b) {
    this.config = b;
    this.ownsGroup = b.group == null;
    this.group = ownsGroup ? new EventLoopGroup("chat-client", 1) : b.group;
    this.loop = group.next();
    if (ownsGroup) {
      closed.whenComplete((v, e) -> group.close());
    }
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts connecting; the future completes when the handshake is done. */
  public CompletableFuture<ChatClient> connectAsync() {
    loop.execute(this::open);
    return connected;
  }

  /**
   * Connects and completes the handshake, waiting at most the handshake timeout (plus a second).
   *
   * @throws LabException (network) with a one-line reason: refused, not trusted, wrong host...
   */
  public ChatClient connect() {
    try {
      return connectAsync().get(config.handshakeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw asLabException(e.getCause());
    } catch (TimeoutException e) {
      loop.execute(() -> driver.abort(e));
      throw LabException.network(
          "no TLS handshake with "
              + target()
              + " within "
              + config.handshakeTimeout.toMillis()
              + " ms",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.network("interrupted while connecting", e);
    }
  }

  /** Sends one line (a {@code \n} is appended); from any thread. */
  public void send(String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    loop.execute(
        () -> {
          if (driver != null) {
            driver.send(ByteBuffer.wrap(bytes));
            driver.pump();
          }
        });
  }

  /** Sends raw bytes as they are (tests and benchmarks); from any thread. */
  public void sendRaw(byte[] bytes) {
    loop.execute(
        () -> {
          driver.send(ByteBuffer.wrap(bytes));
          driver.pump();
        });
  }

  /** Completes when the connection is closed: normally after close_notify, else exceptionally. */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  /**
   * Protocol and suite of the session, e.g. {@code TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}.
   */
  public String sessionSummary() {
    return driver.session().getProtocol() + " " + driver.session().getCipherSuite();
  }

  /**
   * Starts an orderly close: what is queued goes out, then close_notify; waits for the server's.
   */
  public CompletableFuture<Void> closeAsync() {
    loop.execute(
        () -> {
          if (driver == null) {
            closed.complete(null);
          } else if (!driver.isClosed()) {
            driver.close(true);
            // RFC 8446 §6.1: the peer should answer with its own close_notify; don't wait forever.
            loop.schedule(
                TimeUnit.SECONDS.toNanos(5),
                () ->
                    driver.abort(
                        new java.io.IOException(
                            "the server did not answer close_notify within 5 s")));
          }
        });
    return closed;
  }

  /** {@link #closeAsync()} and wait up to 5 s; errors while closing are ignored. */
  @Override
  public void close() {
    try {
      closeAsync().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      loop.execute(
          () -> {
            if (driver != null) {
              driver.abort(null);
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Scripted mode: connects, sends {@code /nick} if a name was given, sends every line of {@code
   * in}, then closes with close_notify and waits until the server acknowledges with its own (or
   * until the server closes first). Received lines go to the builder's {@code onLine} consumer.
   */
  public void runScript(BufferedReader in) {
    connect();
    // Read the script on its own thread, so that a server that closes first ends the run too
    // (a blocked read of standard input cannot be interrupted).
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = in.readLine()) != null && !closed.isDone()) {
                  send(line);
                }
              } catch (IOException e) {
                // Input gone: close as at its end.
              }
              closeAsync();
            },
            "chat-script");
    reader.setDaemon(true);
    reader.start();
    try {
      closed.get();
    } catch (ExecutionException e) {
      throw asLabException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String target() {
    return config.host + ":" + config.port;
  }

  // --- loop thread ---

  private void open() {
    try {
      channel = openChannel();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      SSLEngine engine =
          TlsContexts.clientEngine(
              config.context, config.profile, config.host, config.port, config.insecure);
      driver =
          new TlsDriver(
              engine,
              channel,
              new Listener(),
              config.observers.apply(engine),
              group.taskExecutor(),
              loop,
              loop.buffers());
      timer =
          loop.schedule(
              config.handshakeTimeout.toNanos(),
              () -> {
                if (!driver.handshakeDone()) {
                  driver.abort(
                      new SSLException(
                          "no TLS handshake within " + config.handshakeTimeout.toMillis() + " ms"));
                }
              });
      boolean done = channel.connect(new InetSocketAddress(config.host, config.port));
      SelectionKey key = loop.register(channel, done ? 0 : SelectionKey.OP_CONNECT, this::onReady);
      if (done) {
        startTls(key);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /**
   * A new channel; with {@link Builder#localPortAllowed}, bound to a local port it allows. The
   * ports it refuses stay bound until one is found, so that the system cannot hand one out again.
   */
  private SocketChannel openChannel() throws IOException {
    if (config.localPortAllowed == null) {
      return SocketChannel.open();
    }
    java.util.List<SocketChannel> refused = new java.util.ArrayList<>();
    try {
      for (int tries = 0; ; tries++) {
        SocketChannel c = SocketChannel.open();
        c.bind(new InetSocketAddress(0));
        int local = ((InetSocketAddress) c.getLocalAddress()).getPort();
        if (config.localPortAllowed.test(local)) {
          return c;
        }
        refused.add(c);
        if (tries == 8) {
          throw new IOException("no allowed local port in 9 tries (last " + local + ")");
        }
      }
    } finally {
      for (SocketChannel c : refused) {
        c.close();
      }
    }
  }

  private void onReady(SelectionKey key) {
    if (key.isConnectable()) {
      try {
        channel.finishConnect();
      } catch (IOException e) {
        fail(e);
        return;
      }
      startTls(key);
      return;
    }
    driver.pump();
  }

  private void startTls(SelectionKey key) {
    key.attach((EventLoop.Handler) k -> driver.pump());
    driver.attach(key);
    driver.start();
  }

  private void fail(Throwable e) {
    if (timer != null) {
      timer.cancel();
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // Closing a failed socket.
    }
    connected.completeExceptionally(e);
    closed.completeExceptionally(e);
  }

  private LabException asLabException(Throwable e) {
    if (e instanceof LabException) {
      return (LabException) e;
    }
    return LabException.network(
        HandshakeFailures.withSentAlert(
            HandshakeFailures.describe(e, config.host, config.port), sentAlert),
        e);
  }

  /** The alert this client sent when its connection failed (see TlsDriver#failureAlert). */
  private volatile String sentAlert;

  private final class Listener implements TlsDriver.Listener {
    @Override
    public void onHandshakeFinished(TlsDriver d) {
      timer.cancel();
      framer = new LineFramer(config.maxLineBytes);
      if (config.name != null) {
        d.send(ByteBuffer.wrap(("/nick " + config.name + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      connected.complete(ChatClient.this);
    }

    @Override
    public void onAppData(TlsDriver d, ByteBuffer plaintext) {
      if (framer.feed(plaintext, config.onLine) == LineFramer.Result.TOO_LONG) {
        d.abort(
            new IOException("server sent a line longer than " + config.maxLineBytes + " bytes"));
      }
    }

    @Override
    public void onClosed(TlsDriver d, Throwable cause) {
      if (timer != null) {
        timer.cancel();
      }
      sentAlert = d.failureAlert();
      if (cause == null) {
        connected.completeExceptionally(new SSLException("connection closed during the handshake"));
        closed.complete(null);
      } else {
        connected.completeExceptionally(cause);
        closed.completeExceptionally(cause);
      }
    }
  }

  /** Client settings; every setter documents its default. {@link #build()} validates. */
  public static final class Builder {
    String host = "localhost";
    int port = 8443;
    SSLContext context;
    TlsProfile profile = TlsProfile.MODERN;
    boolean insecure;
    String name;
    Duration handshakeTimeout = Duration.ofSeconds(10);
    Function<SSLEngine, HandshakeObserver> observers = e -> HandshakeObserver.NONE;
    Consumer<String> onLine = line -> {};
    int maxLineBytes = 1 << 20;
    EventLoopGroup group;
    java.util.function.IntPredicate localPortAllowed;

    private Builder() {}

    /**
     * Which local ports the client may connect from: one it refuses is kept aside and another taken
     * from the system (up to 9 tries); default: whichever the system gives.
     */
    public Builder localPortAllowed(java.util.function.IntPredicate allowed) {
      this.localPortAllowed = allowed;
      return this;
    }

    /** Server host name, checked against its certificate; default {@code localhost}. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Server port; default 8443. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The client's TLS context (required), e.g. {@code TlsContexts.client(ca, null, false)}. */
    public Builder context(SSLContext ctx) {
      this.context = ctx;
      return this;
    }

    /** TLS profile; default {@link TlsProfile#MODERN}. */
    public Builder profile(TlsProfile profile) {
      this.profile = profile;
      return this;
    }

    /** Skip the hostname check (the context must then also trust anything); default false. */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** Nick to take right after the handshake ({@code /nick NAME}); default none. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Time allowed for connect plus handshake; default 10 s. */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      return this;
    }

    /** Makes the handshake observer (trace, key log); default none. */
    public Builder observers(Function<SSLEngine, HandshakeObserver> factory) {
      this.observers = factory;
      return this;
    }

    /** Receives each line from the server, on the loop thread; default: discarded. */
    public Builder onLine(Consumer<String> onLine) {
      this.onLine = onLine;
      return this;
    }

    /** Longest line accepted from the server; default 1 MiB. */
    public Builder maxLineBytes(int max) {
      this.maxLineBytes = max;
      return this;
    }

    /** Runs on a shared group of loops (not closed by the client); default: its own loop. */
    public Builder group(EventLoopGroup group) {
      this.group = group;
      return this;
    }

    /** Validates and builds an unconnected client. */
    public ChatClient build() {
      if (context == null) {
        throw LabException.badInput("chat client: no TLS context given (context(...))");
      }
      if (host == null || host.isBlank()) {
        throw LabException.badInput("chat client: host must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw LabException.badInput("chat client: port must be 1..65535, got " + port);
      }
      if (name != null
          && !tlslab.chat.ChatRoom.NICK.matcher(tlslab.chat.ChatRoom.normalNick(name)).matches()) {
        throw LabException.badInput(
            "chat client: invalid name '"
                + name
                + "' (use "
                + tlslab.chat.ChatRoom.NICK_RULE
                + ")");
      }
      if (profile == null || observers == null || onLine == null || handshakeTimeout == null) {
        throw LabException.badInput(
            "chat client: profile, observers, onLine, handshakeTimeout must not be null");
      }
      return new ChatClient(this);
    }
  }
}
