package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.wire.CipherSuite;
import tlslab.wire.ExtensionType;
import tlslab.wire.HandshakeType;
import tlslab.wire.NamedGroup;
import tlslab.wire.ProtocolVersion;

/**
 * Walks a handshake message once for what the notes and the model need beyond {@code tlslab.wire}'s
 * parsers: the fields with their byte ranges (for a byte view), the ALPN protocols offered and
 * chosen, GREASE values, and the TLS 1.3 extensions that decide the handshake mode. A malformed
 * message stops the walk: the fields read so far stay, {@link #malformed} says where.
 *
 * <pre>
 * struct { HandshakeType msg_type; uint24 length; ... } Handshake;             // RFC 8446 4
 * struct { ProtocolVersion legacy_version; Random random; opaque legacy_session_id&lt;0..32&gt;;
 *          CipherSuite cipher_suites&lt;2..2^16-2&gt;; opaque legacy_compression_methods&lt;1..2^8-1&gt;;
 *          Extension extensions&lt;8..2^16-1&gt;; } ClientHello;                       // RFC 8446 4.1.2
 * struct { ProtocolVersion legacy_version; Random random; opaque legacy_session_id_echo&lt;0..32&gt;;
 *          CipherSuite cipher_suite; uint8 legacy_compression_method;
 *          Extension extensions&lt;6..2^16-1&gt;; } ServerHello;                        // RFC 8446 4.1.3
 * </pre>
 */
final class HelloFields {
  final List<Field> fields = new ArrayList<>();
  final List<String> alpn = new ArrayList<>();
  boolean grease;
  boolean pskOffered;

  /**
   * A Client Hello's pre_shared_key: the obfuscated_ticket_age of each identity offered, in order
   * (RFC 8446 4.2.11); empty when none or when the list does not parse.
   */
  final List<Long> pskAges = new ArrayList<>();

  /** A Server Hello's pre_shared_key: the selected_identity (RFC 8446 4.2.11), or -1. */
  int pskSelected = -1;

  boolean earlyData;

  /** A Server Hello's version field, and the version its supported_versions chose (or -1). */
  private int legacyVersion = -1;

  private int chosenVersion = -1;

  /** A Server Hello's extension 40: key_share in the TLS 1.3 drafts before 23. */
  private boolean sawExtension40;

  private int group40 = -1;

  boolean statusRequest;

  /** A Client Hello's encrypted_client_hello of type outer (ECH, or GREASE ECH). */
  boolean ech;

  /**
   * A Client Hello's extensions, type to body bytes, in order (a repeated type keeps its first
   * body): what a second Client Hello is compared with ({@link RetryHello}).
   */
  final java.util.Map<Integer, byte[]> extensionBodies = new java.util.LinkedHashMap<>();

  boolean cookie;
  boolean keyShare;
  int keyShareGroup = -1;
  boolean emptyKeyShare;
  String malformed;

  private final boolean withFields;
  private final byte[] b;
  private final int msg;

  private HelloFields(byte[] b, int msg, boolean withFields) {
    this.b = b;
    this.msg = msg;
    this.withFields = withFields;
  }

  /** GREASE (RFC 8701 §2): 0x0a0a, 0x1a1a ... 0xfafa, reserved so that peers learn to ignore. */
  static boolean isGrease(int v) {
    return (v & 0x0f0f) == 0x0a0a && ((v >> 8) == (v & 0xff));
  }

  /** The handshake header only (every message has it). */
  static void header(List<Field> out, byte[] b, int msg, int end) {
    HandshakeType ht = HandshakeType.of(b[msg] & 0xff);
    out.add(new Field("msg_type", ht.rfcName() + " (" + (b[msg] & 0xff) + ")", 0, 1));
    out.add(new Field("length", Integer.toString(end - msg - 4), 1, 3));
  }

  static HelloFields clientHello(byte[] b, int msg, int end, boolean withFields) {
    HelloFields h = new HelloFields(b, msg, withFields);
    h.hello(end, true);
    return h;
  }

  static HelloFields serverHello(byte[] b, int msg, int end, boolean withFields) {
    HelloFields h = new HelloFields(b, msg, withFields);
    h.hello(end, false);
    return h;
  }

  /** Encrypted Extensions (RFC 8446 §4.3.1): {@code Extension extensions<0..2^16-1>}. */
  static HelloFields encryptedExtensions(byte[] b, int msg, int end, boolean withFields) {
    HelloFields h = new HelloFields(b, msg, withFields);
    if (withFields) header(h.fields, b, msg, end);
    try {
      int p = msg + 4;
      int n = u16(b, p, end);
      h.extensions(p + 2, Math.min(end, p + 2 + n), false);
    } catch (IndexOutOfBoundsException e) {
      h.malformed = "Encrypted Extensions runs past the end of the message";
    }
    return h;
  }

  private void hello(int end, boolean client) {
    if (withFields) header(fields, b, msg, end);
    int p = msg + 4;
    try {
      int v = u16(b, p, end);
      add("legacy_version", ProtocolVersion.labelOf(v) + String.format(" (0x%04x)", v), p, 2);
      p += 2;
      add("random", hex(p, 32), p, 32);
      p += 32;
      // A TLS 1.3 draft Server Hello before draft 22 has no session id and no compression.
      boolean draft = !client && ProtocolVersion.draftServerHelloLayout(v);
      legacyVersion = v;
      if (!draft) {
        int sid = u8(b, p, end);
        if (p + 1 + sid > end) throw new IndexOutOfBoundsException();
        add(client ? "legacy_session_id" : "legacy_session_id_echo", hex(p + 1, sid), p, 1 + sid);
        p += 1 + sid;
      }
      if (client) {
        int n = u16(b, p, end);
        if (p + 2 + n > end) throw new IndexOutOfBoundsException();
        StringBuilder sb = new StringBuilder();
        int count = 0;
        for (int i = p + 2; i + 1 < p + 2 + n; i += 2) {
          int cs = u16(b, i, end);
          if (isGrease(cs)) grease = true;
          if (withFields && count++ < 64) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(isGrease(cs) ? "GREASE" : CipherSuite.labelOf(cs));
          }
        }
        add("cipher_suites", (n / 2) + " suites: " + sb, p, 2 + n);
        p += 2 + n;
        int cm = u8(b, p, end);
        if (p + 1 + cm > end) throw new IndexOutOfBoundsException();
        add("legacy_compression_methods", hex(p + 1, cm), p, 1 + cm);
        p += 1 + cm;
      } else {
        int cs = u16(b, p, end);
        add("cipher_suite", CipherSuite.labelOf(cs), p, 2);
        p += 2;
        if (!draft) {
          add("legacy_compression_method", Integer.toString(u8(b, p, end)), p, 1);
          p += 1;
        }
      }
      if (p + 2 <= end) {
        int n = u16(b, p, end);
        extensions(p + 2, Math.min(end, p + 2 + n), client);
        // The extensions end where the message ends (RFC 8446 4.1.2, RFC 5246 7.4.1.2): bytes
        // left over, or a list that claims more than is there, are extensions not read.
        if (p + 2 + n > end)
          malformed =
              String.format(
                  "%s Hello's extensions claim %d bytes, but the message holds %d",
                  client ? "Client" : "Server", n, end - p - 2);
        else if (p + 2 + n < end)
          malformed =
              String.format(
                  "%s Hello has %d bytes after its extensions, which were not read",
                  client ? "Client" : "Server", end - p - 2 - n);
      } else if (p < end) {
        malformed =
            String.format(
                "%s Hello ends with %d stray byte(s) where its extensions length should be",
                client ? "Client" : "Server", end - p);
      }
      int chosen = chosenVersion >= 0 ? chosenVersion : legacyVersion;
      if (!client
          && sawExtension40
          && ProtocolVersion.keyShareExtension(chosen, legacyVersion) == 40) {
        keyShare = true;
        keyShareGroup = group40;
      }
    } catch (IndexOutOfBoundsException e) {
      malformed = (client ? "Client" : "Server") + " Hello runs past the end of the message";
    }
  }

  private void extensions(int p, int end, boolean client) {
    while (p + 4 <= end) {
      int type = u16(b, p, end);
      int len = u16(b, p + 2, end);
      int body = p + 4;
      int bodyEnd = body + len;
      if (bodyEnd > end) throw new IndexOutOfBoundsException();
      if (client) extensionBodies.putIfAbsent(type, java.util.Arrays.copyOfRange(b, body, bodyEnd));
      String value = "";
      if (isGrease(type)) {
        grease = true;
        value = "GREASE (RFC 8701), ignored";
      } else if (type == ExtensionType.ALPN.code()) {
        // ProtocolName protocol_name_list<2..2^16-1>; opaque ProtocolName<1..2^8-1> (RFC 7301 3.1)
        int q = body + 2;
        while (q < bodyEnd) {
          int l = u8(b, q, bodyEnd);
          alpn.add(protocolName(q + 1, l));
          q += 1 + l;
        }
        value = String.join(", ", alpn);
      } else if (!client && type == 40) {
        // key_share until draft 23: it counts once the chosen version is known (below).
        if (len >= 2) {
          group40 = u16(b, body, bodyEnd);
          value = NamedGroup.labelOf(group40);
        }
        sawExtension40 = true;
      } else if (type == ExtensionType.KEY_SHARE.code()) {
        keyShare = true;
        if (client) {
          StringBuilder sb = new StringBuilder();
          int q = body + 2;
          if (bodyEnd - body == 2) emptyKeyShare = true;
          while (q + 4 <= bodyEnd) {
            int g = u16(b, q, bodyEnd);
            if (isGrease(g)) grease = true;
            if (sb.length() > 0) sb.append(", ");
            sb.append(isGrease(g) ? "GREASE" : NamedGroup.labelOf(g));
            q += 4 + u16(b, q + 2, bodyEnd);
          }
          value = sb.toString();
        } else if (len >= 2) {
          keyShareGroup = u16(b, body, bodyEnd);
          value = NamedGroup.labelOf(keyShareGroup);
        }
      } else if (type == ExtensionType.PRE_SHARED_KEY.code()) {
        pskOffered = true;
        if (client) {
          // struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
          // PskIdentity identities<7..2^16-1>; then the binders (RFC 8446 4.2.11).
          // A list that does not parse leaves the ages empty (origin unknown); tshark flags it.
          try {
            int idEnd = body + 2 + u16(b, body, bodyEnd);
            if (idEnd > bodyEnd) throw new IndexOutOfBoundsException();
            for (int q = body + 2; q < idEnd; ) {
              int at = q + 2 + u16(b, q, idEnd);
              pskAges.add(((long) u16(b, at, idEnd) << 16) | u16(b, at + 2, idEnd));
              q = at + 4;
            }
          } catch (IndexOutOfBoundsException e) {
            pskAges.clear();
          }
        } else if (len >= 2) {
          pskSelected = u16(b, body, bodyEnd);
        }
        value = client ? "offered" : "selected identity " + pskSelected;
      } else if (type == ExtensionType.EARLY_DATA.code()) {
        earlyData = true;
      } else if (type == ExtensionType.STATUS_REQUEST.code()) {
        statusRequest = true;
      } else if (type == 0xfe0d && client && len >= 1 && (b[body] & 0xff) == 0) {
        // encrypted_client_hello, ECHClientHello of type outer (draft-ietf-tls-esni 5)
        ech = true;
      } else if (type == 44) {
        cookie = true; // cookie (RFC 8446 4.2.2)
      } else if (type == ExtensionType.SUPPORTED_VERSIONS.code()) {
        if (!client && len >= 2) chosenVersion = u16(b, body, bodyEnd);
        StringBuilder sb = new StringBuilder();
        int q = client ? body + 1 : body;
        while (q + 1 < bodyEnd) {
          int v = u16(b, q, bodyEnd);
          if (isGrease(v)) grease = true;
          if (sb.length() > 0) sb.append(", ");
          sb.append(isGrease(v) ? "GREASE" : ProtocolVersion.of(v).rfcName());
          q += 2;
        }
        value = sb.toString();
      } else if (type == ExtensionType.SERVER_NAME.code() && len > 5) {
        value = protocolName(body + 5, Math.min(u16(b, body + 3, bodyEnd), bodyEnd - body - 5));
      }
      if (withFields) {
        ExtensionType et = ExtensionType.of(type);
        String name =
            isGrease(type)
                ? "extension GREASE"
                : et == ExtensionType.UNKNOWN
                    ? (type == 44
                        ? "extension cookie"
                        : type == 17513 || type == 17613
                            ? "extension application_settings (ALPS)"
                            : "extension " + type)
                    : "extension " + et.rfcName();
        add(name, value, p, 4 + len);
      }
      p = bodyEnd;
    }
  }

  /**
   * An ALPN or host name for display: printable ASCII as is, anything else as \xNN (RFC 7301 allows
   * any bytes; GREASE ALPN values are non-ASCII on purpose).
   */
  private String protocolName(int from, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + len && i < b.length; i++) {
      int c = b[i] & 0xff;
      if (c >= 0x21 && c < 0x7f && c != '\\') sb.append((char) c);
      else sb.append(String.format("\\x%02x", c));
    }
    return sb.toString();
  }

  private void add(String name, String value, int at, int len) {
    if (withFields) fields.add(new Field(name, value, at - msg, len));
  }

  private String hex(int from, int len) {
    if (!withFields) return "";
    StringBuilder sb = new StringBuilder(len * 2);
    for (int i = from; i < from + len; i++) sb.append(String.format("%02x", b[i] & 0xff));
    return sb.toString();
  }

  private static int u8(byte[] b, int p, int end) {
    if (p >= end) throw new IndexOutOfBoundsException();
    return b[p] & 0xff;
  }

  private static int u16(byte[] b, int p, int end) {
    if (p + 2 > end) throw new IndexOutOfBoundsException();
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }
}
