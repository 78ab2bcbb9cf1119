package tlslab.quic;

/**
 * QUIC packet types (RFC 9000 section 17) with Wireshark's Info label and the packet number space
 * (RFC 9000 section 12.3) whose keys protect them.
 */
public enum PacketType {
  INITIAL("Initial", Epoch.INITIAL),
  ZERO_RTT("0-RTT", Epoch.APPLICATION),
  HANDSHAKE("Handshake", Epoch.HANDSHAKE),
  RETRY("Retry", null),
  VERSION_NEGOTIATION("Version Negotiation", null),
  /** A short-header packet; Wireshark calls it "Protected Payload" in the Info column. */
  ONE_RTT("1-RTT", Epoch.APPLICATION);

  /** Packet number spaces, each with its own keys and its own CRYPTO stream. */
  public enum Epoch {
    INITIAL,
    HANDSHAKE,
    APPLICATION
  }

  private final String label;
  private final Epoch epoch;

  PacketType(String label, Epoch epoch) {
    this.label = label;
    this.epoch = epoch;
  }

  public String label() {
    return label;
  }

  /** The packet number space, or null for Retry and Version Negotiation (not protected). */
  public Epoch epoch() {
    return epoch;
  }
}
