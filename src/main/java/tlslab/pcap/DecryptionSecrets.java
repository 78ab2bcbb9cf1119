package tlslab.pcap;

/**
 * The contents of a pcapng Decryption Secrets Block (draft-ietf-opsawg-pcapng section 4.7): keys
 * stored inside the capture, as {@code editcap --inject-secrets tls,keys.log} writes them. For
 * {@link #TLS_KEY_LOG} the data is an NSS key log (the SSLKEYLOGFILE text format).
 *
 * @param type the Secrets Type field, e.g. {@link #TLS_KEY_LOG}
 * @param data the Secrets Data field (without padding)
 */
public record DecryptionSecrets(int type, byte[] data) {
  /** Secrets Type 0x544c534b ("TLSK"): an NSS key log. */
  public static final int TLS_KEY_LOG = 0x544c534b;

  /** True if the data is an NSS key log for TLS. */
  public boolean tlsKeyLog() {
    return type == TLS_KEY_LOG;
  }
}
