package tlslab.quic;

import java.util.HexFormat;

/**
 * QUIC versions whose Initial packets can be opened by anyone: the version fixes the salt from
 * which the Initial keys are derived (RFC 9001 section 5.2, RFC 9369 section 3.3.1), the labels of
 * the key derivation and the mapping of the two long-header type bits to packet types (RFC 9369
 * section 3.2 swaps them so that middleboxes cannot ossify on v1's values).
 */
public enum QuicVersion {
  /** RFC 9000. */
  V1(0x00000001, "1", "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "quic "),
  /** RFC 9369: the same protocol with a new salt, new labels and shuffled packet types. */
  V2(0x6b3343cf, "2", "0dede3def700a6db819381be6e269dcbf9bd2ed9", "quicv2 "),
  /** draft-ietf-quic-transport-29, which Chrome spoke until 2021. */
  DRAFT_29(0xff00001d, "draft-29", "afbfec289993d24c9e9786f19c6111e04390a899", "quic "),
  /** Any other version: its header can be read (RFC 8999 invariants), its payload cannot. */
  UNKNOWN(-1, "unknown", null, "quic ");

  private final int wire;
  private final String label;
  private final byte[] salt;
  private final String labelPrefix;

  QuicVersion(int wire, String label, String salt, String labelPrefix) {
    this.wire = wire;
    this.label = label;
    this.salt = salt == null ? null : HexFormat.of().parseHex(salt);
    this.labelPrefix = labelPrefix;
  }

  public static QuicVersion of(int wire) {
    for (QuicVersion v : values()) if (v.wire == wire) return v;
    return UNKNOWN;
  }

  public int wire() {
    return wire;
  }

  /** Wireshark's name for the version ("1", "2", "draft-29"). */
  public String label() {
    return label;
  }

  /** True if Initial keys can be derived for this version. */
  public boolean known() {
    return salt != null;
  }

  byte[] initialSalt() {
    return salt.clone();
  }

  /** "quic key" / "quicv2 key" and so on (RFC 9001 section 5.1, RFC 9369 section 3.3.2). */
  String keyLabel(String what) {
    return labelPrefix + what;
  }

  /** The packet type of a long header's first byte (bits 0x30) in this version. */
  public PacketType longType(int firstByte) {
    int t = (firstByte & 0x30) >> 4;
    if (this == V2) {
      return switch (t) {
        case 0 -> PacketType.RETRY;
        case 1 -> PacketType.INITIAL;
        case 2 -> PacketType.ZERO_RTT;
        default -> PacketType.HANDSHAKE;
      };
    }
    return switch (t) {
      case 0 -> PacketType.INITIAL;
      case 1 -> PacketType.ZERO_RTT;
      case 2 -> PacketType.HANDSHAKE;
      default -> PacketType.RETRY;
    };
  }

  /**
   * Wireshark's test for a QUIC version worth dissecting on an unknown port: an IETF draft from 11
   * on, v1, v2, Facebook's mvfst, Google's Q050/T050/T051 and the reserved 0x?a?a?a?a versions.
   */
  public static boolean wiresharkRecognises(int v) {
    if ((v >>> 8) == 0xff0000) return (v & 0xff) >= 11;
    if (v == 0xfaceb001 || v == 0xfaceb002 || v == 0xfaceb00e) return true;
    if (v == 0x51303530 || v == 0x54303530 || v == 0x54303531) return true;
    if ((v & 0x0f0f0f0f) == 0x0a0a0a0a) return true;
    return v == 0x00000001 || v == 0x6b3343cf;
  }
}
