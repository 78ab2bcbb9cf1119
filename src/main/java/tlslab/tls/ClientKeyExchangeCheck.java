package tlslab.tls;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Watches the bytes a TLS 1.2 client sends in plaintext (before its Change Cipher Spec) for a
 * Client Key Exchange whose length does not add up, which JSSE lets through.
 *
 * <p>Why: a Client Key Exchange carries one vector (RFC 5246 §7.4.7): the RSA-encrypted premaster
 * ({@code opaque<0..2^16-1>}, §7.4.7.1), or the client's ECDHE share ({@code opaque
 * point<1..2^8-1>}, RFC 8422 §5.7). JSSE reads the vector and ignores whatever follows it inside
 * the message, so a message padded by one byte is accepted and the server then waits for a Change
 * Cipher Spec that never comes (tlsfuzzer's "padded Client Key Exchange": the client waits for an
 * alert, the server for the next flight, until a timeout). The message's length and its vector's
 * must agree; otherwise the message cannot be decoded and the answer is {@code decode_error} (RFC
 * 5246 §7.2.2).
 *
 * <p>A stream parser over the bytes as they arrive (records may split or join handshake messages,
 * RFC 5246 §6.2.1); it never consumes the caller's buffer and stops at the first record that is not
 * a plaintext handshake record. Not thread-safe: one per connection, on its loop.
 */
public final class ClientKeyExchangeCheck {
  private static final int HANDSHAKE = 22;
  private static final int CLIENT_KEY_EXCHANGE = 16;

  /** Plaintext flights larger than this are JSSE's business (it refuses >32 KiB messages). */
  private static final int MAX_BYTES = 1 << 17;

  private final Supplier<String> cipherSuite;
  private byte[] records = new byte[2048];
  private int recordsLen;
  private int recordPos;
  private byte[] messages = new byte[2048];
  private int messagesLen;
  private int messagePos;
  private int total;
  private boolean done;

  /**
   * @param cipherSuite the negotiated suite's JSSE name when a Client Key Exchange arrives (e.g.
   *     the handshake session's), or null when unknown: then the message is not checked
   */
  public ClientKeyExchangeCheck(Supplier<String> cipherSuite) {
    this.cipherSuite = cipherSuite;
  }

  /**
   * Feeds {@code length} bytes of {@code buf} from absolute index {@code from} (the buffer is not
   * changed) and returns null while all is well, or why the connection must fail with {@code
   * decode_error}.
   */
  public String feed(ByteBuffer buf, int from, int length) {
    if (done || length <= 0) {
      return null;
    }
    total += length;
    if (total > MAX_BYTES) {
      return stop(null);
    }
    records = ensure(records, recordsLen, length);
    for (int i = 0; i < length; i++) {
      records[recordsLen++] = buf.get(from + i);
    }
    while (recordsLen - recordPos >= 5) {
      int type = records[recordPos] & 0xff;
      int len = ((records[recordPos + 3] & 0xff) << 8) | (records[recordPos + 4] & 0xff);
      if (type != HANDSHAKE) {
        return stop(null); // Change Cipher Spec, an alert, or encrypted data: plaintext is over
      }
      if (recordsLen - recordPos < 5 + len) {
        break;
      }
      messages = ensure(messages, messagesLen, len);
      System.arraycopy(records, recordPos + 5, messages, messagesLen, len);
      messagesLen += len;
      recordPos += 5 + len;
      String problem = messages();
      if (problem != null) {
        return stop(problem);
      }
    }
    return null;
  }

  /** Parses every complete handshake message (RFC 5246 §7.4: type, uint24 length, body). */
  private String messages() {
    while (messagesLen - messagePos >= 4) {
      int type = messages[messagePos] & 0xff;
      int len =
          ((messages[messagePos + 1] & 0xff) << 16)
              | ((messages[messagePos + 2] & 0xff) << 8)
              | (messages[messagePos + 3] & 0xff);
      if (messagesLen - messagePos < 4 + len) {
        return null;
      }
      if (type == CLIENT_KEY_EXCHANGE) {
        String problem = clientKeyExchange(messagePos + 4, len);
        if (problem != null) {
          return problem;
        }
        done = true; // the last plaintext message of interest
        return null;
      }
      messagePos += 4 + len;
    }
    return null;
  }

  private String clientKeyExchange(int at, int len) {
    String suite = cipherSuite.get();
    if (suite == null) {
      return null;
    }
    int prefix;
    if (suite.startsWith("TLS_RSA_") || suite.startsWith("TLS_DHE_")) {
      prefix = 2; // EncryptedPreMasterSecret / dh_Yc: 2-byte length
    } else if (suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_ECDH_")) {
      prefix = 1; // ECPoint: 1-byte length
    } else {
      return null; // no Client Key Exchange in this suite (TLS 1.3): JSSE says so itself
    }
    if (len < prefix) {
      return "Client Key Exchange of " + len + " bytes: too short for its length field (decode)";
    }
    int vector =
        prefix == 2
            ? ((messages[at] & 0xff) << 8) | (messages[at + 1] & 0xff)
            : messages[at] & 0xff;
    if (prefix + vector != len) {
      return "Client Key Exchange of "
          + len
          + " bytes whose vector says "
          + prefix
          + " + "
          + vector
          + ": invalid length, the message cannot be decoded (RFC 5246 7.4.7)";
    }
    return null;
  }

  private String stop(String problem) {
    done = true;
    records = null;
    messages = null;
    return problem;
  }

  private static byte[] ensure(byte[] a, int used, int more) {
    if (used + more <= a.length) {
      return a;
    }
    return Arrays.copyOf(a, Math.max(a.length * 2, used + more));
  }
}
