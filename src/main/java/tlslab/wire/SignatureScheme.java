package tlslab.wire;

/** Signature schemes (RFC 8446 section 4.2.3) used in CertificateVerify and ServerKeyExchange. */
public enum SignatureScheme {
  RSA_PKCS1_SHA256(0x0401, "rsa_pkcs1_sha256"),
  RSA_PKCS1_SHA384(0x0501, "rsa_pkcs1_sha384"),
  RSA_PKCS1_SHA512(0x0601, "rsa_pkcs1_sha512"),
  ECDSA_SECP256R1_SHA256(0x0403, "ecdsa_secp256r1_sha256"),
  ECDSA_SECP384R1_SHA384(0x0503, "ecdsa_secp384r1_sha384"),
  RSA_PSS_RSAE_SHA256(0x0804, "rsa_pss_rsae_sha256"),
  RSA_PSS_RSAE_SHA384(0x0805, "rsa_pss_rsae_sha384"),
  RSA_PSS_RSAE_SHA512(0x0806, "rsa_pss_rsae_sha512"),
  ED25519(0x0807, "ed25519"),
  RSA_PSS_PSS_SHA256(0x0809, "rsa_pss_pss_sha256"),
  RSA_PKCS1_SHA1(0x0201, "rsa_pkcs1_sha1"),
  ECDSA_SHA1(0x0203, "ecdsa_sha1"),
  UNKNOWN(-1, "unknown");

  private final int code;
  private final String rfcName;

  SignatureScheme(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  public String label() {
    return rfcName;
  }

  public static SignatureScheme of(int code) {
    for (SignatureScheme s : values()) if (s.code == code) return s;
    return UNKNOWN;
  }
}
