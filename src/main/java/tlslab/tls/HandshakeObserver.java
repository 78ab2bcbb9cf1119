package tlslab.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;

/**
 * A hook through which the one class that drives an {@link SSLEngine} lets others watch a
 * connection's handshake without touching the engine's control flow: the trace module uses it to
 * tie JSSE's debug records to a connection, and the key logger to read secrets while the handshake
 * runs (TLS 1.3 handshake secrets exist only then).
 *
 * <p>Callbacks run on the thread that called {@code wrap}/{@code unwrap}; they must be quick and
 * must not throw. Buffers are read-only views positioned over exactly the bytes concerned.
 */
public interface HandshakeObserver {
  /** An observer that does nothing. */
  HandshakeObserver NONE = new HandshakeObserver() {};

  /**
   * TLS records the engine just produced ({@code outbound}) or is about to consume, while the
   * handshake is in progress and for the first few (four) wrap/unwrap calls after it, which carry,
   * for example, the TLS 1.3 NewSessionTicket. Inbound: exactly one complete record, passed just
   * before {@code unwrap} consumes it. Outbound: what one {@code wrap} produced (one or more whole
   * records), passed before it is written to the socket.
   */
  default void onRecords(SSLEngine engine, boolean outbound, ByteBuffer records) {}

  /** After every {@code wrap} or {@code unwrap} call while the engine is handshaking. */
  default void onHandshakeStep(SSLEngine engine) {}

  /** Once, when the engine reports the handshake {@code FINISHED}. */
  default void onHandshakeFinished(SSLEngine engine) {}
}
