package tlslab.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import tlslab.common.LabException;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.internal.OnlyGroup;
import tlslab.trace.internal.TapSocket;

/**
 * {@code lab trace}: a client and a server in one process, talking TLS over loopback TCP (a real
 * socket on a port the OS picks), each on its own thread with JSSE's {@link SSLSocket}. Both sides
 * are traced, so the timeline shows every message twice: produced by one side, consumed by the
 * other. The client sends one line, the server echoes it, the client closes. With {@code resume}
 * the client connects a second time and offers the session it got (a TLS 1.2 session ticket, RFC
 * 5077, or a TLS 1.3 pre-shared key, RFC 8446 §2.2): the server accepts it and the handshake is
 * abbreviated — no Certificate, no key exchange.
 */
public final class TraceRun {
  /** The client certificate {@code lab trace} uses for client auth. */
  public static final String CLIENT_NAME = "trace";

  private static final int TIMEOUT_MS = 20_000;

  /**
   * The one group a server forced to send a Hello Retry Request accepts. JSSE's client (JDK 17 and
   * 25) sends key shares for its first two groups only, x25519 and secp256r1, and lists this one in
   * supported_groups.
   */
  public static final String RETRY_GROUP = "secp384r1";

  /**
   * What to run.
   *
   * @param profile the TLS profile both sides use
   * @param clientAuth whether the server asks for a client certificate
   * @param resume make a second connection that resumes the first one's session
   * @param certsDir a {@code lab certs init} folder; for client auth it must also hold {@code
   *     client-trace.p12} ({@code lab certs issue --client trace})
   * @param keyLog where to append NSS key log lines, or {@code null}
   * @param line the line the client sends
   * @param beforeConnect told the server's port before the client connects (tests start a capture
   *     there), or {@code null}
   * @param port the loopback port the server listens on; 0 (the default) lets the OS pick one. A
   *     known port lets a capture hold this run's connections only ({@code lab capture --port})
   * @param helloRetry TLS 1.3 only: the server accepts no key-exchange group but {@value
   *     #RETRY_GROUP}, for which JSSE's client sends no key share in its first Client Hello, so the
   *     server must answer with a Hello Retry Request (RFC 8446 §4.1.4)
   */
  public record Options(
      TlsProfile profile,
      ClientAuth clientAuth,
      boolean resume,
      Path certsDir,
      Path keyLog,
      String line,
      IntConsumer beforeConnect,
      int port,
      boolean helloRetry) {
    public Options {
      if (helloRetry && profile != TlsProfile.TLS13) {
        throw new IllegalArgumentException("a Hello Retry Request exists in TLS 1.3 only");
      }
      if (profile == null || clientAuth == null || certsDir == null || line == null) {
        throw new IllegalArgumentException("profile, clientAuth, certsDir and line are required");
      }
      if (line.contains("\n")) {
        throw LabException.badInput("the line to send must be one line");
      }
      if (port < 0 || port > 65535) {
        throw LabException.badInput("port " + port + " is not a TCP port (0 to 65535)");
      }
    }

    /** Without a forced Hello Retry Request. */
    public Options(
        TlsProfile profile,
        ClientAuth clientAuth,
        boolean resume,
        Path certsDir,
        Path keyLog,
        String line,
        IntConsumer beforeConnect,
        int port) {
      this(profile, clientAuth, resume, certsDir, keyLog, line, beforeConnect, port, false);
    }

    /** On a port the OS picks. */
    public Options(
        TlsProfile profile,
        ClientAuth clientAuth,
        boolean resume,
        Path certsDir,
        Path keyLog,
        String line,
        IntConsumer beforeConnect) {
      this(profile, clientAuth, resume, certsDir, keyLog, line, beforeConnect, 0);
    }
  }

  /** How a handshake resumed an earlier session, if it did. */
  public enum Resumption {
    /** A full handshake: certificates and a key exchange. */
    NONE,
    /** TLS 1.2: the server found the session id the client offered in its cache (RFC 5246 §7.3). */
    SESSION_ID,
    /**
     * TLS 1.2: the client offered a session ticket and the server resumed. Inferred, not read:
     * JSSE's trace does not say whether the server took the ticket (RFC 5077 §3.1) or found the
     * session id the client also sent in its cache, which looks the same (RFC 5077 §3.4).
     */
    TICKET_OFFERED,
    /** TLS 1.3: the server accepted the pre-shared key of an earlier ticket (RFC 8446 §2.2). */
    PSK
  }

  /**
   * How one connection ended up: version and suite as the client's session says; the handshake's
   * shape as the traced messages show it.
   *
   * @param resumption how the handshake resumed an earlier session ({@link Resumption#NONE}: it did
   *     not): TLS 1.3 by the server's {@code pre_shared_key} in its Server Hello; TLS 1.2 by the
   *     absence of a Certificate (inferred), then a ticket in the Client Hello or else its session
   *     id
   * @param helloRetryGroup the group the server's Hello Retry Request asked for, or {@code null}
   *     when there was none
   * @param keyExchangeGroup the (EC)DHE group of the key exchange (Server Key Exchange, TLS 1.3
   *     Server Hello key_share), or {@code null} when there was none (RSA key transport, a TLS 1.2
   *     resumption, TLS 1.3 psk_ke)
   */
  public record Connection(
      int id,
      String protocol,
      String cipherSuite,
      Resumption resumption,
      String helloRetryGroup,
      String keyExchangeGroup,
      byte[] wireClientRandom) {
    /** Whether the handshake resumed an earlier session. */
    public boolean resumed() {
      return resumption != Resumption.NONE;
    }
  }

  /**
   * The outcome.
   *
   * @param events every event of both sides, in time order
   * @param connections one entry per connection, in order
   * @param echoed the lines the server echoed back, one per connection
   * @param keyLogLines how many key log lines were written (0 without a key log)
   */
  public record Result(
      List<TraceEvent> events,
      List<Connection> connections,
      List<String> echoed,
      int keyLogLines) {}

  private TraceRun() {}

  /**
   * Runs the exchange.
   *
   * @param live receives each event as it happens (from the client or the server thread); may be
   *     {@code null}
   * @throws LabException {@code NETWORK} when a handshake fails, {@code ENVIRONMENT} when the key
   *     log cannot be written on this JDK
   */
  public static Result run(Options options, Consumer<TraceEvent> live) {
    Path dir = options.certsDir();
    Path clientStore = null;
    if (options.clientAuth() != ClientAuth.NONE) {
      clientStore = clientKeyStore(dir);
      if (!Files.exists(clientStore)) {
        throw LabException.badInput(
            clientStore
                + ": no such file (create it with: lab certs"
                + " issue --client "
                + CLIENT_NAME
                + ")");
      }
    }
    if (options.helloRetry()) {
      checkHelloRetry(dir);
    }
    String serverKey = OnlyGroup.keyAlgorithm(dir.resolve("server.pem"));
    if (options.profile() == TlsProfile.REPORT && serverKey != null && !"RSA".equals(serverKey)) {
      // TLS_RSA_WITH_AES_128_CBC_SHA encrypts the premaster secret to the server's RSA key (RFC
      // 5246 §7.4.7.1): with another key JSSE finds no suite and fails with handshake_failure.
      throw LabException.badInput(
          "--profile report (TLS_RSA key transport) needs an RSA server key: "
              + dir.resolve("server.pem")
              + " has an "
              + serverKey
              + " key (lab certs init --key rsa-2048)");
    }
    SSLContext serverCtx = TlsContexts.server(dir);
    SSLContext clientCtx = TlsContexts.client(dir.resolve("ca.pem"), clientStore, false);
    try {
      return exchange(options, serverCtx, clientCtx, live);
    } catch (IOException e) {
      throw LabException.network("loopback exchange failed: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code --hello-retry} can work with these certificates on this JDK, before anything
   * is written.
   *
   * @throws LabException {@code BAD_INPUT} on JDK 17 to 19 when a certificate has an EC key
   */
  public static void checkHelloRetry(Path dir) {
    if (OnlyGroup.breaksSignatures(
        List.of(dir.resolve("server.pem"), dir.resolve("client-" + CLIENT_NAME + ".pem")))) {
      throw LabException.badInput(
          "--hello-retry on JDK "
              + Runtime.version().feature()
              + " needs RSA certificates (JDK 20 and later take any): "
              + dir
              + " has an EC key; use the default certificates or lab certs init --key rsa-2048");
    }
  }

  /** Where the client's key store for client auth is expected: {@code client-trace.p12}. */
  public static Path clientKeyStore(Path certsDir) {
    return certsDir.resolve("client-" + CLIENT_NAME + ".p12");
  }

  private static Result exchange(
      Options options, SSLContext serverCtx, SSLContext clientCtx, Consumer<TraceEvent> live)
      throws IOException {
    List<TraceEvent> events = Collections.synchronizedList(new ArrayList<>());
    Consumer<TraceEvent> sink =
        e -> {
          events.add(e);
          if (live != null) {
            live.accept(e);
          }
        };
    NssKeyLog keyLog = options.keyLog() == null ? null : NssKeyLog.open(options.keyLog());
    int rounds = options.resume() ? 2 : 1;
    ExecutorService serverThread =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "lab-trace-server"));
    try (HandshakeInspector inspector =
            HandshakeInspector.builder().trace(sink).keyLog(keyLog).build();
        ServerSocket listener = tapServerSocket(options.port())) {
      listener.setSoTimeout(TIMEOUT_MS);
      Future<?> server =
          serverThread.submit(
              () -> {
                for (int i = 1; i <= rounds; i++) {
                  serve(listener, serverCtx, options, inspector, i);
                }
                return null;
              });
      if (options.beforeConnect() != null) {
        options.beforeConnect().accept(listener.getLocalPort());
      }
      List<Connection> connections = new ArrayList<>();
      List<String> echoed = new ArrayList<>();
      for (int i = 1; i <= rounds; i++) {
        Connected c = connect(listener.getLocalPort(), clientCtx, options, inspector, i, echoed);
        connections.add(
            new Connection(
                i,
                c.session().getProtocol(),
                c.session().getCipherSuite(),
                Resumption.NONE,
                null,
                null,
                c.wireClientRandom()));
      }
      await(server);
      if (!inspector.problems().isEmpty()) {
        throw LabException.environment(inspector.problems().get(0));
      }
      List<TraceEvent> sorted = new ArrayList<>(events);
      sorted.sort(Comparator.comparing(TraceEvent::time));
      List<Connection> done = new ArrayList<>();
      for (Connection c : connections) {
        done.add(shape(c, sorted));
      }
      return new Result(sorted, done, echoed, keyLog == null ? 0 : keyLog.lineCount());
    } finally {
      serverThread.shutdownNow();
      if (keyLog != null) {
        keyLog.close();
      }
    }
  }

  /** {@code c} with the handshake's shape, read from its traced messages. */
  private static Connection shape(Connection c, List<TraceEvent> sorted) {
    List<TraceEvent> mine = sorted.stream().filter(e -> e.connection() == c.id()).toList();
    TraceEvent serverHello = produced(mine, Side.SERVER, MessageType.SERVER_HELLO);
    TraceEvent retry = produced(mine, Side.SERVER, MessageType.HELLO_RETRY_REQUEST);
    TraceEvent keyExchange = produced(mine, Side.SERVER, MessageType.SERVER_KEY_EXCHANGE);
    Resumption resumption;
    String group;
    if ("TLSv1.3".equals(c.protocol())) {
      boolean psk =
          serverHello != null && serverHello.fields().extensions().contains("pre_shared_key");
      resumption = psk ? Resumption.PSK : Resumption.NONE;
      // With psk_dhe_ke the Server Hello still carries a key_share (RFC 8446 §4.2.9).
      group = serverHello == null ? null : serverHello.fields().namedGroup();
    } else {
      boolean certificate = mine.stream().anyMatch(e -> e.message() == MessageType.CERTIFICATE);
      if (certificate) {
        resumption = Resumption.NONE;
      } else {
        // The Client Hello this server answered: the client's last one.
        TraceEvent hello = null;
        for (TraceEvent e : mine) {
          if (e.side() == Side.CLIENT
              && e.direction() == Direction.PRODUCED
              && e.message() == MessageType.CLIENT_HELLO) {
            hello = e;
          }
        }
        resumption =
            hello != null && hello.fields().sessionTicketOffered()
                ? Resumption.TICKET_OFFERED
                : Resumption.SESSION_ID;
      }
      group = keyExchange == null ? null : keyExchange.fields().namedGroup();
    }
    return new Connection(
        c.id(),
        c.protocol(),
        c.cipherSuite(),
        resumption,
        retry == null ? null : retry.fields().namedGroup(),
        group,
        c.wireClientRandom());
  }

  private static TraceEvent produced(List<TraceEvent> events, Side side, MessageType type) {
    return events.stream()
        .filter(e -> e.side() == side && e.direction() == Direction.PRODUCED)
        .filter(e -> e.message() == type)
        .findFirst()
        .orElse(null);
  }

  /**
   * A listening socket on 127.0.0.1:{@code port} (0: the OS picks) whose accepted sockets are
   * {@link TapSocket}s.
   */
  private static ServerSocket tapServerSocket(int port) throws IOException {
    ServerSocket s =
        new ServerSocket() {
          @Override
          public Socket accept() throws IOException {
            TapSocket t = new TapSocket();
            implAccept(t);
            return t;
          }
        };
    try {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      s.close();
      throw LabException.network(
          "cannot listen on 127.0.0.1:"
              + port
              + ": "
              + e.getMessage()
              + (port != 0 ? " (another program holds it: choose another --port)" : ""),
          e);
    }
    return s;
  }

  private static void serve(
      ServerSocket listener, SSLContext ctx, Options options, HandshakeInspector inspector, int id)
      throws IOException {
    TapSocket raw = (TapSocket) listener.accept();
    raw.setSoTimeout(TIMEOUT_MS);
    SSLSocket tls = TlsContexts.serverSocket(ctx, raw, options.profile(), options.clientAuth());
    if (options.helloRetry()) {
      SSLParameters p = tls.getSSLParameters();
      OnlyGroup.apply(p, RETRY_GROUP);
      tls.setSSLParameters(p);
    }
    raw.listener((out, bytes) -> inspector.socketBytes(tls, out, bytes));
    HandshakeInspector.Scope scope = inspector.enter(tls, id);
    try {
      tls.startHandshake();
      inspector.socketFinished(tls);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line != null) {
        OutputStream out = tls.getOutputStream();
        out.write(("echo: " + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        // Read until the client's close_notify so that its alert is traced too.
        while (in.readLine() != null) {
          // the client sends nothing more
        }
      }
    } finally {
      closeInScope(tls, scope);
    }
  }

  /** Closes the socket while its scope is still entered, so that its close_notify is traced. */
  private static void closeInScope(SSLSocket tls, HandshakeInspector.Scope scope)
      throws IOException {
    try {
      tls.close();
    } finally {
      scope.close();
    }
  }

  /**
   * A client connection's session and the client random its socket sent, read while the socket is
   * still open: the inspector holds its sockets weakly, so once a closed socket is collected its
   * connection is gone from {@link HandshakeInspector#connections()} (a garbage collection between
   * the rounds and the end of the run once lost connection 1's random).
   */
  private record Connected(SSLSession session, byte[] wireClientRandom) {}

  private static Connected connect(
      int port,
      SSLContext ctx,
      Options options,
      HandshakeInspector inspector,
      int id,
      List<String> echoed)
      throws IOException {
    TapSocket raw = new TapSocket();
    raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
    raw.setSoTimeout(TIMEOUT_MS);
    // "localhost", not the IP: the server certificate names localhost, and the client session
    // cache (which resumption needs) is keyed by host and port.
    SSLSocket tls = TlsContexts.clientSocket(ctx, raw, options.profile(), "localhost", port);
    raw.listener((out, bytes) -> inspector.socketBytes(tls, out, bytes));
    HandshakeInspector.Scope scope = inspector.enter(tls, id);
    try {
      try {
        tls.startHandshake();
      } catch (SSLException e) {
        throw LabException.network("TLS handshake failed: " + e.getMessage(), e);
      }
      inspector.socketFinished(tls);
      OutputStream out = tls.getOutputStream();
      out.write((options.line() + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
      echoed.add(in.readLine());
      byte[] random =
          inspector.connections().stream()
              .filter(x -> x.id() == id && x.side() == Side.CLIENT)
              .map(HandshakeInspector.ConnectionInfo::wireClientRandom)
              .findFirst()
              .orElse(null);
      return new Connected(tls.getSession(), random);
    } catch (SocketTimeoutException e) {
      throw LabException.network("the server did not answer within " + TIMEOUT_MS + " ms", e);
    } finally {
      closeInScope(tls, scope);
    }
  }

  private static void await(Future<?> server) {
    try {
      server.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.network("interrupted", e);
    } catch (TimeoutException e) {
      throw LabException.network("the server thread did not finish in time", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LabException) {
        throw (LabException) cause;
      }
      throw LabException.network("server side failed: " + cause, cause);
    }
  }
}
