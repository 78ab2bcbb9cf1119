package tlslab.wire;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure parsers for handshake message bodies (the bytes after the 4-byte type+length header). Each
 * returns a {@link WireResult}: a truncated body is {@code NeedMore}, a length field that
 * contradicts its container is {@code Malformed} with offset and hex excerpt.
 */
public final class HandshakeMessages {
  /** SHA-256("HelloRetryRequest"), the random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
  static final byte[] HRR_RANDOM = {
    (byte) 0xCF,
    0x21,
    (byte) 0xAD,
    0x74,
    (byte) 0xE5,
    (byte) 0x9A,
    0x61,
    0x11,
    (byte) 0xBE,
    0x1D,
    (byte) 0x8C,
    0x02,
    0x1E,
    0x65,
    (byte) 0xB8,
    (byte) 0x91,
    (byte) 0xC2,
    (byte) 0xA2,
    0x11,
    0x16,
    0x7A,
    (byte) 0xBB,
    (byte) 0x8C,
    0x5E,
    0x07,
    (byte) 0x9E,
    0x09,
    (byte) 0xE2,
    (byte) 0xC8,
    (byte) 0xA8,
    0x33,
    (byte) 0x9C
  };

  private HandshakeMessages() {}

  /** Parses a ClientHello body in {@code b[from..to)}. */
  public static WireResult<ClientHello> clientHello(byte[] b, int from, int to) {
    try {
      WireReader r = new WireReader(b, from, to);
      int version = r.u16();
      byte[] random = r.bytes(32);
      byte[] sid = r.bytes(r.u8());
      WireReader suites = r.sub(r.u16());
      int[] cs = new int[suites.remaining() / 2];
      for (int i = 0; i < cs.length; i++) cs[i] = suites.u16();
      r.sub(r.u8()); // compression methods
      List<Integer> exts = new ArrayList<>();
      String sni = null;
      int[] versions = new int[0];
      int[] groups = new int[0];
      byte[] ticket = new byte[0];
      if (r.remaining() > 0) {
        WireReader er = r.sub(r.u16());
        while (er.remaining() > 0) {
          int type = er.u16();
          WireReader e = er.sub(er.u16());
          exts.add(type);
          if (type == ExtensionType.SERVER_NAME.code() && e.remaining() > 0) {
            // struct { NameType name_type; HostName host_name<1..2^16-1>; } ServerName (RFC 6066 3)
            WireReader list = e.sub(e.u16());
            while (list.remaining() > 0) {
              int nameType = list.u8();
              byte[] name = list.bytes(list.u16());
              if (nameType == 0 && sni == null)
                sni = new String(name, java.nio.charset.StandardCharsets.US_ASCII);
            }
          } else if (type == ExtensionType.SUPPORTED_VERSIONS.code()) {
            WireReader list = e.sub(e.u8());
            versions = new int[list.remaining() / 2];
            for (int i = 0; i < versions.length; i++) versions[i] = list.u16();
          } else if (type == ExtensionType.KEY_SHARE.code()) {
            WireReader list = e.sub(e.u16());
            List<Integer> g = new ArrayList<>();
            while (list.remaining() > 0) {
              g.add(list.u16());
              list.sub(list.u16());
            }
            groups = g.stream().mapToInt(Integer::intValue).toArray();
          } else if (type == ExtensionType.SESSION_TICKET.code()) {
            ticket = e.bytes(e.remaining());
          }
        }
      }
      return new WireResult.Ok<>(
          new ClientHello(
              version, random, sid, cs, List.copyOf(exts), sni, versions, groups, ticket));
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "ClientHello field runs past the end of the message");
    }
  }

  /** Parses a ServerHello body in {@code b[from..to)}. */
  public static WireResult<ServerHello> serverHello(byte[] b, int from, int to) {
    try {
      WireReader r = new WireReader(b, from, to);
      int legacy = r.u16();
      byte[] random = r.bytes(32);
      // TLS 1.3 drafts before 22 had no session id and no compression method here.
      boolean draft = ProtocolVersion.draftServerHelloLayout(legacy);
      byte[] sid = draft ? new byte[0] : r.bytes(r.u8());
      int suite = r.u16();
      if (!draft) r.u8(); // compression method
      int version = legacy;
      int group = -1;
      boolean ticket = false;
      boolean ems = false;
      boolean etm = false;
      boolean psk = false;
      boolean hrr = Arrays.equals(random, HRR_RANDOM);
      int group40 = -1;
      if (r.remaining() > 0) {
        WireReader er = r.sub(r.u16());
        while (er.remaining() > 0) {
          int type = er.u16();
          WireReader e = er.sub(er.u16());
          if (type == ExtensionType.SUPPORTED_VERSIONS.code() && e.remaining() >= 2) {
            version = e.u16();
          } else if (type == ExtensionType.KEY_SHARE.code() && e.remaining() >= 2) {
            // In an HRR this is the selected_group.
            group = e.u16();
          } else if (type == 40 && e.remaining() >= 2) {
            group40 = e.u16(); // key_share until draft 23, decided once the version is known
          } else if (type == ExtensionType.SESSION_TICKET.code()) {
            ticket = true;
          } else if (type == ExtensionType.EXTENDED_MASTER_SECRET.code()) {
            ems = true;
          } else if (type == ExtensionType.ENCRYPT_THEN_MAC.code()) {
            etm = true;
          } else if (type == ExtensionType.PRE_SHARED_KEY.code()) {
            psk = true;
          }
        }
      }
      // supported_versions may come after key_share, as in draft 22's Server Hello (40, 43).
      if (ProtocolVersion.keyShareExtension(version, legacy) == 40) group = group40;
      return new WireResult.Ok<>(
          new ServerHello(legacy, version, random, sid, suite, hrr, group, ticket, ems, etm, psk));
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "ServerHello field runs past the end of the message");
    }
  }

  /**
   * Parses a Certificate message (RFC 5246 7.4.2; RFC 8446 4.4.2 adds a request context and
   * per-certificate extensions). Certificates that Java cannot decode are skipped, not fatal.
   */
  public static WireResult<List<X509Certificate>> certificate(
      byte[] b, int from, int to, boolean tls13) {
    try {
      WireReader r = new WireReader(b, from, to);
      if (tls13) r.sub(r.u8()); // certificate_request_context
      WireReader list = r.sub(r.u24());
      List<X509Certificate> out = new ArrayList<>();
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      while (list.remaining() > 0) {
        byte[] der = list.bytes(list.u24());
        if (tls13) list.sub(list.u16());
        try {
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException | RuntimeException e) {
          // A certificate Java cannot read is left out, not a failure of the frame; the caller
          // compares with certificateEntries() and reports it.
        }
      }
      return new WireResult.Ok<>(List.copyOf(out));
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "Certificate list runs past the end of the message");
    } catch (CertificateException e) {
      throw new AssertionError("X.509 is a mandatory JDK certificate type", e);
    }
  }

  /**
   * How many certificate entries a Certificate message holds (RFC 5246 7.4.2, RFC 8446 4.4.2),
   * whether or not they decode: {@link #certificate} drops the ones that do not.
   */
  public static WireResult<Integer> certificateEntries(byte[] b, int from, int to, boolean tls13) {
    try {
      WireReader r = new WireReader(b, from, to);
      if (tls13) r.sub(r.u8());
      WireReader list = r.sub(r.u24());
      int n = 0;
      while (list.remaining() > 0) {
        list.bytes(list.u24());
        if (tls13) list.sub(list.u16());
        n++;
      }
      return new WireResult.Ok<>(n);
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "Certificate list runs past the end of the message");
    }
  }

  /**
   * Reads the named group of an ECDHE ServerKeyExchange (RFC 8422 5.4: curve_type 3 = named_curve,
   * then the group). Returns -1 for a DHE or unknown layout.
   */
  public static WireResult<Integer> serverKeyExchangeGroup(byte[] b, int from, int to) {
    try {
      WireReader r = new WireReader(b, from, to);
      int curveType = r.u8();
      if (curveType != 3) return new WireResult.Ok<>(-1);
      return new WireResult.Ok<>(r.u16());
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "ServerKeyExchange too short");
    }
  }

  /**
   * The ticket lifetime in seconds from a NewSessionTicket: RFC 5077 3.3 (TLS 1.2,
   * ticket_lifetime_hint) and RFC 8446 4.6.1 (TLS 1.3, ticket_lifetime) both start with a uint32.
   */
  public static WireResult<Long> newSessionTicketLifetime(byte[] b, int from, int to) {
    try {
      return new WireResult.Ok<>(new WireReader(b, from, to).u32());
    } catch (WireReader.Short s) {
      return malformed(b, from, to, s.offset, "NewSessionTicket too short");
    }
  }

  private static <T> WireResult<T> malformed(byte[] b, int from, int to, int offset, String why) {
    return new WireResult.Malformed<>(offset - from, why, WireResult.excerpt(b, from, to, offset));
  }
}
