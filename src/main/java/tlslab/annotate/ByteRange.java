package tlslab.annotate;

/**
 * Where some bytes lie, enough to draw a byte view later: an offset and length in one of four
 * spaces.
 *
 * @param space which bytes the offset counts in
 * @param offset first byte
 * @param length number of bytes
 */
public record ByteRange(Space space, long offset, int length) {
  /** The byte spaces a record, message or field may lie in. */
  public enum Space {
    /** The frame as captured (offset 0 is the first byte of the link-layer header). */
    FRAME,
    /**
     * The sender's TCP byte stream, relative sequence numbers as Wireshark shows them (offset 0 is
     * the first payload byte): for a record reassembled from several segments.
     */
    STREAM,
    /** The plaintext of one decrypted record. */
    DECRYPTED,
    /** A handshake message reassembled from several records (offset 0 is its type byte). */
    HANDSHAKE
  }
}
