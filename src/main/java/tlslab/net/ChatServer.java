package tlslab.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import tlslab.chat.ChatRoom;
import tlslab.common.LabException;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * The lab's TLS chat server: the report's Python server, rebuilt non-blocking.
 *
 * <p>Layers, bottom to top (like Netty's secure chat example): a {@link ServerSocketChannel} on the
 * first {@link EventLoop} accepts; each accepted socket goes to the next loop round-robin, where
 * one {@link TlsDriver} runs its TLS; decrypted bytes go through a {@link tlslab.chat.LineFramer}
 * (with a maximum line length) to the {@link ChatRoom}, which knows nothing of TLS. Lines for other
 * clients are queued on their connections, which may live on other loops; each connection's queue
 * is bounded, and a client that stops reading is disconnected when it fills up, so one stuck client
 * can neither block the others nor eat the memory.
 *
 * <p>Start it with {@code ChatServer.builder()...build().start()}; port 0 picks a free port, see
 * {@link #port()}. {@link #close()} sends {@code close_notify} to every client and stops.
 */
public final class ChatServer implements AutoCloseable {
  private final Builder config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ChatRoom room;
  private final IntMap<ServerSession> members = new IntMap<>(); // under room lock
  private final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger ids = new AtomicInteger();
  private ServerSocketChannel acceptor;
  private InetSocketAddress address;
  private volatile boolean closing;
  private WarmUpReport warmUp;
  private String lastText; // encoding cache for broadcasts, under room lock
  private byte[] lastBytes;

  private ChatServer(Builder b) {
    this.config = b;
    this.ownsGroup = b.group == null;
    this.group = ownsGroup ? new EventLoopGroup("chat-server", b.loops) : b.group;
    this.room = new ChatRoom(new Outbox()); // announces joins while <= 100 members
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** Binds and starts accepting; returns this. */
  public ChatServer start() {
    try {
      acceptor = ServerSocketChannel.open();
      acceptor.bind(new InetSocketAddress(config.bindHost, config.port), 1024);
      address = (InetSocketAddress) acceptor.getLocalAddress();
    } catch (IOException e) {
      closeQuietly();
      throw LabException.network(
          "cannot listen on " + config.bindHost + ":" + config.port + ": " + e.getMessage(), e);
    }
    if (config.warmUp != null) {
      // Bound first (so that a taken port fails at once), accepting after: clients that come
      // during the warm-up wait in the listen backlog.
      warmUp = WarmUp.run(config, config.warmUp);
    }
    EventLoop loop = group.first();
    java.util.concurrent.CompletableFuture<Void> registered =
        new java.util.concurrent.CompletableFuture<>();
    loop.execute(
        () -> {
          loop.register(acceptor, SelectionKey.OP_ACCEPT, key -> acceptAll());
          registered.complete(null);
        });
    registered.join();
    return this;
  }

  /** The bound address (after {@link #start()}). */
  public InetSocketAddress address() {
    return address;
  }

  /** The bound port (after {@link #start()}); useful with port 0. */
  public int port() {
    return address.getPort();
  }

  /** What the warm-up did (see {@link Builder#warmUp}), or null without one. */
  public WarmUpReport warmUp() {
    return warmUp;
  }

  /**
   * What a warm-up did.
   *
   * @param millis wall time it took
   * @param rounds rounds of lines completed
   * @param joins clients that joined its private room (each one a full TLS handshake)
   * @param end why it stopped: "JIT quiet" (done), "round limit", "time budget", or what failed
   */
  public record WarmUpReport(long millis, int rounds, int joins, String end) {}

  /** Open connections, handshaking or chatting. */
  public int connectionCount() {
    return sessions.size();
  }

  /** Members in the chat (handshake done). */
  public int memberCount() {
    synchronized (room) {
      return room.size();
    }
  }

  /** The settings this server runs with. */
  public Builder config() {
    return config;
  }

  /**
   * Stops accepting, sends {@code close_notify} to every client and waits (up to 3 s) for the
   * alerts to go out before stopping the loops.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (acceptor != null) {
      try {
        acceptor.close();
      } catch (IOException ignored) {
        // Already closed.
      }
    }
    for (ServerSession s : sessions) {
      s.requestClose();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (!sessions.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (ownsGroup) {
      group.close();
    }
  }

  private void closeQuietly() {
    if (ownsGroup) {
      group.close();
    }
  }

  private void acceptAll() {
    try {
      SocketChannel ch;
      while ((ch = acceptor.accept()) != null) {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SSLEngine engine =
            TlsContexts.serverEngine(config.context, config.profile, config.clientAuth);
        EventLoop loop = group.next();
        ServerSession s = new ServerSession(this, loop, ch, engine, ids.incrementAndGet());
        sessions.add(s);
        loop.execute(s::start);
      }
    } catch (IOException e) {
      if (!closing) {
        log("accept failed: " + e.getMessage());
      }
    }
  }

  // --- called by ServerSession ---

  ChatRoom room() {
    return room;
  }

  java.util.concurrent.Executor taskExecutor() {
    return group.taskExecutor();
  }

  HandshakeObserver observerFor(SSLEngine engine) {
    return config.observers.apply(engine);
  }

  void joined(ServerSession s) {
    members.put(s.id(), s); // caller holds the room lock
  }

  void closed(ServerSession s) {
    sessions.remove(s);
    synchronized (room) {
      members.remove(s.id());
    }
  }

  boolean isClosing() {
    return closing;
  }

  void log(String line) {
    config.log.accept(line);
  }

  /** The room's output: lines become UTF-8 bytes queued on the member's connection. */
  private final class Outbox implements ChatRoom.Outbox {
    @Override
    public void send(int member, String line) {
      ServerSession s = members.get(member);
      if (s == null) {
        return;
      }
      // A broadcast hands the same String to every member: encode it once.
      if (line != lastText) {
        lastText = line;
        lastBytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      }
      s.enqueue(lastBytes);
    }

    @Override
    public void close(int member) {
      ServerSession s = members.get(member);
      if (s != null) {
        s.requestClose();
      }
    }

    @Override
    public void log(String event) {
      ChatServer.this.log(event);
    }
  }

  /** Server settings; every setter documents its default. {@link #build()} validates. */
  public static final class Builder {
    SSLContext context;
    String bindHost = "127.0.0.1";
    int port = 8443;
    TlsProfile profile = TlsProfile.MODERN;
    ClientAuth clientAuth = ClientAuth.NONE;
    int loops;
    int maxLineBytes = 8192;
    long maxOutboundBytes = 1 << 20;
    Duration handshakeTimeout = Duration.ofSeconds(10);
    Function<SSLEngine, HandshakeObserver> observers = e -> HandshakeObserver.NONE;
    Consumer<String> log = line -> {};
    EventLoopGroup group;
    Duration warmUp;
    int warmUpRoundLines = 1500; // lines per warm-up round (tests make it small)
    Duration flushDelay = Duration.ZERO;

    private Builder() {}

    /**
     * How long a line may wait for more lines to the same client, so that they leave as one TLS
     * record and one write; default zero: lines leave at the end of the event loop's pass in which
     * they were queued (lines queued in one pass are always coalesced). A millisecond or two costs
     * that much latency and saves records and writes when many clients talk at once. At most 100
     * ms.
     */
    public Builder flushDelay(Duration delay) {
      this.flushDelay = delay;
      return this;
    }

    /**
     * Before accepting, runs the chat's hot path for at most {@code budget} so that the JIT has
     * compiled it when the first clients come (see {@code WarmUp}); default: no warm-up. The
     * command-line server does it; tests and embedded servers usually do not need to. Null: none.
     */
    public Builder warmUp(Duration budget) {
      this.warmUp = budget;
      return this;
    }

    /** The server's TLS context (required), e.g. {@code TlsContexts.server(certsDir)}. */
    public Builder context(SSLContext ctx) {
      this.context = ctx;
      return this;
    }

    /** Address to listen on; default {@code 127.0.0.1}. */
    public Builder bind(String host) {
      this.bindHost = host;
      return this;
    }

    /** Port; default 8443; 0 lets the OS pick one (see {@link ChatServer#port()}). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** TLS profile; default {@link TlsProfile#MODERN}. */
    public Builder profile(TlsProfile profile) {
      this.profile = profile;
      return this;
    }

    /** Whether to ask for client certificates; default {@link ClientAuth#NONE}. */
    public Builder clientAuth(ClientAuth auth) {
      this.clientAuth = auth;
      return this;
    }

    /** Number of event loops; default 0 = one per core. */
    public Builder loops(int loops) {
      this.loops = loops;
      return this;
    }

    /** Longest accepted line in bytes; default 8192. A longer line closes the connection. */
    public Builder maxLineBytes(int max) {
      this.maxLineBytes = max;
      return this;
    }

    /** Bytes queued for one client before it counts as stuck and is dropped; default 1 MiB. */
    public Builder maxOutboundBytes(long max) {
      this.maxOutboundBytes = max;
      return this;
    }

    /** Time allowed for the TLS handshake after accept; default 10 s. */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      return this;
    }

    /** Makes a handshake observer per connection (trace, key log); default none. */
    public Builder observers(Function<SSLEngine, HandshakeObserver> factory) {
      this.observers = factory;
      return this;
    }

    /** Receives log lines (joins, leaves, dropped connections); default: discarded. */
    public Builder log(Consumer<String> log) {
      this.log = log;
      return this;
    }

    /** Runs on a shared group of loops instead of its own (the group is not closed). */
    public Builder group(EventLoopGroup group) {
      this.group = group;
      return this;
    }

    /** TLS profile chosen. */
    public TlsProfile profile() {
      return profile;
    }

    /** Client-auth mode chosen. */
    public ClientAuth clientAuth() {
      return clientAuth;
    }

    /** Longest accepted line. */
    public int maxLineBytes() {
      return maxLineBytes;
    }

    /** Validates and builds a (not yet started) server. */
    public ChatServer build() {
      if (context == null) {
        throw LabException.badInput("chat server: no TLS context given (context(...))");
      }
      if (port < 0 || port > 65535) {
        throw LabException.badInput("chat server: port must be 0..65535, got " + port);
      }
      if (profile == null || clientAuth == null || observers == null || log == null) {
        throw LabException.badInput(
            "chat server: profile, clientAuth, observers and log must not be null");
      }
      if (loops < 0) {
        throw LabException.badInput(
            "chat server: loops must be >= 0 (0 = one per core), got " + loops);
      }
      if (maxLineBytes < 16) {
        throw LabException.badInput("chat server: maxLineBytes must be >= 16, got " + maxLineBytes);
      }
      if (maxOutboundBytes < 1024) {
        throw LabException.badInput(
            "chat server: maxOutboundBytes must be >= 1024, got " + maxOutboundBytes);
      }
      if (flushDelay == null
          || flushDelay.isNegative()
          || flushDelay.compareTo(Duration.ofMillis(100)) > 0) {
        throw LabException.badInput("chat server: flushDelay must be 0..100 ms, got " + flushDelay);
      }
      if (handshakeTimeout == null || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
        throw LabException.badInput("chat server: handshakeTimeout must be positive");
      }
      return new ChatServer(this);
    }
  }
}
