package tlslab.annotate;

/**
 * One field of a TLS message, as Wireshark's packet tree shows it.
 *
 * @param name field name (the RFC's struct member, e.g. {@code cipher_suite}, or an extension name)
 * @param value the value as text (a name, a number, hex for opaque bytes)
 * @param offset first byte, counted from the start of the message (its type byte for a handshake
 *     message)
 * @param length number of bytes
 */
public record Field(String name, String value, int offset, int length) {}
