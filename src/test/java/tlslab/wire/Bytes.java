package tlslab.wire;

import java.io.ByteArrayOutputStream;

/** Test helper: builds TLS structures byte by byte, with length prefixes. */
final class Bytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Bytes u8(int v) {
    out.write(v);
    return this;
  }

  Bytes u16(int v) {
    return u8(v >> 8).u8(v);
  }

  Bytes u24(int v) {
    return u8(v >> 16).u16(v & 0xffff);
  }

  Bytes raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  Bytes zeros(int n) {
    return raw(new byte[n]);
  }

  Bytes vec8(Bytes b) {
    byte[] x = b.bytes();
    return u8(x.length).raw(x);
  }

  Bytes vec16(Bytes b) {
    byte[] x = b.bytes();
    return u16(x.length).raw(x);
  }

  Bytes vec24(Bytes b) {
    byte[] x = b.bytes();
    return u24(x.length).raw(x);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  static Bytes of() {
    return new Bytes();
  }
}
