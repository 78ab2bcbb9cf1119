package tlslab.mitm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tlslab.common.LabException;
import tlslab.wire.ContentType;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.ProtocolVersion;

/**
 * An attacker on the path who does <em>not</em> terminate TLS: a TCP relay that reads the byte
 * stream as TLS records and passes them on, whole. With {@code tamper == null} ({@code --tap}) it
 * changes nothing and logs what such an attacker sees: record types, versions and lengths, the
 * handshake in clear until the keys change, and then only ciphertext. With a {@link TamperMode} it
 * rewrites the first Client Hello ({@link HelloEditor}) and logs how the handshake ends.
 *
 * <p>Blocking sockets, two threads per connection (one per direction): a relay has nothing to
 * multiplex, and records are forwarded as soon as they are complete.
 */
public final class RecordRelay implements AutoCloseable {
  /** Largest record a peer may send (RFC 8446 §5.2: 2^14 + 256; RFC 5246 allows + 2048). */
  private static final int MAX_RECORD = 5 + 16384 + 2048;

  private final Options options;
  private final MitmLog log;
  private final AtomicInteger ids = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket server;
  private volatile boolean closing;

  /**
   * @param bindHost where to listen (loopback unless the user says otherwise)
   * @param port the port to listen on (0: any free port)
   * @param upstreamHost the real server
   * @param upstreamPort its port
   * @param tamper the edit to make, or null to pass every byte unchanged
   */
  public record Options(
      String bindHost, int port, String upstreamHost, int upstreamPort, TamperMode tamper) {}

  public RecordRelay(Options options, MitmLog log) {
    this.options = options;
    this.log = log;
  }

  /** Binds and starts accepting; returns this. */
  public RecordRelay start() {
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getByName(options.bindHost()), options.port()));
    } catch (IOException e) {
      throw LabException.network(
          "cannot listen on " + options.bindHost() + ":" + options.port() + ": " + e.getMessage(),
          e);
    }
    log.entry("start", 0)
        .put("mode", options.tamper() == null ? "tap" : "tamper")
        .put("tamper", options.tamper() == null ? null : options.tamper().label())
        .put("listen", options.bindHost() + ":" + port())
        .put("upstream", options.upstreamHost() + ":" + options.upstreamPort())
        .write();
    Thread t = new Thread(this::acceptLoop, "mitm-relay-accept");
    t.setDaemon(true);
    t.start();
    return this;
  }

  /** The port listened on. */
  public int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() {
    closing = true;
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // Already closed.
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void acceptLoop() {
    while (!closing) {
      Socket victim;
      try {
        victim = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      int id = ids.incrementAndGet();
      Thread t = new Thread(() -> relay(id, victim), "mitm-relay-" + id);
      t.setDaemon(true);
      t.start();
    }
  }

  private void relay(int id, Socket victim) {
    open.add(victim);
    log.entry("accept", id).put("victim", victim.getRemoteSocketAddress().toString()).write();
    Socket upstream = new Socket();
    open.add(upstream);
    try {
      victim.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(
          new InetSocketAddress(options.upstreamHost(), options.upstreamPort()), 10_000);
    } catch (IOException e) {
      log.entry("refused", id)
          .put("leg", "upstream")
          .put("reason", "cannot connect to the real server: " + e.getMessage())
          .write();
      closeQuietly(victim);
      closeQuietly(upstream);
      open.remove(victim);
      open.remove(upstream);
      return;
    }
    RecordView fromVictim = new RecordView(false);
    RecordView fromServer = new RecordView(true);
    Direction toServer = new Direction(id, "victim", victim, upstream, fromVictim, fromServer);
    Direction toVictim = new Direction(id, "server", upstream, victim, fromServer, fromVictim);
    Thread back = new Thread(toVictim::run, "mitm-relay-" + id + "-back");
    back.setDaemon(true);
    back.start();
    toServer.run();
    try {
      back.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(victim);
    closeQuietly(upstream);
    log.entry("closed", id)
        .put("bytes_from_victim", toServer.bytes)
        .put("bytes_from_server", toVictim.bytes)
        .put("records_from_victim", toServer.records)
        .put("records_from_server", toVictim.records)
        .write();
    open.remove(victim);
    open.remove(upstream);
  }

  /** One direction of one connection: reads records from {@code in}, writes them to {@code out}. */
  private final class Direction {
    final int id;
    final String from;
    final Socket in;
    final Socket out;
    final RecordView view;
    final RecordView peer;
    long bytes;
    long records;
    boolean edited;
    boolean raw; // not TLS: passed on unparsed

    Direction(int id, String from, Socket in, Socket out, RecordView view, RecordView peer) {
      this.id = id;
      this.from = from;
      this.in = in;
      this.out = out;
      this.view = view;
      this.peer = peer;
    }

    void run() {
      byte[] buf = new byte[2 * MAX_RECORD];
      int len = 0;
      try {
        InputStream is = in.getInputStream();
        OutputStream os = out.getOutputStream();
        while (true) {
          int n = is.read(buf, len, buf.length - len);
          if (n < 0) {
            if (len > 0) {
              os.write(buf, 0, len); // an unfinished record: the peer gets what there was
              log.entry("record", id)
                  .put("from", from)
                  .put("truncated", true)
                  .put("length", len)
                  .write();
            }
            break;
          }
          bytes += n;
          len += n;
          if (raw) {
            os.write(buf, 0, len);
            len = 0;
            continue;
          }
          if (!RecordView.plausibleHeader(buf, len)) {
            raw = true;
            log.entry("record", id)
                .put("from", from)
                .put("content_type", "not TLS")
                .put("note", "bytes that are no TLS record: passed on unparsed from here")
                .write();
            os.write(buf, 0, len);
            len = 0;
            continue;
          }
          int r;
          while ((r = RecordView.completeRecord(buf, len)) > 0) {
            byte[] record = java.util.Arrays.copyOf(buf, r);
            System.arraycopy(buf, r, buf, 0, len - r);
            len -= r;
            os.write(forward(record));
          }
          os.flush();
        }
      } catch (SocketException e) {
        // The other direction closed both sockets.
      } catch (IOException e) {
        if (!closing) {
          log.entry("record", id).put("from", from).put("error", e.getMessage()).write();
        }
      } finally {
        try {
          out.shutdownOutput(); // the peer sees our end of stream as the sender's
        } catch (IOException ignored) {
          // Already closed.
        }
        if ("server".equals(from)) {
          // The real server is done: nothing more can reach the victim.
          closeQuietly(in);
          closeQuietly(out);
        }
      }
    }

    /** Logs the record (and edits it, once, in tamper mode); returns the bytes to send. */
    private byte[] forward(byte[] record) {
      records++;
      byte[] send = record;
      if (options.tamper() != null
          && !edited
          && "victim".equals(from)
          && record[0] == ContentType.HANDSHAKE.code()) {
        edited = true;
        HelloEditor.Edit e = HelloEditor.edit(options.tamper(), record);
        MitmLog.Entry entry =
            log.entry("edit", id)
                .put("mode", options.tamper().label())
                .put("changed", e.changed())
                .put("field", e.field())
                .put("before", e.before())
                .put("after", e.after())
                .put("removed_extensions", e.removedExtensions())
                .put("problem", e.problem());
        var hello = HandshakeMessages.clientHello(record, 9, record.length).valueOrNull();
        if (hello != null) {
          entry.put("client_random", HexFormat.of().formatHex(hello.random()));
        }
        entry.write();
        send = e.record();
      }
      RecordView.Seen s = view.read(send, send.length, peer);
      MitmLog.Entry entry =
          log.entry("record", id)
              .put("from", from)
              .put("content_type", ContentType.of(s.contentType()).label())
              .put("version", ProtocolVersion.labelOf(s.version()))
              .put("length", s.length())
              .put("encrypted", s.encrypted());
      if (!s.messages().isEmpty()) {
        entry.put("messages", s.messages());
      }
      if (s.alert() != null) {
        entry.put("level", s.alertLevel() == 2 ? "fatal" : "warning");
        entry.put("description", s.alert().rfcName());
      }
      entry.write();
      if (s.alert() != null) {
        log.entry("alert", id)
            .put("leg", "relay")
            .put("from", from)
            .put("level", s.alertLevel() == 2 ? "fatal" : "warning")
            .put("description", s.alert().rfcName())
            .put("source", "record")
            .write();
      }
      if (s.serverHello() != null) {
        var sh = s.serverHello();
        log.entry("server_hello", id)
            .put("version", ProtocolVersion.of(sh.version()).rfcName())
            .put("cipher_suite", tlslab.wire.CipherSuite.labelOf(sh.cipherSuite()))
            .put("random", HexFormat.of().formatHex(sh.random()))
            .put("hello_retry_request", sh.helloRetryRequest())
            .put("downgrade_sentinel", HelloEditor.downgradeSentinel(sh.random()))
            .write();
      }
      return send;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Closing a broken socket.
    }
  }
}
