package tlslab.tls;

/**
 * Whether the server asks the client for a certificate (mutual TLS, RFC 5246 §7.4.4): not at all,
 * asks but accepts none, or requires one signed by the lab CA.
 */
public enum ClientAuth {
  NONE,
  WANT,
  NEED;

  /** Parses {@code none|want|need}, case-insensitively. */
  public static ClientAuth parse(String s) {
    for (ClientAuth c : values()) {
      if (c.name().equalsIgnoreCase(s)) {
        return c;
      }
    }
    throw tlslab.common.LabException.badInput(
        "unknown client-auth mode '" + s + "' (choose one of: none, want, need)");
  }
}
