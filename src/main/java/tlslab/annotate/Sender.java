package tlslab.annotate;

/**
 * Which end of a TLS connection sent a record: the side that sent the Client Hello is the client.
 * Before a Client Hello is seen (capture started mid-connection) the first sender counts as the
 * client; {@link ConnectionFacts#rolesKnown()} says whether a Client Hello settled it.
 */
public enum Sender {
  CLIENT,
  SERVER;

  public String label() {
    return this == CLIENT ? "client" : "server";
  }
}
