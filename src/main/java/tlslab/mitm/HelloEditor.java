package tlslab.mitm;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import tlslab.wire.CipherSuite;
import tlslab.wire.ExtensionType;
import tlslab.wire.ProtocolVersion;

/**
 * Rewrites a Client Hello record the way an active attacker on the path could: a pure function over
 * bytes (no I/O), used by {@link RecordRelay} in {@code --tamper} mode.
 *
 * <pre>
 * struct {                                      // RFC 5246 §6.2.1
 *     ContentType type;                         // 22 = handshake
 *     ProtocolVersion version; uint16 length;
 *     struct {                                  // RFC 8446 §4
 *         HandshakeType msg_type;               // 1 = client_hello
 *         uint24 length;
 *         ProtocolVersion legacy_version;       // RFC 8446 §4.1.2
 *         Random random;                        // 32 bytes
 *         opaque legacy_session_id&lt;0..32&gt;;
 *         CipherSuite cipher_suites&lt;2..2^16-2&gt;;
 *         opaque legacy_compression_methods&lt;1..2^8-1&gt;;
 *         Extension extensions&lt;8..2^16-1&gt;;    // struct { uint16 type; opaque data&lt;0..2^16-1&gt; }
 *     } fragment;
 * } TLSPlaintext;
 * </pre>
 *
 * The editor keeps every length field consistent, so the server parses the edited hello without
 * complaint: what catches the edit is the cryptography, not a parse error.
 */
public final class HelloEditor {
  /** The 8 bytes a TLS 1.3 server puts at the end of its random when it negotiates TLS 1.2. */
  static final byte[] DOWNGRADE_TLS12 = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};

  /** The same for TLS 1.1 or below (RFC 8446 §4.1.3). */
  static final byte[] DOWNGRADE_TLS11 = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00};

  private HelloEditor() {}

  /**
   * What the editor did to one Client Hello.
   *
   * @param record the record to send on (the input itself when nothing changed)
   * @param changed whether any byte differs
   * @param field the field edited: {@code cipher_suites}, {@code supported_versions}, {@code
   *     legacy_version}, {@code random}
   * @param before the field's values before the edit (suite names, versions, hex)
   * @param after the same after the edit
   * @param removedExtensions extension names removed (strip-dhe on a TLS 1.3 hello)
   * @param problem why the record could not be edited, or null
   */
  public record Edit(
      byte[] record,
      boolean changed,
      String field,
      List<String> before,
      List<String> after,
      List<String> removedExtensions,
      String problem) {
    static Edit unchanged(byte[] record, String problem) {
      return new Edit(record, false, null, List.of(), List.of(), List.of(), problem);
    }
  }

  /**
   * Applies {@code mode} to {@code record}, one complete TLS record holding a whole Client Hello.
   * Never throws: a record that is not one gives an unchanged edit with {@link Edit#problem()}.
   */
  public static Edit edit(TamperMode mode, byte[] record) {
    Hello h = Hello.parse(record);
    if (h == null) {
      return Edit.unchanged(
          record, "not a Client Hello in one record: passed on unchanged (nothing edited)");
    }
    switch (mode) {
      case STRIP_DHE:
        return stripDhe(h);
      case DOWNGRADE:
        return downgrade(h);
      case FLIP_RANDOM:
        return flipRandom(h);
      default:
        throw new AssertionError(mode);
    }
  }

  /** Whether a cipher suite keeps the attacker's goal: RSA key transport (or is no real suite). */
  static boolean keptByStripDhe(int code) {
    CipherSuite s = CipherSuite.of(code);
    if (s == CipherSuite.UNKNOWN) {
      // GREASE values (RFC 8701) are kept: they are no key exchange at all.
      return isGrease(code);
    }
    switch (s.keyExchange()) {
      case RSA:
      case NULL: // signalling values: TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV
      case TLS13: // TLS 1.3 suites name no key exchange (RFC 8446 §4.1.2)
        return true;
      case DHE_RSA:
      case ECDHE_RSA:
      case ECDHE_ECDSA:
        return false;
      default:
        throw new AssertionError(s.keyExchange());
    }
  }

  private static Edit stripDhe(Hello h) {
    List<Integer> kept = new ArrayList<>();
    for (int s : h.suites) {
      if (keptByStripDhe(s)) {
        kept.add(s);
      }
    }
    boolean tls13 = h.offers(ProtocolVersion.TLS_1_3.code());
    List<String> removedExt = new ArrayList<>();
    List<byte[]> exts = new ArrayList<>();
    for (byte[] e : h.extensions) {
      int type = ((e[0] & 0xff) << 8) | (e[1] & 0xff);
      if (tls13
          && (type == ExtensionType.KEY_SHARE.code()
              || type == ExtensionType.SUPPORTED_GROUPS.code())) {
        removedExt.add(ExtensionType.of(type).label());
      } else {
        exts.add(e);
      }
    }
    boolean changed = kept.size() != h.suites.size() || !removedExt.isEmpty();
    if (!changed) {
      return new Edit(
          h.record,
          false,
          "cipher_suites",
          suiteNames(h.suites),
          suiteNames(h.suites),
          List.of(),
          "the Client Hello offers no (EC)DHE suite and no TLS 1.3 key share: nothing to remove");
    }
    return new Edit(
        h.rebuild(h.legacyVersion, h.random, kept, exts),
        true,
        "cipher_suites",
        suiteNames(h.suites),
        suiteNames(kept),
        List.copyOf(removedExt),
        null);
  }

  private static Edit downgrade(Hello h) {
    List<byte[]> exts = new ArrayList<>();
    List<Integer> before = h.supportedVersions();
    if (before != null) {
      int max = before.stream().filter(v -> !isGrease(v)).max(Integer::compare).orElse(0);
      List<Integer> after = new ArrayList<>();
      for (int v : before) {
        if (isGrease(v) || v < max) {
          after.add(v);
        }
      }
      if (after.stream().noneMatch(v -> !isGrease(v))) {
        after.add(max - 1); // a TLS 1.2-only hello: offer TLS 1.1
      }
      for (byte[] e : h.extensions) {
        int type = ((e[0] & 0xff) << 8) | (e[1] & 0xff);
        exts.add(type == ExtensionType.SUPPORTED_VERSIONS.code() ? versionsExtension(after) : e);
      }
      int legacy =
          Math.min(
              h.legacyVersion,
              after.stream()
                  .filter(v -> !isGrease(v))
                  .max(Integer::compare)
                  .orElse(h.legacyVersion));
      return new Edit(
          h.rebuild(legacy, h.random, h.suites, exts),
          true,
          "supported_versions",
          versionNames(before),
          versionNames(after),
          List.of(),
          null);
    }
    int lowered = h.legacyVersion - 1;
    return new Edit(
        h.rebuild(lowered, h.random, h.suites, h.extensions),
        true,
        "legacy_version",
        versionNames(List.of(h.legacyVersion)),
        versionNames(List.of(lowered)),
        List.of(),
        null);
  }

  private static Edit flipRandom(Hello h) {
    byte[] random = h.random.clone();
    random[0] ^= (byte) 0xFF;
    HexFormat hex = HexFormat.of();
    return new Edit(
        h.rebuild(h.legacyVersion, random, h.suites, h.extensions),
        true,
        "random",
        List.of(hex.formatHex(h.random)),
        List.of(hex.formatHex(random)),
        List.of(),
        null);
  }

  /** Whether the last 8 bytes of a Server Hello random are RFC 8446 §4.1.3's downgrade sentinel. */
  public static String downgradeSentinel(byte[] serverRandom) {
    if (serverRandom == null || serverRandom.length != 32) {
      return null;
    }
    byte[] tail = java.util.Arrays.copyOfRange(serverRandom, 24, 32);
    if (java.util.Arrays.equals(tail, DOWNGRADE_TLS12)) {
      return "DOWNGRD\\x01 (TLS 1.2 negotiated by a TLS 1.3 server)";
    }
    if (java.util.Arrays.equals(tail, DOWNGRADE_TLS11)) {
      return "DOWNGRD\\x00 (TLS 1.1 or below negotiated by a TLS 1.2+ server)";
    }
    return null;
  }

  static boolean isGrease(int code) {
    return (code & 0x0f0f) == 0x0a0a && ((code >> 8) == (code & 0xff));
  }

  private static byte[] versionsExtension(List<Integer> versions) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    u16(b, ExtensionType.SUPPORTED_VERSIONS.code());
    u16(b, 1 + 2 * versions.size());
    b.write(2 * versions.size());
    versions.forEach(v -> u16(b, v));
    return b.toByteArray();
  }

  static List<String> suiteNames(List<Integer> suites) {
    return suites.stream().map(CipherSuite::labelOf).toList();
  }

  static List<String> versionNames(List<Integer> versions) {
    return versions.stream()
        .map(
            v ->
                isGrease(v)
                    ? String.format("GREASE 0x%04x", v)
                    : ProtocolVersion.of(v) == ProtocolVersion.UNKNOWN
                        ? String.format("0x%04x", v)
                        : ProtocolVersion.of(v).rfcName())
        .toList();
  }

  private static void u16(ByteArrayOutputStream b, int v) {
    b.write((v >> 8) & 0xff);
    b.write(v & 0xff);
  }

  /** A Client Hello record cut into the parts the editor changes; null when it is not one. */
  private static final class Hello {
    final byte[] record;
    final int recordVersion;
    final int legacyVersion;
    final byte[] random;
    final byte[] sessionId;
    final List<Integer> suites;
    final byte[] compression;
    final List<byte[]> extensions; // each whole: type, length, data
    final boolean hasExtensions;

    private Hello(
        byte[] record,
        int recordVersion,
        int legacyVersion,
        byte[] random,
        byte[] sessionId,
        List<Integer> suites,
        byte[] compression,
        List<byte[]> extensions,
        boolean hasExtensions) {
      this.record = record;
      this.recordVersion = recordVersion;
      this.legacyVersion = legacyVersion;
      this.random = random;
      this.sessionId = sessionId;
      this.suites = suites;
      this.compression = compression;
      this.extensions = extensions;
      this.hasExtensions = hasExtensions;
    }

    static Hello parse(byte[] r) {
      if (r.length < 9 || r[0] != 22 || r[5] != 1) {
        return null;
      }
      int recLen = u16(r, 3);
      int hsLen = ((r[6] & 0xff) << 16) | u16(r, 7);
      if (recLen != r.length - 5 || hsLen != recLen - 4) {
        return null; // a hello spread over several records, or more than one message
      }
      int p = 9;
      int end = r.length;
      try {
        int legacy = u16(r, p);
        p += 2;
        byte[] random = java.util.Arrays.copyOfRange(r, p, p + 32);
        p += 32;
        int sidLen = r[p++] & 0xff;
        byte[] sid = slice(r, p, sidLen, end);
        p += sidLen;
        int csLen = u16(r, p);
        p += 2;
        if (csLen % 2 != 0 || p + csLen > end) {
          return null;
        }
        List<Integer> suites = new ArrayList<>();
        for (int i = 0; i < csLen; i += 2) {
          suites.add(u16(r, p + i));
        }
        p += csLen;
        int compLen = r[p++] & 0xff;
        byte[] comp = slice(r, p, compLen, end);
        p += compLen;
        List<byte[]> exts = new ArrayList<>();
        boolean hasExt = p < end;
        if (hasExt) {
          int extLen = u16(r, p);
          p += 2;
          if (p + extLen != end) {
            return null;
          }
          while (p < end) {
            int len = u16(r, p + 2);
            exts.add(slice(r, p, 4 + len, end));
            p += 4 + len;
          }
        }
        return new Hello(r, u16(r, 1), legacy, random, sid, suites, comp, exts, hasExt);
      } catch (IndexOutOfBoundsException e) {
        return null;
      }
    }

    boolean offers(int version) {
      List<Integer> v = supportedVersions();
      return v != null && v.contains(version);
    }

    /** The supported_versions list, or null when the extension is absent. */
    List<Integer> supportedVersions() {
      for (byte[] e : extensions) {
        if (u16(e, 0) == ExtensionType.SUPPORTED_VERSIONS.code() && e.length >= 5) {
          List<Integer> out = new ArrayList<>();
          int n = e[4] & 0xff;
          for (int i = 0; i + 1 < n && 5 + i + 1 < e.length; i += 2) {
            out.add(u16(e, 5 + i));
          }
          return out;
        }
      }
      return null;
    }

    byte[] rebuild(int legacy, byte[] rnd, List<Integer> cs, List<byte[]> exts) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      HelloEditor.u16(body, legacy);
      body.writeBytes(rnd);
      body.write(sessionId.length);
      body.writeBytes(sessionId);
      HelloEditor.u16(body, 2 * cs.size());
      cs.forEach(s -> HelloEditor.u16(body, s));
      body.write(compression.length);
      body.writeBytes(compression);
      if (hasExtensions) {
        int total = exts.stream().mapToInt(e -> e.length).sum();
        HelloEditor.u16(body, total);
        exts.forEach(body::writeBytes);
      }
      byte[] b = body.toByteArray();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(22);
      HelloEditor.u16(out, recordVersion);
      HelloEditor.u16(out, b.length + 4);
      out.write(1);
      out.write((b.length >> 16) & 0xff);
      HelloEditor.u16(out, b.length & 0xffff);
      out.writeBytes(b);
      return out.toByteArray();
    }

    private static byte[] slice(byte[] r, int p, int len, int end) {
      if (p + len > end) {
        throw new IndexOutOfBoundsException();
      }
      return java.util.Arrays.copyOfRange(r, p, p + len);
    }

    private static int u16(byte[] b, int p) {
      return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }
  }
}
