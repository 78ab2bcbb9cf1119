package tlslab.wire;

/**
 * Handshake message types (RFC 5246 section 7.4, RFC 8446 section 4) with Wireshark's labels
 * ("Client Hello", "Server Hello Done", ...).
 */
public enum HandshakeType {
  HELLO_REQUEST(0, "hello_request", "Hello Request"),
  CLIENT_HELLO(1, "client_hello", "Client Hello"),
  SERVER_HELLO(2, "server_hello", "Server Hello"),
  HELLO_VERIFY_REQUEST(3, "hello_verify_request", "Hello Verify Request"),
  NEW_SESSION_TICKET(4, "new_session_ticket", "New Session Ticket"),
  END_OF_EARLY_DATA(5, "end_of_early_data", "End of Early Data"),
  HELLO_RETRY_REQUEST(6, "hello_retry_request", "Hello Retry Request"),
  ENCRYPTED_EXTENSIONS(8, "encrypted_extensions", "Encrypted Extensions"),
  CERTIFICATE(11, "certificate", "Certificate"),
  SERVER_KEY_EXCHANGE(12, "server_key_exchange", "Server Key Exchange"),
  CERTIFICATE_REQUEST(13, "certificate_request", "Certificate Request"),
  SERVER_HELLO_DONE(14, "server_hello_done", "Server Hello Done"),
  CERTIFICATE_VERIFY(15, "certificate_verify", "Certificate Verify"),
  CLIENT_KEY_EXCHANGE(16, "client_key_exchange", "Client Key Exchange"),
  FINISHED(20, "finished", "Finished"),
  CERTIFICATE_URL(21, "certificate_url", "Certificate URL"),
  CERTIFICATE_STATUS(22, "certificate_status", "Certificate Status"),
  SUPPLEMENTAL_DATA(23, "supplemental_data", "Supplemental Data"),
  KEY_UPDATE(24, "key_update", "Key Update"),
  COMPRESSED_CERTIFICATE(25, "compressed_certificate", "Compressed Certificate"),
  NPN_ENCRYPTED_EXTENSIONS(67, "next_protocol", "Encrypted Extensions"),
  MESSAGE_HASH(254, "message_hash", "Message Hash"),
  /** A code no RFC defines (often: encrypted bytes read as a header). */
  UNKNOWN(-1, "unknown", "Encrypted Handshake Message");

  private static final HandshakeType[] BY_CODE = new HandshakeType[256];

  static {
    for (int i = 0; i < 256; i++) BY_CODE[i] = UNKNOWN;
    for (HandshakeType t : values()) if (t.code >= 0) BY_CODE[t.code] = t;
  }

  private final int code;
  private final String rfcName;
  private final String label;

  HandshakeType(int code, String rfcName, String label) {
    this.code = code;
    this.rfcName = rfcName;
    this.label = label;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  public String label() {
    return label;
  }

  public static HandshakeType of(int code) {
    return BY_CODE[code & 0xff];
  }

  public boolean isKnown() {
    return this != UNKNOWN;
  }
}
