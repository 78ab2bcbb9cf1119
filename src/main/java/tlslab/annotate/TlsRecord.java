package tlslab.annotate;

import java.util.List;

/**
 * One TLS record (RFC 8446 §5.1, RFC 5246 §6.2): its header and what it carried.
 *
 * @param contentType the record header's type (20 change_cipher_spec, 21 alert, 22 handshake, 23
 *     application_data); for a decrypted TLS 1.3 record, the inner type
 * @param version the record header's legacy_record_version (0x0303 for TLS 1.2 and 1.3, 0x0301 in a
 *     first Client Hello)
 * @param sender who sent it
 * @param range the whole record, header included
 * @param decrypted whether its content was decrypted with the given keys
 * @param messages the messages it carries (a handshake record may carry several, or only part of
 *     one: a fragment is listed in the record that completes it)
 */
public record TlsRecord(
    int contentType,
    int version,
    Sender sender,
    ByteRange range,
    boolean decrypted,
    List<TlsMessage> messages) {
  public TlsRecord {
    messages = List.copyOf(messages);
  }
}
