package tlslab.annotate;

import tlslab.wire.AlertDescription;

/**
 * One alert seen on a connection (RFC 8446 §6, RFC 5246 §7.2).
 *
 * @param sender who sent it
 * @param frame the frame that carried it
 * @param level 1 warning, 2 fatal; -1 when encrypted and not decrypted
 * @param description the alert code (0 close_notify, 40 handshake_failure...); -1 when encrypted
 */
public record TlsAlert(Sender sender, long frame, int level, int description) {
  /** Whether the alert could be read (a plaintext alert, or one decrypted with keys). */
  public boolean readable() {
    return description >= 0;
  }

  /** The RFC name, e.g. {@code close_notify}, or "encrypted". */
  public String name() {
    return readable() ? AlertDescription.of(description).rfcName() : "encrypted";
  }
}
