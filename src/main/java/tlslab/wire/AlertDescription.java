package tlslab.wire;

/**
 * Alert descriptions (RFC 5246 section 7.2, RFC 8446 section 6) with Wireshark's labels, as in its
 * Info column "Alert (Level: Fatal, Description: Handshake Failure)".
 */
public enum AlertDescription {
  CLOSE_NOTIFY(0, "close_notify", "Close Notify"),
  UNEXPECTED_MESSAGE(10, "unexpected_message", "Unexpected Message"),
  BAD_RECORD_MAC(20, "bad_record_mac", "Bad Record MAC"),
  DECRYPTION_FAILED(21, "decryption_failed_RESERVED", "Decryption Failed"),
  RECORD_OVERFLOW(22, "record_overflow", "Record Overflow"),
  DECOMPRESSION_FAILURE(30, "decompression_failure", "Decompression Failure"),
  HANDSHAKE_FAILURE(40, "handshake_failure", "Handshake Failure"),
  NO_CERTIFICATE(41, "no_certificate_RESERVED", "No Certificate"),
  BAD_CERTIFICATE(42, "bad_certificate", "Bad Certificate"),
  UNSUPPORTED_CERTIFICATE(43, "unsupported_certificate", "Unsupported Certificate"),
  CERTIFICATE_REVOKED(44, "certificate_revoked", "Certificate Revoked"),
  CERTIFICATE_EXPIRED(45, "certificate_expired", "Certificate Expired"),
  CERTIFICATE_UNKNOWN(46, "certificate_unknown", "Certificate Unknown"),
  ILLEGAL_PARAMETER(47, "illegal_parameter", "Illegal Parameter"),
  UNKNOWN_CA(48, "unknown_ca", "Unknown CA"),
  ACCESS_DENIED(49, "access_denied", "Access Denied"),
  DECODE_ERROR(50, "decode_error", "Decode Error"),
  DECRYPT_ERROR(51, "decrypt_error", "Decrypt Error"),
  EXPORT_RESTRICTION(60, "export_restriction_RESERVED", "Export Restriction"),
  PROTOCOL_VERSION(70, "protocol_version", "Protocol Version"),
  INSUFFICIENT_SECURITY(71, "insufficient_security", "Insufficient Security"),
  INTERNAL_ERROR(80, "internal_error", "Internal Error"),
  INAPPROPRIATE_FALLBACK(86, "inappropriate_fallback", "Inappropriate Fallback"),
  USER_CANCELED(90, "user_canceled", "User Canceled"),
  NO_RENEGOTIATION(100, "no_renegotiation", "No Renegotiation"),
  MISSING_EXTENSION(109, "missing_extension", "Missing Extension"),
  UNSUPPORTED_EXTENSION(110, "unsupported_extension", "Unsupported Extension"),
  CERTIFICATE_UNOBTAINABLE(111, "certificate_unobtainable", "Certificate Unobtainable"),
  UNRECOGNIZED_NAME(112, "unrecognized_name", "Unrecognized Name"),
  BAD_CERTIFICATE_STATUS_RESPONSE(
      113, "bad_certificate_status_response", "Bad Certificate Status Response"),
  BAD_CERTIFICATE_HASH_VALUE(114, "bad_certificate_hash_value", "Bad Certificate Hash Value"),
  UNKNOWN_PSK_IDENTITY(115, "unknown_psk_identity", "Unknown PSK Identity"),
  CERTIFICATE_REQUIRED(116, "certificate_required", "Certificate Required"),
  NO_APPLICATION_PROTOCOL(120, "no_application_protocol", "No application Protocol"),
  UNKNOWN(-1, "unknown", "Unknown");

  private final int code;
  private final String rfcName;
  private final String label;

  AlertDescription(int code, String rfcName, String label) {
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

  public static AlertDescription of(int code) {
    for (AlertDescription a : values()) if (a.code == code) return a;
    return UNKNOWN;
  }

  /** Wireshark's alert level label: 1 "Warning", 2 "Fatal", else "Unknown". */
  public static String levelLabel(int level) {
    return level == 1 ? "Warning" : level == 2 ? "Fatal" : "Unknown";
  }
}
