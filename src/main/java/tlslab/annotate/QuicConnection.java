package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.quic.CryptoStream;
import tlslab.quic.PacketKeys;
import tlslab.quic.PacketType;
import tlslab.quic.QuicVersion;

/**
 * What the annotator remembers about one QUIC connection: which endpoint is the client, the
 * connection IDs each side chose, the packet protection keys per packet number space and direction,
 * the CRYPTO streams, and the TLS session the handshake messages build (a {@link Connection}, so
 * that QUIC's TLS 1.3 is taken in by the same message model as TLS over TCP).
 */
final class QuicConnection {
  final int index;
  final byte[] clientAddr;
  final int clientPort;
  final QuicVersion version;
  final int versionWire;

  /** The client's first Destination Connection ID, from which the Initial keys come. */
  byte[] initialDcid;

  int clientCidLength = -1;
  int serverCidLength = -1;

  /** The connection IDs each side chose in its first long header (its Source Connection ID). */
  byte[] clientCid = new byte[0];

  byte[] serverCid = new byte[0];

  String clientCidHex;
  String serverCidHex;

  /** Keys per epoch (0 Initial, 1 Handshake, 2 application), per direction. */
  final PacketKeys[] clientKeys = new PacketKeys[3];

  final PacketKeys[] serverKeys = new PacketKeys[3];
  PacketKeys clientEarly;

  /**
   * For key updates (RFC 9001 section 6): per direction the next generation of 1-RTT keys (made on
   * first need) and the previous one (packets sent before the update may arrive after it).
   */
  PacketKeys clientNextKeys;

  PacketKeys serverNextKeys;
  PacketKeys clientPrevKeys;
  PacketKeys serverPrevKeys;

  /** Key updates seen (a packet that opened only with the next generation of keys). */
  int keyUpdates;

  int clientKeyUpdates;
  int serverKeyUpdates;

  /** Packets seen and opened per packet type (index: {@link PacketType#ordinal()}). */
  final int[] packets = new int[PacketType.values().length];

  final int[] opened = new int[PacketType.values().length];

  /** The versions a Version Negotiation packet to this client offered (empty if none). */
  int[] versionsOffered = new int[0];

  final long[] largestClient = {-1, -1, -1};
  final long[] largestServer = {-1, -1, -1};
  final CryptoStream[] clientCrypto = {new CryptoStream(), new CryptoStream(), new CryptoStream()};
  final CryptoStream[] serverCrypto = {new CryptoStream(), new CryptoStream(), new CryptoStream()};

  /** The TLS 1.3 session inside (client side is {@code tls.a}). */
  final Connection tls;

  byte[] clientRandom;
  List<String> alpnOffered = List.of();
  List<String> alpnChosen = List.of();
  final Http3Labels http3 = new Http3Labels();
  final List<String> messages = new ArrayList<>();

  /** Retry packets seen, and how many of them failed their integrity tag. */
  int retries;

  int badRetries;
  int goodRetries;

  // Notes said once per connection.
  boolean notedInitial;
  boolean notedServerInitial;
  boolean notedProtected;
  boolean notedZeroRtt;
  boolean notedHandshakeNoKeys;

  QuicConnection(
      int index,
      byte[] clientAddr,
      int clientPort,
      byte[] serverAddr,
      int serverPort,
      int ipVersion,
      int versionWire) {
    this.index = index;
    this.clientAddr = clientAddr;
    this.clientPort = clientPort;
    this.versionWire = versionWire;
    this.version = QuicVersion.of(versionWire);
    this.tls =
        new Connection(index, clientAddr, serverAddr, clientPort, serverPort, ipVersion, null);
    this.tls.tls = true;
  }

  boolean h3() {
    return alpnChosen.contains("h3");
  }

  PacketKeys[] keys(boolean fromServer) {
    return fromServer ? serverKeys : clientKeys;
  }

  long[] largest(boolean fromServer) {
    return fromServer ? largestServer : largestClient;
  }

  CryptoStream crypto(boolean fromServer, int epoch) {
    return (fromServer ? serverCrypto : clientCrypto)[epoch];
  }
}
