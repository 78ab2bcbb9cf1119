package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.quic.CryptoStream;
import tlslab.quic.PacketKeys;
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

  /** Application secrets and key generation, for key updates (RFC 9001 section 6). */
  byte[] clientAppSecret;

  byte[] serverAppSecret;
  PacketKeys clientNextKeys;
  PacketKeys serverNextKeys;
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
