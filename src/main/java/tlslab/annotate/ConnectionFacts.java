package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;
import tlslab.pcap.TcpPacket;
import tlslab.wire.CipherSuite;
import tlslab.wire.HandshakeMode;
import tlslab.wire.KeyExchangeKind;
import tlslab.wire.NamedGroup;
import tlslab.wire.ProtocolVersion;

/**
 * The handshake facts of one TLS connection in a capture, as values a program can check (the
 * exercise checkers do): what {@link ConnectionSummary} says in sentences. Only what was visible is
 * known: without keys a TLS 1.3 handshake is encrypted after the Server Hello, so its certificates
 * are absent here unless a key log decrypted them.
 *
 * @param index connection number (1-based, order of first frame), as {@link Row#connection}
 * @param client client address:port
 * @param server server address:port
 * @param version the negotiated version's wire code (0x0303 TLS 1.2, 0x0304 TLS 1.3, also for a TLS
 *     1.3 draft), -1 when no Server Hello was seen
 * @param cipherSuite the negotiated suite's wire code, -1 when no Server Hello was seen
 * @param serverKeyExchange whether the server sent a Server Key Exchange: TLS 1.2 (EC)DHE
 *     parameters signed with the server key (RFC 5246 §7.4.3); a TLS_RSA suite has none
 * @param keyExchangeGroup the named group of the ephemeral key exchange (Server Key Exchange or TLS
 *     1.3 key share), -1 when none was seen
 * @param serverCertificates the server's chain, leaf first; empty when none was seen (resumed
 *     handshake, or TLS 1.3 without keys)
 * @param certificateRequest whether the server asked for a client certificate (RFC 5246 §7.4.4)
 * @param clientCertificates the chain the client sent, leaf first; empty when none
 * @param clientCertificateVerify whether the client sent a Certificate Verify, its signature over
 *     the handshake so far that proves it holds the key of its certificate (RFC 5246 §7.4.8)
 * @param resumed whether the handshake was abbreviated (resumed session), not full
 * @param ticketsIssued how many New Session Ticket messages the server sent
 * @param clientApplicationData Application Data records from the client (for TLS 1.3 without keys
 *     this includes its encrypted Finished)
 * @param serverApplicationData Application Data records from the server (likewise)
 * @param decryptedRecords records decrypted with the key material given to the annotator
 * @param keyExchange how the secret was agreed (RSA transport, ECDHE, DHE, TLS 1.3 (EC)DHE, PSK,
 *     PSK with (EC)DHE): the one place forward secrecy is decided ({@link #forwardSecret()})
 * @param mode full, resumed by session id, resumed by ticket, TLS 1.3 PSK
 * @param helloRetryRequest whether the server sent a TLS 1.3 Hello Retry Request
 * @param serverName the SNI host name the client asked for, or null
 * @param alpnOffered the ALPN protocols the client offered (RFC 7301), non-ASCII bytes as \xNN
 * @param alpnChosen the protocol the server chose (Server Hello in TLS 1.2, Encrypted Extensions in
 *     TLS 1.3: seen only with keys), or null
 * @param clientCertificateSent whether the client sent a non-empty Certificate
 * @param ticketLifetime lifetime in seconds of the last ticket (hint in TLS 1.2), -1 if none seen
 * @param alerts the alerts seen, in order (TLS 1.3 alerts are encrypted: seen only with keys)
 * @param certificateStatus what a stapled OCSP response said (RFC 6066 8, RFC 6960), or null when
 *     the server stapled none
 * @param decryptionStatus why decryption did not happen, or null
 * @param proxy the target of an HTTP CONNECT or SOCKS request before TLS ("host:port"), or null
 * @param rolesKnown whether a Client Hello told which side is the client (else the first sender is
 *     taken to be the client)
 * @param problems malformed messages found on this connection, "frame N: what"
 * @param versionOnWire the version as the Server Hello wrote it: that of {@code version} except for
 *     a TLS 1.3 draft (0x7f17 is draft 23), -1 when no Server Hello was seen
 * @param helloRetryGroup the group a Hello Retry Request asked for (RFC 8446 4.1.4), -1 when it
 *     named none (a retry for its cookie only) or there was no Hello Retry Request
 * @param helloRetryCookie whether a Hello Retry Request carried a cookie (RFC 8446 4.2.2)
 * @param handshakeFinished whether the capture shows the handshake through to the client's
 *     Finished: both Change Cipher Spec records in TLS 1.0-1.2 (each side's Finished follows its
 *     own), in TLS 1.3 the client's Finished or, without keys, its first encrypted record after the
 *     Server Hello, which holds it
 * @param earlyDataOffered whether the client's hello carried early_data: it sent 0-RTT data (RFC
 *     8446 4.2.10)
 * @param earlyDataAccepted whether the server accepted that early data: false when it refused the
 *     pre-shared key (a full handshake) or its Encrypted Extensions lacks early_data, true when
 *     they carry it, null when not known (Encrypted Extensions are encrypted: read only with keys)
 * @param renegotiationFrame TLS 1.0-1.2: the first frame with a handshake message after the
 *     handshake's Finished (a Hello Request or a new Client Hello under its keys: a renegotiation,
 *     RFC 5746), -1 when none; {@code mode} and {@code resumed} stay those of the first handshake
 * @param renegotiationMode the mode of the last renegotiation that got a Server Hello (read only
 *     with keys), or null
 * @param echOffered whether the client's hello carried an outer encrypted_client_hello
 *     (draft-ietf-tls-esni): then {@code serverName} may be only the outer, public name
 * @param alpnAnswerSeen whether the message that carries the server's ALPN answer was read (the
 *     Server Hello in TLS 1.0-1.2, Encrypted Extensions in TLS 1.3): then a null {@code alpnChosen}
 *     means the server chose none
 * @param legacyVersion the Server Hello's version field (0x0303 in TLS 1.3; TLS 1.3 itself in an
 *     early draft), -1 when no Server Hello was seen
 * @param keyUpdates the TLS 1.3 Key Updates read (only with keys: they are encrypted), in order,
 *     each linked to the peer's request it answers and to the answer it got (RFC 8446 §4.6.3)
 * @param keySharesOffered the groups the client's hellos carried key shares for (RFC 8446 §4.2.8),
 *     GREASE left out, in order of first offer; {@code keyExchangeGroup} is the one chosen
 */
public record ConnectionFacts(
    int index,
    String client,
    String server,
    int version,
    int cipherSuite,
    boolean serverKeyExchange,
    int keyExchangeGroup,
    List<X509Certificate> serverCertificates,
    boolean certificateRequest,
    List<X509Certificate> clientCertificates,
    boolean clientCertificateVerify,
    boolean resumed,
    int ticketsIssued,
    int clientApplicationData,
    int serverApplicationData,
    int decryptedRecords,
    KeyExchangeKind keyExchange,
    HandshakeMode mode,
    boolean helloRetryRequest,
    String serverName,
    List<String> alpnOffered,
    String alpnChosen,
    boolean clientCertificateSent,
    long ticketLifetime,
    List<TlsAlert> alerts,
    CertificateStatus certificateStatus,
    String decryptionStatus,
    String proxy,
    boolean rolesKnown,
    List<String> problems,
    int versionOnWire,
    int helloRetryGroup,
    boolean helloRetryCookie,
    boolean handshakeFinished,
    boolean earlyDataOffered,
    Boolean earlyDataAccepted,
    long renegotiationFrame,
    HandshakeMode renegotiationMode,
    boolean echOffered,
    boolean alpnAnswerSeen,
    int legacyVersion,
    List<KeyUpdate> keyUpdates,
    List<Integer> keySharesOffered) {

  public ConnectionFacts {
    keyUpdates = List.copyOf(keyUpdates);
    keySharesOffered = List.copyOf(keySharesOffered);
    serverCertificates = List.copyOf(serverCertificates);
    clientCertificates = List.copyOf(clientCertificates);
    alpnOffered = List.copyOf(alpnOffered);
    alerts = List.copyOf(alerts);
    problems = List.copyOf(problems);
  }

  /**
   * Whether a recording stays secret if the server's key leaks later (see {@link KeyExchangeKind}).
   */
  public boolean forwardSecret() {
    return keyExchange.forwardSecret();
  }

  /** The negotiated version's name ("TLS 1.3", "TLS 1.3 draft 23"), or "unknown". */
  public String versionName() {
    return version < 0 ? "unknown" : ProtocolVersion.nameOf(versionOnWire, legacyVersion);
  }

  /** The negotiated suite's RFC name, e.g. {@code TLS_RSA_WITH_AES_128_CBC_SHA}, or "". */
  public String cipherSuiteName() {
    return cipherSuite < 0 ? "" : CipherSuite.labelOf(cipherSuite);
  }

  /** Whether a Server Hello was seen, that is whether a handshake got past its first message. */
  public boolean negotiated() {
    return version >= 0;
  }

  static ConnectionFacts of(Connection c) {
    boolean aIsServer = c.server == 'A';
    String a = endpoint(c.addrA, c.portA, c.ipVersion);
    String b = endpoint(c.addrB, c.portB, c.ipVersion);
    return new ConnectionFacts(
        c.index,
        aIsServer ? b : a,
        aIsServer ? a : b,
        c.negotiatedVersion,
        c.cipherSuite,
        c.sawServerKeyExchange,
        c.keyExchangeGroup,
        c.serverChain,
        c.sawCertificateRequest,
        c.clientChain,
        c.sawClientCertificateVerify,
        c.firstMode != null ? c.firstMode.resumed() : c.resumed,
        c.ticketsIssued,
        c.clientAppData,
        c.serverAppData,
        c.decryption == null ? 0 : c.decryption.decryptedRecords,
        // A Hello Retry Request names version and suite but agrees no key: only a Server Hello
        // does.
        c.sawServerHello
            ? KeyExchangeKind.of(
                c.negotiatedVersion,
                c.cipherSuite,
                c.pskAccepted,
                c.serverKeyShare,
                c.keyExchangeGroup)
            : KeyExchangeKind.UNKNOWN,
        c.firstMode != null ? c.firstMode : c.mode,
        c.helloRetry,
        c.serverName,
        c.alpnOffered,
        c.alpnChosen,
        c.sawClientCertificate,
        c.ticketLifetime,
        c.alertList,
        c.certificateStatus,
        c.decryption == null ? null : c.decryption.status,
        c.proxyTarget,
        c.serverKnown || c.sslv2ClientHello,
        c.problems,
        c.negotiatedVersionOnWire,
        c.helloRetryGroup,
        c.helloRetryCookie,
        handshakeFinished(c),
        (c.earlyDataOffered || c.earlyDataInFirstHello) && c.clientOffered13,
        earlyDataAccepted(c),
        c.renegotiationFrame,
        c.firstMode != null ? c.mode : null,
        c.echOffered,
        c.negotiatedVersion == 0x0304 ? c.serverEncryptedExtensions : c.sawServerHello,
        c.serverHelloLegacyVersion,
        c.keyUpdates,
        c.keySharesOffered);
  }

  /**
   * Whether the client offered a post-quantum key share (a hybrid or ML-KEM group) that the server
   * did not choose: then the exchange is classical though the client could do better.
   */
  public boolean postQuantumOfferedNotChosen() {
    return postQuantumNotChosen(keySharesOffered, keyExchangeGroup);
  }

  /** See {@link #postQuantumOfferedNotChosen()}; the one place this is decided. */
  static boolean postQuantumNotChosen(List<Integer> offered, int chosen) {
    if (chosen >= 0 && postQuantum(chosen)) return false;
    for (int g : offered) if (postQuantum(g)) return true;
    return false;
  }

  static boolean postQuantum(int group) {
    NamedGroup.Kind k = NamedGroup.of(group).kind();
    return k == NamedGroup.Kind.HYBRID || k == NamedGroup.Kind.KEM;
  }

  /** See {@link #handshakeFinished()}; also what the alert notes go by. */
  static boolean handshakeFinished(Connection c) {
    if (!c.sawServerHello) return false;
    if (c.negotiatedVersion == 0x0304) return c.clientFinished || c.clientSentEncrypted;
    return c.clientCcs && c.serverCcs;
  }

  /** See {@link #earlyDataAccepted()}. */
  private static Boolean earlyDataAccepted(Connection c) {
    if (!(c.earlyDataOffered || c.earlyDataInFirstHello) || !c.clientOffered13) return null;
    // A Hello Retry Request rejects early data: the second hello leaves it out (RFC 8446 4.2.10).
    if (c.earlyDataInFirstHello && c.helloRetry) return false;
    // Early data is bound to the first offered PSK (RFC 8446 4.2.10): without it, no early data.
    if (c.sawServerHello && !c.pskAccepted) return false;
    return c.earlyDataAccepted;
  }

  static String endpoint(byte[] addr, int port, int ipVersion) {
    String s = TcpPacket.address(addr, ipVersion);
    return ipVersion == 6 ? "[" + s + "]:" + port : s + ":" + port;
  }
}
