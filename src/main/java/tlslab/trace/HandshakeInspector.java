package tlslab.trace;

import java.io.ByteArrayOutputStream;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import tlslab.common.LabException;
import tlslab.tls.HandshakeObserver;
import tlslab.trace.internal.CertificateChain;
import tlslab.trace.internal.ClientHelloRandom;
import tlslab.trace.internal.Dispatcher;
import tlslab.trace.internal.KeyCollector;

/**
 * Watches TLS handshakes made with JSSE and turns them into a {@linkplain TraceEvent trace} and/or
 * an {@linkplain NssKeyLog NSS key log}.
 *
 * <p>How it works: with {@code javax.net.debug} set to the empty string (see {@code
 * JsseSetup.prepare}), JSSE reports every handshake message it produces or consumes to {@code
 * System.getLogger("javax.net.ssl")}; the lab's logger finder hands those records, on the
 * handshaking thread, to the connection this inspector says that thread is working for. For an
 * {@link SSLEngine} driven by the lab's driver, use {@link #observer()}: the driver's callbacks
 * tell which engine a thread is busy with. For an {@link SSLSocket}, the thread that handshakes
 * {@link #enter enters} the connection.
 *
 * <p>Key logging reads secrets from JSSE's internals at every step (TLS 1.3 handshake secrets only
 * exist during the handshake) and writes the lines when the handshake finishes. Where a secret
 * cannot be obtained it writes nothing for that connection and reports a problem instead.
 *
 * <p>Attribution: an engine is recognised by the lock JSSE holds while it works, also in delegated
 * tasks run on other threads. Its very first record (a client's Client Hello, logged in the first
 * {@code wrap}, before the driver's first callback) is handed over at that callback, matched by the
 * client random on the wire. Untraced engines in the same process are never mixed in.
 *
 * <p>Certificates: a Certificate event carries the SHA-256 fingerprint of each certificate ({@link
 * HandshakeFields#certificateSha256}), which tells one lab CA's certificates from another's where
 * subjects cannot. JSSE's record has only formatted text, and a TLS 1.3 Certificate is encrypted on
 * the wire, so the chain is read from the connection's handshake session once JSSE has processed
 * the message: the event is held back until that side's next message or driver callback (at the
 * latest, the end of the handshake), and then sent with its original time. Its place in the trace
 * does not change.
 */
public final class HandshakeInspector implements AutoCloseable {
  private final Consumer<TraceEvent> trace;
  private final NssKeyLog keyLog;
  private final Consumer<String> onProblem;
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final Map<Object, Conn> connections = Collections.synchronizedMap(new WeakHashMap<>());
  private final AtomicInteger nextId = new AtomicInteger(1);
  private boolean observing;
  private volatile boolean closed;

  private HandshakeInspector(Builder b) {
    this.trace = b.trace;
    this.keyLog = b.keyLog;
    this.onProblem = b.onProblem;
  }

  /** Starts a builder; neither a trace nor a key log is the default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link HandshakeInspector}. */
  public static final class Builder {
    private Consumer<TraceEvent> trace;
    private NssKeyLog keyLog;
    private Consumer<String> onProblem = p -> {};

    private Builder() {}

    /** Receives each event, on the handshaking thread, as it happens. Default: no trace. */
    public Builder trace(Consumer<TraceEvent> sink) {
      this.trace = sink;
      return this;
    }

    /** Writes every finished handshake's secrets here. Default: no key log. */
    public Builder keyLog(NssKeyLog log) {
      this.keyLog = log;
      return this;
    }

    /**
     * Told (besides {@link #problems()}) when a connection's secrets cannot be obtained. Default:
     * nothing beyond {@link #problems()}.
     */
    public Builder onProblem(Consumer<String> listener) {
      this.onProblem = listener;
      return this;
    }

    /**
     * Builds the inspector.
     *
     * @throws LabException {@code ENVIRONMENT} when JSSE's debug hooks are not active in this
     *     process (they must be switched on before JSSE initialises)
     */
    public HandshakeInspector build() {
      String why = Dispatcher.whyHooksInactive();
      if (why != null && (trace != null || keyLog != null)) {
        throw LabException.environment(
            "JSSE debug hooks are off ("
                + why
                + "); JsseSetup.prepare(..., true) must run before"
                + " any TLS use");
      }
      return new HandshakeInspector(this);
    }
  }

  /** A connection's attribution of the current thread; closing it restores the previous one. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** What the inspector learnt about one connection. */
  public record ConnectionInfo(int id, Side side, byte[] wireClientRandom) {}

  /**
   * An observer for the lab's SSLEngine driver; one instance serves any number of engines,
   * numbering connections 1, 2, … in the order their engines are first seen.
   */
  public synchronized HandshakeObserver observer() {
    if (!observing && !closed) {
      observing = true;
      Dispatcher.observers(+1);
    }
    return new HandshakeObserver() {
      @Override
      public void onRecords(SSLEngine engine, boolean outbound, ByteBuffer records) {
        Conn c = connection(engine, 0);
        boolean first = c.wireRandom() == null;
        c.releaseCertificate(null);
        c.releaseAlert(null);
        c.records(outbound, records);
        byte[] random = c.wireRandom();
        if (!c.byLock) {
          Dispatcher.claim(c);
        } else if (first && random != null && outbound) {
          // The client's Client Hello was logged in its first wrap, before this callback.
          Dispatcher.claimClientHello(c, HexFormat.of().withUpperCase().formatHex(random));
        }
      }

      @Override
      public void onHandshakeStep(SSLEngine engine) {
        Conn c = connection(engine, 0);
        if (!c.byLock) {
          Dispatcher.claim(c);
        }
        c.releaseCertificate(null);
        c.releaseAlert(null);
        c.snapshot();
      }

      @Override
      public void onHandshakeFinished(SSLEngine engine) {
        Conn c = connection(engine, 0);
        if (!c.byLock) {
          Dispatcher.claim(c);
        }
        c.finished(engine.getSession());
      }
    };
  }

  /**
   * Attributes this thread's JSSE records to {@code socket} until the scope is closed: call it on
   * the thread that handshakes and reads.
   *
   * @param connection the connection number to show (client and server socket of one connection in
   *     the same process share it), or 0 to number it automatically
   */
  public Scope enter(SSLSocket socket, int connection) {
    Conn c = connection(socket, connection);
    Dispatcher.Target previous = Dispatcher.enter(c);
    return () -> Dispatcher.restore(previous);
  }

  /** Bytes the socket's underlying TCP socket sent ({@code outbound}) or received. */
  public void socketBytes(SSLSocket socket, boolean outbound, ByteBuffer bytes) {
    connection(socket, 0).records(outbound, bytes);
  }

  /** The socket's handshake finished: write its key log lines. */
  public void socketFinished(SSLSocket socket) {
    connection(socket, 0).finished(socket.getSession());
  }

  /** Problems met so far (e.g. a secret that could not be read), one line each. */
  public List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  /** Facts about the connections seen so far, by first sight. */
  public List<ConnectionInfo> connections() {
    List<ConnectionInfo> out = new ArrayList<>();
    synchronized (connections) {
      for (Conn c : connections.values()) {
        out.add(new ConnectionInfo(c.id, c.side, c.wireRandom()));
      }
    }
    out.sort(
        (a, b) ->
            a.id() != b.id() ? Integer.compare(a.id(), b.id()) : a.side().compareTo(b.side()));
    return out;
  }

  /**
   * Stops watching. A Certificate event still waiting for its chain (a handshake cut short right
   * after it) is sent now, without fingerprints.
   */
  @Override
  public void close() {
    List<Conn> all;
    synchronized (connections) {
      all = new ArrayList<>(connections.values());
    }
    for (Conn c : all) {
      c.releaseCertificate(null);
      c.releaseAlert(null);
    }
    synchronized (this) {
      if (observing && !closed) {
        Dispatcher.observers(-1);
      }
      closed = true;
    }
  }

  private Conn connection(Object transport, int id) {
    synchronized (connections) {
      Conn c = connections.get(transport);
      if (c == null) {
        boolean client =
            transport instanceof SSLEngine
                ? ((SSLEngine) transport).getUseClientMode()
                : ((SSLSocket) transport).getUseClientMode();
        c =
            new Conn(
                id > 0 ? id : nextId.getAndIncrement(),
                client ? Side.CLIENT : Side.SERVER,
                transport);
        connections.put(transport, c);
        if (transport instanceof SSLEngine) {
          c.byLock = Dispatcher.registerEngine((SSLEngine) transport, c);
        }
      }
      return c;
    }
  }

  /** One side of one connection: the dispatcher's target for it. */
  private final class Conn implements Dispatcher.Target {
    final int id;
    final Side side;

    /** Weak: a connection's state must die with its engine or socket (the map key). */
    final WeakReference<Object> transport;

    final KeyCollector keys = keyLog != null ? new KeyCollector() : null;

    /** The first bytes each way, until the Client Hello's random is in. */
    final ByteArrayOutputStream firstBytes = new ByteArrayOutputStream();

    byte[] wireRandom;
    boolean finished;

    String lastAlert;
    boolean lastAlertFatal;
    Instant lastAlertTime = Instant.EPOCH;

    /** A produced alert waiting for its name (see releaseAlert), and when it was logged. */
    private RecordParser.Parsed pendingAlert;

    private Instant pendingAlertTime;

    /** A Certificate event waiting for its chain's fingerprints (see releaseCertificate). */
    private TraceEvent pendingCertificate;

    /** An engine recognised by JSSE's lock, not by the thread its callbacks run on. */
    volatile boolean byLock;

    Conn(int id, Side side, Object transport) {
      this.id = id;
      this.side = side;
      this.transport = new WeakReference<>(transport);
    }

    @Override
    public boolean active() {
      return !closed && transport.get() != null;
    }

    @Override
    public void onRecord(Instant time, String message, String parameter) {
      RecordParser.Parsed m = RecordParser.parse(message, parameter);
      if (m == null) {
        // The record asked for after an unnamed alert: the cipher's dump that names it, if any.
        releaseAlert(RecordParser.alertFromPlaintext(message, parameter));
        return;
      }
      if (m != null) onMessage(time, m);
    }

    /**
     * Sends the produced alert held back by {@link #onMessage}, named if {@code named} (the
     * cipher's plaintext dump) says which it is: called at this side's next record or driver
     * callback, and when the inspector closes.
     */
    void releaseAlert(RecordParser.Parsed named) {
      RecordParser.Parsed held;
      Instant time;
      synchronized (this) {
        held = pendingAlert;
        time = pendingAlertTime;
        pendingAlert = null;
      }
      if (held != null) {
        emit(time, named != null ? named : held);
      }
    }

    private void onMessage(Instant time, RecordParser.Parsed m) {
      releaseAlert(null);
      if (RecordParser.isUnnamedProducedAlert(m)) {
        // An engine's "WRITE: TLSv1.2 alert, length = 2": the cipher's dump of the record's
        // plaintext follows at once on this thread and names the alert.
        synchronized (this) {
          pendingAlert = m;
          pendingAlertTime = time;
        }
        Dispatcher.wantNextPlaintext();
        return;
      }
      emit(time, m);
    }

    private void emit(Instant time, RecordParser.Parsed m) {
      if (m.type() == MessageType.ALERT && m.direction() == Direction.PRODUCED) {
        // A socket logs a fatal alert twice: "Fatal (X)" when deciding, "WRITE: alert(x)" when
        // sending. Show it once.
        synchronized (this) {
          String alert = m.fields().alert();
          boolean recent = time.isBefore(lastAlertTime.plusSeconds(2));
          // An engine's unnamed WRITE of a fatal alert (a CBC record: no plaintext dump) right
          // after its "Fatal (X)" is that alert too.
          if (recent
              && lastAlert != null
              && (alert == null ? lastAlertFatal : alert.equals(lastAlert))) {
            return;
          }
          lastAlert = alert;
          lastAlertFatal = "fatal".equals(m.variant());
          lastAlertTime = time;
        }
      }
      if (trace != null) {
        releaseCertificate(null);
        TraceEvent e =
            new TraceEvent(time, side, id, m.direction(), m.type(), m.variant(), m.fields());
        if (m.type() == MessageType.CERTIFICATE) {
          synchronized (this) {
            pendingCertificate = e;
          }
        } else {
          trace.accept(e);
        }
      }
      snapshot();
    }

    /**
     * Sends the Certificate event held back by {@link #onMessage}, with the fingerprints of the
     * chain it carried: JSSE logs the message before it has processed it, and its text has no DER.
     * Called at this side's next message or driver callback, when the chain is in the handshake
     * session (or in {@code finished}, the established session), and never under this object's
     * monitor: asking the engine takes JSSE's engine lock, and a thread holding that lock may be
     * logging a record for this connection.
     */
    void releaseCertificate(SSLSession finished) {
      TraceEvent held;
      synchronized (this) {
        held = pendingCertificate;
        pendingCertificate = null;
      }
      if (held == null || trace == null) {
        return;
      }
      boolean local = held.direction() == Direction.PRODUCED;
      Object t = transport.get();
      List<String> sha256 = List.of();
      try {
        sha256 =
            finished != null
                ? CertificateChain.sha256(finished, local)
                : t != null ? CertificateChain.sha256(t, local) : List.of();
      } catch (RuntimeException e) {
        // A trace must never break the handshake it watches: send the event without fingerprints.
      }
      trace.accept(
          new TraceEvent(
              held.time(),
              held.side(),
              held.connection(),
              held.direction(),
              held.message(),
              held.variant(),
              held.fields().withCertificateSha256(sha256)));
    }

    void snapshot() {
      Object t = transport.get();
      if (keys != null && t != null) {
        keys.snapshot(t);
      }
    }

    synchronized void records(boolean outbound, ByteBuffer bytes) {
      // The Client Hello is the first thing a client sends and a server receives (RFC 5246 §7.3).
      boolean clientHelloWay = outbound == (side == Side.CLIENT);
      if (wireRandom == null && clientHelloWay && firstBytes.size() < 64) {
        ByteBuffer b = bytes.duplicate();
        while (b.hasRemaining() && firstBytes.size() < 64) {
          firstBytes.write(b.get());
        }
        byte[] random = ClientHelloRandom.find(ByteBuffer.wrap(firstBytes.toByteArray()));
        if (random != null) {
          wireRandom = random;
          if (keys != null) {
            keys.wireClientRandom(random);
          }
        }
      }
      snapshot();
    }

    synchronized byte[] wireRandom() {
      return wireRandom == null ? null : wireRandom.clone();
    }

    void finished(SSLSession session) {
      releaseCertificate(session);
      snapshot();
      synchronized (this) {
        if (finished || keys == null) {
          return;
        }
        finished = true;
      }
      try {
        keyLog.write(keys.finish(session));
      } catch (LabException e) {
        problems.add(e.getMessage());
        onProblem.accept(e.getMessage());
      }
    }
  }
}
