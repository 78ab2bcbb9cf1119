package tlslab.quic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a QUIC Client Hello or Encrypted Extensions says beyond plain TLS: the ALPN protocols (RFC
 * 7301; "h3" for HTTP/3) and the quic_transport_parameters extension (RFC 9000 section 18,
 * extension 57), which carries the connection's transport settings inside the TLS handshake so that
 * they are authenticated.
 *
 * @param alpn the ALPN protocol names, in order
 * @param transportParameters the transport parameters (id and value bytes), in order
 */
public record HelloExtensions(List<String> alpn, List<TransportParameter> transportParameters) {

  /** One transport parameter. */
  public record TransportParameter(long id, byte[] value) {
    /** The RFC 9000 section 18.2 name, or "unknown_0x..". */
    public String name() {
      return switch ((int) Math.min(id, Integer.MAX_VALUE)) {
        case 0x00 -> "original_destination_connection_id";
        case 0x01 -> "max_idle_timeout";
        case 0x02 -> "stateless_reset_token";
        case 0x03 -> "max_udp_payload_size";
        case 0x04 -> "initial_max_data";
        case 0x05 -> "initial_max_stream_data_bidi_local";
        case 0x06 -> "initial_max_stream_data_bidi_remote";
        case 0x07 -> "initial_max_stream_data_uni";
        case 0x08 -> "initial_max_streams_bidi";
        case 0x09 -> "initial_max_streams_uni";
        case 0x0a -> "ack_delay_exponent";
        case 0x0b -> "max_ack_delay";
        case 0x0c -> "disable_active_migration";
        case 0x0d -> "preferred_address";
        case 0x0e -> "active_connection_id_limit";
        case 0x0f -> "initial_source_connection_id";
        case 0x10 -> "retry_source_connection_id";
        case 0x11 -> "version_information";
        case 0x20 -> "max_datagram_frame_size";
        default -> "unknown_0x" + Long.toHexString(id);
      };
    }
  }

  /** Extension type of quic_transport_parameters (RFC 9001 section 8.2). */
  public static final int QUIC_TRANSPORT_PARAMETERS = 57;

  /** The extensions of a Client Hello message {@code m} (with its 4-byte header); null if bad. */
  public static HelloExtensions ofClientHello(byte[] m) {
    // ClientHello: version(2) random(32) session_id<0..32> cipher_suites<2..> compression<1..>
    // extensions<8..>
    int p = 4 + 2 + 32;
    if (p >= m.length) return null;
    p += 1 + (m[p] & 0xff);
    if (p + 2 > m.length) return null;
    p += 2 + u16(m, p);
    if (p + 1 > m.length) return null;
    p += 1 + (m[p] & 0xff);
    return extensions(m, p);
  }

  /** The extensions of an Encrypted Extensions message (with its 4-byte header); null if bad. */
  public static HelloExtensions ofEncryptedExtensions(byte[] m) {
    return extensions(m, 4);
  }

  private static HelloExtensions extensions(byte[] m, int p) {
    if (p + 2 > m.length) return null;
    int end = p + 2 + u16(m, p);
    if (end > m.length) return null;
    p += 2;
    List<String> alpn = new ArrayList<>();
    List<TransportParameter> tps = new ArrayList<>();
    while (p + 4 <= end) {
      int type = u16(m, p);
      int len = u16(m, p + 2);
      int body = p + 4;
      if (body + len > end) return null;
      if (type == 16 && len >= 2) {
        int q = body + 2;
        int listEnd = Math.min(body + 2 + u16(m, body), body + len);
        while (q < listEnd) {
          int l = m[q] & 0xff;
          if (q + 1 + l > listEnd) break;
          alpn.add(new String(m, q + 1, l, StandardCharsets.ISO_8859_1));
          q += 1 + l;
        }
      } else if (type == QUIC_TRANSPORT_PARAMETERS) {
        int q = body;
        int tEnd = body + len;
        while (q < tEnd) {
          long id = Varint.read(m, q, tEnd);
          if (id < 0) break;
          q += Varint.length(m[q]);
          long vl = Varint.read(m, q, tEnd);
          if (vl < 0) break;
          q += Varint.length(m[q]);
          if (vl > tEnd - q) break;
          tps.add(new TransportParameter(id, java.util.Arrays.copyOfRange(m, q, q + (int) vl)));
          q += (int) vl;
        }
      }
      p = body + len;
    }
    return new HelloExtensions(List.copyOf(alpn), List.copyOf(tps));
  }

  private static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }
}
