package tlslab.chat;

/**
 * What the chat knows about a connected client, taken from its TLS session once the handshake is
 * done. The chat logic never sees TLS itself: the network layer fills this in.
 *
 * @param address the client's address as {@code host:port}, shown in join and leave notices
 * @param protocol the negotiated protocol, e.g. {@code TLSv1.2}
 * @param cipherSuite the negotiated suite, e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
 * @param certificateSubject the subject of the client's certificate (mutual TLS), or null
 * @param certificateCommonName the CN of that subject, or null; becomes the default nick
 */
public record Peer(
    String address,
    String protocol,
    String cipherSuite,
    String certificateSubject,
    String certificateCommonName) {

  /** A peer without a client certificate. */
  public static Peer of(String address, String protocol, String cipherSuite) {
    return new Peer(address, protocol, cipherSuite, null, null);
  }
}
