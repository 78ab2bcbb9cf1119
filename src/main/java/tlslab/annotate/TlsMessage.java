package tlslab.annotate;

import java.util.List;

/**
 * One message inside a TLS record: a handshake message, a Change Cipher Spec, an alert, or the
 * record's application data. For a record Wireshark cannot read (encrypted), the message is what it
 * shows ("Encrypted Handshake Message", "Application Data") and {@link #type} says what it is.
 *
 * @param label Wireshark's name, as in the Info column ("Server Hello", "Alert (Level: Fatal,
 *     Description: Handshake Failure)")
 * @param type what kind of message
 * @param handshakeType the handshake type code (RFC 8446 §4), -1 when not a handshake message
 * @param sender who sent it
 * @param range where its bytes lie
 * @param fields its fields (filled when notes or JSON are on; otherwise empty)
 * @param note the plain-language explanation, or "" (said once per connection when it would repeat)
 * @param corrections the student report's claims this note corrects or confirms (only with the
 *     report's corrections on, for the lab's own captures)
 * @param bytes the message's own bytes when its {@link #range} is not in the frame (reassembled
 *     from several segments or records, or decrypted), so a byte view can show them; null when the
 *     range is in the frame or fields were not collected. Field offsets count from its first byte.
 */
public record TlsMessage(
    String label,
    Kind type,
    int handshakeType,
    Sender sender,
    ByteRange range,
    List<Field> fields,
    String note,
    List<Correction> corrections,
    byte[] bytes) {
  public TlsMessage {
    fields = List.copyOf(fields);
    corrections = List.copyOf(corrections);
  }

  /** A message whose bytes lie in the frame. */
  public TlsMessage(
      String label,
      Kind type,
      int handshakeType,
      Sender sender,
      ByteRange range,
      List<Field> fields,
      String note,
      List<Correction> corrections) {
    this(label, type, handshakeType, sender, range, fields, note, corrections, null);
  }

  /** A message whose note corrects nothing in the report. */
  public TlsMessage(
      String label,
      Kind type,
      int handshakeType,
      Sender sender,
      ByteRange range,
      List<Field> fields,
      String note) {
    this(label, type, handshakeType, sender, range, fields, note, List.of());
  }

  /** The kinds of message a record can carry. */
  public enum Kind {
    HANDSHAKE,
    /** A handshake record that could not be read: encrypted (Finished after CCS, TLS 1.2). */
    ENCRYPTED_HANDSHAKE,
    CHANGE_CIPHER_SPEC,
    ALERT,
    ENCRYPTED_ALERT,
    APPLICATION_DATA,
    HEARTBEAT,
    /** Bytes that do not start a record (lost segment), SSLv2 messages, anything else. */
    OTHER
  }
}
