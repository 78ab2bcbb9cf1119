package tlslab.demo;

import java.util.Set;

/**
 * The ports of the kernel's ephemeral range ({@code 32768-60999} on Linux) that Wireshark 4.0 hands
 * to a dissector other than TLS by default ({@code tshark -G decodes}, rows {@code tcp.port}).
 * Traffic on them opens in Wireshark as that protocol (TLS to 44818 shows as "ENIP Unknown
 * Command") unless the reader uses Decode As; on any other free port Wireshark finds TLS by itself.
 * The demo, which lets the system choose its server's port, avoids these.
 */
final class WiresharkPorts {
  private WiresharkPorts() {}

  /** Wireshark 4.0's {@code tcp.port} table, restricted to the ephemeral range. */
  static final Set<Integer> EPHEMERAL_OTHER_DISSECTOR =
      Set.of(34980, 44321, 44322, 44818, 48049, 48898, 57000);

  /** Whether Wireshark would dissect TCP {@code port} as another protocol than TLS. */
  static boolean otherDissector(int port) {
    return EPHEMERAL_OTHER_DISSECTOR.contains(port);
  }
}
