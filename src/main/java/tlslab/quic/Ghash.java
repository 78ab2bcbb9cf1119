package tlslab.quic;

/**
 * GHASH, the authenticator of AES-GCM (NIST SP 800-38D section 6.4), with Shoup's 4-bit tables.
 *
 * <p>Why not only the JDK's AES/GCM: the JDK computes GHASH bit by bit until its JIT has compiled
 * the code to the CPU's carry-less multiply, which happens late when only some frames are QUIC;
 * every Initial packet of a capture is decrypted (as tshark does), and that made QUIC annotation
 * several times slower than TLS. The AES itself stays the JDK's (AES-CTR and AES-ECB, which the JIT
 * maps to AES-NI early). The RFC 9001 and RFC 9369 test vectors check this class through the tag.
 */
final class Ghash {
  private static final long[] LAST4 = {
    0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
    0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0
  };

  private final long[] hh = new long[16];
  private final long[] hl = new long[16];
  private long zh;
  private long zl;

  /** {@code h} is the hash subkey E(K, 0^128). */
  Ghash(byte[] h) {
    long vh = be64(h, 0);
    long vl = be64(h, 8);
    hh[8] = vh;
    hl[8] = vl;
    for (int i = 4; i > 0; i >>= 1) {
      long t = (vl & 1) * 0xe1000000L;
      vl = (vh << 63) | (vl >>> 1);
      vh = (vh >>> 1) ^ (t << 32);
      hh[i] = vh;
      hl[i] = vl;
    }
    for (int i = 2; i <= 8; i *= 2) {
      vh = hh[i];
      vl = hl[i];
      for (int j = 1; j < i; j++) {
        hh[i + j] = vh ^ hh[j];
        hl[i + j] = vl ^ hl[j];
      }
    }
  }

  void reset() {
    zh = 0;
    zl = 0;
  }

  /** Absorbs {@code b[off..off+len)}, zero-padded to a whole number of 16-byte blocks. */
  void update(byte[] b, int off, int len) {
    byte[] block = new byte[16];
    int end = off + len;
    for (int p = off; p < end; p += 16) {
      int n = Math.min(16, end - p);
      if (n == 16) {
        zh ^= be64(b, p);
        zl ^= be64(b, p + 8);
      } else {
        java.util.Arrays.fill(block, (byte) 0);
        System.arraycopy(b, p, block, 0, n);
        zh ^= be64(block, 0);
        zl ^= be64(block, 8);
      }
      multiply();
    }
  }

  /** Absorbs the final block of bit lengths and writes the hash into {@code out[0..16)}. */
  void finish(long aadBytes, long textBytes, byte[] out) {
    zh ^= aadBytes * 8;
    zl ^= textBytes * 8;
    multiply();
    put64(out, 0, zh);
    put64(out, 8, zl);
  }

  /** z = z * H, processing z's 32 nibbles from the last. */
  private void multiply() {
    long xh = zh;
    long xl = zl;
    int lo = (int) (xl & 0xf);
    long h = hh[lo];
    long l = hl[lo];
    for (int i = 15; i >= 0; i--) {
      int byt = (int) ((i >= 8 ? xl >>> ((15 - i) * 8) : xh >>> ((7 - i) * 8)) & 0xff);
      lo = byt & 0xf;
      int hi = byt >>> 4;
      if (i != 15) {
        int rem = (int) (l & 0xf);
        l = (h << 60) | (l >>> 4);
        h = (h >>> 4) ^ (LAST4[rem] << 48);
        h ^= hh[lo];
        l ^= hl[lo];
      }
      int rem = (int) (l & 0xf);
      l = (h << 60) | (l >>> 4);
      h = (h >>> 4) ^ (LAST4[rem] << 48);
      h ^= hh[hi];
      l ^= hl[hi];
    }
    zh = h;
    zl = l;
  }

  private static long be64(byte[] b, int o) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (b[o + i] & 0xff);
    return v;
  }

  private static void put64(byte[] b, int o, long v) {
    for (int i = 7; i >= 0; i--) {
      b[o + i] = (byte) v;
      v >>>= 8;
    }
  }
}
