package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What one QUIC connection's TLS handshake showed, as values: the version, the client's address,
 * the server name and ALPN protocols read from the Client Hello in its Initial packets (no key log
 * needed), and - when a key log opened the Handshake packets - the ALPN the server chose and its
 * certificate chain.
 *
 * @param messages the TLS handshake messages reassembled from CRYPTO frames, in order, by
 *     Wireshark's names
 */
public record QuicConnectionFacts(
    int index,
    int version,
    String client,
    int clientPort,
    String serverName,
    List<String> alpnOffered,
    List<String> alpnChosen,
    int cipherSuite,
    List<X509Certificate> serverChain,
    List<String> messages,
    int retries,
    int keyUpdates) {

  static QuicConnectionFacts of(QuicConnection c) {
    return new QuicConnectionFacts(
        c.index,
        c.versionWire,
        c.tls.nameA,
        c.clientPort,
        c.tls.serverName,
        c.alpnOffered,
        c.alpnChosen,
        c.tls.cipherSuite,
        c.tls.serverChain,
        List.copyOf(c.messages),
        c.retries,
        c.keyUpdates);
  }
}
