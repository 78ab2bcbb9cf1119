package tlslab.mitm;

import java.util.ArrayList;
import java.util.List;
import tlslab.wire.AlertDescription;
import tlslab.wire.ContentType;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.HandshakeType;
import tlslab.wire.ProtocolVersion;
import tlslab.wire.ServerHello;
import tlslab.wire.WireResult;

/**
 * What an attacker who does not hold the keys can read in one direction of a TLS stream: record
 * headers always (RFC 5246 §6.2.1, RFC 8446 §5.1: content type, version, length are in clear), the
 * handshake messages and alerts until that side's traffic is encrypted, and nothing after that.
 * Pure state machine over bytes (no I/O): {@link RecordRelay} feeds it each whole record.
 */
final class RecordView {
  /** One record as the attacker sees it. */
  record Seen(
      int contentType,
      int version,
      int length,
      boolean encrypted,
      List<String> messages,
      AlertDescription alert,
      int alertLevel,
      ServerHello serverHello) {}

  private final boolean fromServer;
  private boolean encrypted;
  private int messageLeft; // bytes of a handshake message continuing from the previous record

  RecordView(boolean fromServer) {
    this.fromServer = fromServer;
  }

  /** Length of the first complete record in {@code b[0..len)}, or -1 if it has not all arrived. */
  static int completeRecord(byte[] b, int len) {
    if (len < 5) {
      return -1;
    }
    int n = 5 + (((b[3] & 0xff) << 8) | (b[4] & 0xff));
    return len >= n ? n : -1;
  }

  /** Whether the bytes start like a TLS record (a known content type and a 3.x version). */
  static boolean plausibleHeader(byte[] b, int len) {
    if (len < 3) {
      return true; // not enough to tell yet
    }
    return ContentType.isValid(b[0] & 0xff) && (b[1] & 0xff) == 3;
  }

  /**
   * Reads one whole record. {@code peer} is the other direction's view: a TLS 1.3 Server Hello
   * switches both directions to encrypted records (RFC 8446 §2), a TLS 1.2 Change Cipher Spec only
   * its sender's (RFC 5246 §7.1).
   */
  Seen read(byte[] r, int len, RecordView peer) {
    int type = r[0] & 0xff;
    int version = ((r[1] & 0xff) << 8) | (r[2] & 0xff);
    int length = len - 5;
    boolean enc = encrypted && type != ContentType.CHANGE_CIPHER_SPEC.code();
    List<String> messages = new ArrayList<>();
    AlertDescription alert = null;
    int level = -1;
    ServerHello hello = null;
    if (!enc && type == ContentType.HANDSHAKE.code()) {
      int p = 5 + Math.min(messageLeft, length);
      messageLeft -= Math.min(messageLeft, length);
      while (p + 4 <= len) {
        int hsType = r[p] & 0xff;
        int hsLen = ((r[p + 1] & 0xff) << 16) | ((r[p + 2] & 0xff) << 8) | (r[p + 3] & 0xff);
        messages.add(HandshakeType.of(hsType).label());
        int bodyEnd = p + 4 + hsLen;
        if (hsType == HandshakeType.SERVER_HELLO.code() && fromServer && bodyEnd <= len) {
          WireResult<ServerHello> sh = HandshakeMessages.serverHello(r, p + 4, bodyEnd);
          hello = sh.valueOrNull();
          if (hello != null
              && !hello.helloRetryRequest()
              && hello.version() == ProtocolVersion.TLS_1_3.code()) {
            // Everything after a TLS 1.3 Server Hello is encrypted, in both directions, except
            // the compatibility Change Cipher Spec (RFC 8446 §5, Appendix D.4).
            encrypted = true;
            peer.encrypted = true;
          }
        }
        if (bodyEnd > len) {
          messageLeft = bodyEnd - len;
          break;
        }
        p = bodyEnd;
      }
    } else if (!enc && type == ContentType.ALERT.code() && length == 2) {
      level = r[5] & 0xff;
      alert = AlertDescription.of(r[6] & 0xff);
    }
    if (type == ContentType.CHANGE_CIPHER_SPEC.code()) {
      // TLS 1.2: what this side sends next is under the new keys (RFC 5246 §7.1).
      encrypted = true;
    }
    return new Seen(type, version, length, enc, List.copyOf(messages), alert, level, hello);
  }
}
