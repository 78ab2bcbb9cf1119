package tlslab.trace.internal;

import java.nio.ByteBuffer;

/**
 * Finds the client random in the first TLS record of a connection, without consuming the buffer.
 *
 * <pre>
 * struct { ContentType type = 22; ProtocolVersion version; uint16 length; ... } TLSPlaintext;  // RFC 5246 §6.2.1
 * struct { HandshakeType msg_type = 1; uint24 length; ProtocolVersion client_version;
 *          Random random; ... } ClientHello;                                                 // RFC 5246 §7.4.1.2
 * </pre>
 *
 * So the 32 random bytes sit at offset 5 (record header) + 4 (handshake header) + 2 (version).
 */
public final class ClientHelloRandom {
  private static final int OFFSET = 11;
  private static final int LENGTH = 32;

  private ClientHelloRandom() {}

  /**
   * The random of the Client Hello at the buffer's position, or {@code null} when the bytes there
   * are not the start of a Client Hello (or too short to hold its random).
   */
  public static byte[] find(ByteBuffer records) {
    int p = records.position();
    if (records.limit() - p < OFFSET + LENGTH) {
      return null;
    }
    if (records.get(p) != 22 || records.get(p + 1) != 3 || records.get(p + 5) != 1) {
      return null;
    }
    byte[] random = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      random[i] = records.get(p + OFFSET + i);
    }
    return random;
  }
}
