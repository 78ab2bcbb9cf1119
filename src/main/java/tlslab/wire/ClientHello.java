package tlslab.wire;

import java.util.List;

/**
 * A parsed ClientHello (RFC 5246 section 7.4.1.2, RFC 8446 section 4.1.2).
 *
 * <pre>
 * struct {
 *     ProtocolVersion legacy_version;            // 0x0303 even for TLS 1.3
 *     Random random;                             // 32 bytes
 *     opaque legacy_session_id&lt;0..32&gt;;
 *     CipherSuite cipher_suites&lt;2..2^16-2&gt;;
 *     opaque legacy_compression_methods&lt;1..2^8-1&gt;;
 *     Extension extensions&lt;8..2^16-1&gt;;
 * } ClientHello;
 * </pre>
 *
 * @param version legacy_version
 * @param random the 32-byte client random (the key log's CLIENT_RANDOM key)
 * @param sessionId session id offered for resumption (empty if none)
 * @param cipherSuites offered suite codes, in preference order
 * @param extensions extension type codes in order
 * @param serverName SNI host name, or null
 * @param supportedVersions versions from supported_versions, empty if absent
 * @param keyShareGroups groups with a key share, empty if absent
 * @param ticket the session ticket offered for resumption (RFC 5077), empty if none
 */
public record ClientHello(
    int version,
    byte[] random,
    byte[] sessionId,
    int[] cipherSuites,
    List<Integer> extensions,
    String serverName,
    int[] supportedVersions,
    int[] keyShareGroups,
    byte[] ticket) {

  /** True if a non-empty session ticket is offered (RFC 5077 resumption attempt). */
  public boolean sessionTicket() {
    return ticket.length > 0;
  }
}
