package tlslab.wire;

/**
 * A parsed ServerHello (RFC 5246 section 7.4.1.3, RFC 8446 section 4.1.3).
 *
 * <p>TLS 1.3 is recognised by the supported_versions extension (the legacy_version field stays
 * 0x0303), and a HelloRetryRequest by its fixed random value (SHA-256 of "HelloRetryRequest").
 *
 * @param legacyVersion the version field
 * @param version the negotiated version (supported_versions if present, else legacyVersion)
 * @param random 32-byte server random
 * @param sessionId echoed or new session id
 * @param cipherSuite the chosen suite code
 * @param helloRetryRequest true if this is a TLS 1.3 HelloRetryRequest
 * @param keyShareGroup group of the server's key share (TLS 1.3), or -1
 * @param sessionTicketAck true if the server acknowledged session_ticket (TLS 1.2)
 * @param extendedMasterSecret true if extended_master_secret was negotiated (RFC 7627)
 * @param encryptThenMac true if encrypt_then_mac was negotiated (RFC 7366)
 * @param pskAccepted true if a TLS 1.3 pre_shared_key was accepted (a resumption)
 */
public record ServerHello(
    int legacyVersion,
    int version,
    byte[] random,
    byte[] sessionId,
    int cipherSuite,
    boolean helloRetryRequest,
    int keyShareGroup,
    boolean sessionTicketAck,
    boolean extendedMasterSecret,
    boolean encryptThenMac,
    boolean pskAccepted) {}
