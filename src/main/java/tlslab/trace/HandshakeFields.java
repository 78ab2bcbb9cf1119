package tlslab.trace;

import java.util.List;

/**
 * The key fields of one TLS message, as far as the message carries them; absent fields are {@code
 * null} (or empty lists). Values keep JSSE's spelling ({@code TLSv1.2}, {@code x25519}, {@code
 * rsa_pss_rsae_sha256}, IANA cipher suite names), which is also the RFC spelling.
 *
 * @param versions Client Hello: the versions offered (the {@code supported_versions} extension of
 *     RFC 8446 §4.2.1 when present, else {@code client_version}); Server Hello: the version chosen
 * @param random the 32-byte hello random in hex (RFC 5246 §7.4.1.2), Client and Server Hello
 * @param sessionId the legacy session id in hex; empty when none
 * @param cipherSuites Client Hello: the suites offered, in the client's order
 * @param cipherSuite Server Hello: the suite chosen
 * @param extensions the extension names present, in order (e.g. {@code server_name})
 * @param serverName the SNI host name (RFC 6066 §3), if the Client Hello carries one
 * @param namedGroup the key-exchange group: Server Key Exchange (RFC 8422), TLS 1.3 Server Hello
 *     key_share, or the group a Hello Retry Request asks for (RFC 8446 §4.2.8)
 * @param signatureScheme Server Key Exchange and Certificate Verify: the signature scheme used
 * @param certificateSubjects Certificate: the subject of each certificate, leaf first
 * @param certificateSha256 Certificate: the SHA-256 fingerprint of each certificate's DER encoding,
 *     leaf first, as colon-separated upper-case hex ({@code openssl x509 -fingerprint -sha256}).
 *     Subjects are the same for every lab CA; a fingerprint names one certificate. JSSE's record
 *     carries no DER, so the inspector takes the chain from the connection's session once JSSE has
 *     processed the message (see {@link HandshakeInspector}); empty when the chain was not known
 * @param ticketLifetimeSeconds New Session Ticket: the lifetime hint (RFC 5077 §3.3, RFC 8446
 *     §4.6.1)
 * @param alert Alert: its description, e.g. {@code close_notify}
 * @param sessionTicketOffered Client Hello: its {@code session_ticket} extension carries a ticket
 *     (RFC 5077 §3.1: the client asks to resume that ticket's session), not merely the empty
 *     extension that says it supports tickets
 */
public record HandshakeFields(
    List<String> versions,
    String random,
    String sessionId,
    List<String> cipherSuites,
    String cipherSuite,
    List<String> extensions,
    String serverName,
    String namedGroup,
    String signatureScheme,
    List<String> certificateSubjects,
    List<String> certificateSha256,
    Long ticketLifetimeSeconds,
    String alert,
    boolean sessionTicketOffered) {

  /** A message without any of these fields (e.g. Server Hello Done). */
  public static final HandshakeFields NONE =
      new HandshakeFields(
          List.of(), null, null, List.of(), null, List.of(), null, null, null, List.of(), List.of(),
          null, null);

  /** Fields of a message that carries no session ticket. */
  public HandshakeFields(
      List<String> versions,
      String random,
      String sessionId,
      List<String> cipherSuites,
      String cipherSuite,
      List<String> extensions,
      String serverName,
      String namedGroup,
      String signatureScheme,
      List<String> certificateSubjects,
      List<String> certificateSha256,
      Long ticketLifetimeSeconds,
      String alert) {
    this(
        versions,
        random,
        sessionId,
        cipherSuites,
        cipherSuite,
        extensions,
        serverName,
        namedGroup,
        signatureScheme,
        certificateSubjects,
        certificateSha256,
        ticketLifetimeSeconds,
        alert,
        false);
  }

  public HandshakeFields {
    versions = List.copyOf(versions);
    cipherSuites = List.copyOf(cipherSuites);
    extensions = List.copyOf(extensions);
    certificateSubjects = List.copyOf(certificateSubjects);
    certificateSha256 = List.copyOf(certificateSha256);
  }

  /** These fields with {@code fingerprints} as {@link #certificateSha256}. */
  public HandshakeFields withCertificateSha256(List<String> fingerprints) {
    return new HandshakeFields(
        versions,
        random,
        sessionId,
        cipherSuites,
        cipherSuite,
        extensions,
        serverName,
        namedGroup,
        signatureScheme,
        certificateSubjects,
        fingerprints,
        ticketLifetimeSeconds,
        alert,
        sessionTicketOffered);
  }
}
