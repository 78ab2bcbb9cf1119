package tlslab.net;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built TLS bytes for tests that must send what no TLS library would: a Client Hello with a
 * wrong length, an all-zero key share. Structures follow RFC 5246 §7.4 and RFC 8446 §4, written out
 * field by field so that a test can break exactly one of them.
 */
final class RawTls {
  private RawTls() {}

  static final int HANDSHAKE = 22;
  static final int ALERT = 21;
  static final int CHANGE_CIPHER_SPEC = 20;
  static final int APPLICATION_DATA = 23;

  // Alert descriptions (RFC 8446 §6)
  static final int HANDSHAKE_FAILURE = 40;
  static final int ILLEGAL_PARAMETER = 47;
  static final int DECODE_ERROR = 50;
  static final int BAD_RECORD_MAC = 20;
  static final int UNEXPECTED_MESSAGE = 10;

  static final int X25519 = 0x001d;
  static final int SECP256R1 = 0x0017;

  /** One TLS record as read from the wire. */
  record Record(int type, byte[] body, long nanos) {
    boolean isAlert() {
      return type == ALERT && body.length == 2;
    }

    int level() {
      return body[0] & 0xff;
    }

    int description() {
      return body[1] & 0xff;
    }

    /** The handshake message type of a plaintext handshake record's first message. */
    int handshakeType() {
      return body.length > 0 ? body[0] & 0xff : -1;
    }
  }

  /** A growable byte string with TLS's big-endian length-prefixed vectors. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes u8(int v) {
      out.write(v);
      return this;
    }

    Bytes u16(int v) {
      out.write(v >> 8);
      out.write(v);
      return this;
    }

    Bytes u24(int v) {
      out.write(v >> 16);
      out.write(v >> 8);
      out.write(v);
      return this;
    }

    Bytes raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    /** {@code opaque x<0..2^8-1>} */
    Bytes vec8(byte[] b) {
      return u8(b.length).raw(b);
    }

    /** {@code opaque x<0..2^16-1>} */
    Bytes vec16(byte[] b) {
      return u16(b.length).raw(b);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** A record: {@code type, legacy_record_version 0x0303, length, fragment} (RFC 8446 §5.1). */
  static byte[] record(int type, byte[] fragment) {
    return new Bytes().u8(type).u16(0x0303).vec16(fragment).bytes();
  }

  /** A handshake message: {@code msg_type, uint24 length, body} (RFC 8446 §4). */
  static byte[] handshake(int type, byte[] body) {
    return new Bytes().u8(type).u24(body.length).raw(body).bytes();
  }

  static byte[] extension(int type, byte[] data) {
    return new Bytes().u16(type).vec16(data).bytes();
  }

  /** The fields of a Client Hello (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2), each replaceable. */
  static final class ClientHello {
    int[] suites = {0xc02f}; // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    byte[] compression = {0}; // null only
    Integer compressionLength; // null: the true length
    final List<byte[]> extensions = new ArrayList<>();

    /** A TLS 1.2 ECDHE-RSA hello like a browser's, minus what the server ignores. */
    static ClientHello tls12() {
      ClientHello h = new ClientHello();
      h.extensions.add(extension(0x000a, new Bytes().vec16(groups(X25519, SECP256R1)).bytes()));
      h.extensions.add(extension(0x000b, new Bytes().vec8(new byte[] {0}).bytes()));
      h.extensions.add(signatureAlgorithms(0x0804, 0x0401));
      h.extensions.add(extension(0xff01, new byte[] {0})); // renegotiation_info, empty
      return h;
    }

    /** A TLS 1.3 hello offering one x25519 key share. */
    static ClientHello tls13(byte[] x25519Share) {
      ClientHello h = new ClientHello();
      h.suites = new int[] {0x1301};
      h.extensions.add(extension(0x000a, new Bytes().vec16(groups(X25519)).bytes()));
      h.extensions.add(signatureAlgorithms(0x0804, 0x0401));
      h.extensions.add(extension(0x002b, new Bytes().vec8(new byte[] {3, 4}).bytes()));
      byte[] share = new Bytes().u16(X25519).vec16(x25519Share).bytes();
      h.extensions.add(extension(0x0033, new Bytes().vec16(share).bytes()));
      return h;
    }

    static byte[] signatureAlgorithmsBody(int... schemes) {
      Bytes list = new Bytes();
      for (int s : schemes) {
        list.u16(s);
      }
      return new Bytes().vec16(list.bytes()).bytes();
    }

    static byte[] signatureAlgorithms(int... schemes) {
      return extension(0x000d, signatureAlgorithmsBody(schemes));
    }

    private static byte[] groups(int... groups) {
      Bytes b = new Bytes();
      for (int g : groups) {
        b.u16(g);
      }
      return b.bytes();
    }

    byte[] body() {
      Bytes suiteList = new Bytes();
      for (int s : suites) {
        suiteList.u16(s);
      }
      Bytes ext = new Bytes();
      for (byte[] e : extensions) {
        ext.raw(e);
      }
      byte[] random = new byte[32];
      new java.util.Random(7).nextBytes(random);
      return new Bytes()
          .u16(0x0303)
          .raw(random)
          .vec8(new byte[0]) // legacy_session_id
          .vec16(suiteList.bytes())
          .u8(compressionLength == null ? compression.length : compressionLength)
          .raw(compression)
          .vec16(ext.bytes())
          .bytes();
    }

    /** The whole record. */
    byte[] record() {
      return RawTls.record(HANDSHAKE, handshake(1, body()));
    }
  }

  /**
   * Reads records until {@code stop} says so, the peer closes, or {@code timeoutMs} passes without
   * a byte. The last entry is null when the stream ended.
   */
  static List<Record> readRecords(InputStream raw, java.util.function.Predicate<Record> stop)
      throws IOException {
    DataInputStream in = new DataInputStream(raw);
    List<Record> out = new ArrayList<>();
    while (true) {
      int type;
      try {
        type = in.read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no record within the socket timeout; got " + describe(out));
      }
      if (type < 0) {
        out.add(null);
        return out;
      }
      long now = System.nanoTime();
      in.readUnsignedShort();
      int length = in.readUnsignedShort();
      byte[] body = new byte[length];
      in.readFully(body);
      Record r = new Record(type, body, now);
      out.add(r);
      if (stop.test(r)) {
        return out;
      }
    }
  }

  /** Reads to the end of the stream; true if it ended with a FIN, false on a reset. */
  static boolean endsWithoutReset(InputStream in) throws IOException {
    try {
      byte[] buf = new byte[4096];
      while (in.read(buf) >= 0) {
        // what follows the alert, if anything
      }
      return true;
    } catch (SocketException e) {
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return false;
      }
      throw e;
    } catch (EOFException e) {
      return true;
    }
  }

  static String describe(List<Record> records) {
    StringBuilder sb = new StringBuilder("[");
    for (Record r : records) {
      if (r == null) {
        sb.append(" EOF");
      } else if (r.isAlert()) {
        sb.append(" alert(").append(r.level()).append(',').append(r.description()).append(')');
      } else if (r.type() == HANDSHAKE) {
        sb.append(" handshake(").append(r.handshakeType()).append(')');
      } else {
        sb.append(" type").append(r.type()).append('/').append(r.body().length);
      }
    }
    return sb.append(" ]").toString();
  }
}
