package tlslab.trace;

/**
 * The TLS messages a trace shows, with the names Wireshark prints in its Info column (from {@code
 * packet-tls-utils.c}), so a student can put the trace next to a capture.
 *
 * <p>Handshake messages are defined in RFC 5246 §7.4 (TLS 1.2) and RFC 8446 §4 (TLS 1.3); Change
 * Cipher Spec is its own record type (RFC 5246 §7.1; in TLS 1.3 only a compatibility dummy, RFC
 * 8446 Appendix D.4); alerts are RFC 5246 §7.2 / RFC 8446 §6.
 */
public enum MessageType {
  CLIENT_HELLO("Client Hello", "ClientHello"),
  SERVER_HELLO("Server Hello", "ServerHello"),
  HELLO_RETRY_REQUEST("Hello Retry Request", "HelloRetryRequest"),
  ENCRYPTED_EXTENSIONS("Encrypted Extensions", "EncryptedExtensions"),
  CERTIFICATE("Certificate", "Certificate"),
  SERVER_KEY_EXCHANGE("Server Key Exchange", "ServerKeyExchange"),
  CERTIFICATE_REQUEST("Certificate Request", "CertificateRequest"),
  SERVER_HELLO_DONE("Server Hello Done", "ServerHelloDone"),
  CLIENT_KEY_EXCHANGE("Client Key Exchange", "ClientKeyExchange"),
  CERTIFICATE_VERIFY("Certificate Verify", "CertificateVerify"),
  CHANGE_CIPHER_SPEC("Change Cipher Spec", "ChangeCipherSpec"),
  FINISHED("Finished", "Finished"),
  NEW_SESSION_TICKET("New Session Ticket", "NewSessionTicket"),
  KEY_UPDATE("Key Update", "KeyUpdate"),
  ALERT("Alert", "Alert");

  private final String label;
  private final String jsseName;

  MessageType(String label, String jsseName) {
    this.label = label;
    this.jsseName = jsseName;
  }

  /** Wireshark's label, e.g. {@code Server Hello Done}. */
  public String label() {
    return label;
  }

  /** The word JSSE's debug records use, e.g. {@code ServerHelloDone}. */
  public String jsseName() {
    return jsseName;
  }

  /** The type JSSE calls {@code word}, or {@code null} when the word is no message name. */
  public static MessageType ofJsseName(String word) {
    for (MessageType t : values()) {
      if (t.jsseName.equals(word)) {
        return t;
      }
    }
    return null;
  }
}
