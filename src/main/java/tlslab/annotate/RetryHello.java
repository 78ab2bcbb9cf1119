package tlslab.annotate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tlslab.wire.ClientHello;
import tlslab.wire.ExtensionType;

/**
 * What a second Client Hello, sent after a Hello Retry Request, changed from the first: read from
 * the two hellos' bytes, not assumed. RFC 8446 4.1.2 asks for "the same ClientHello" except that
 * the client replaces key_share by one on the group the server named, adds the server's cookie,
 * leaves out early_data, updates pre_shared_key (new ages and binders) and may change padding; a
 * real encrypted_client_hello makes a new inner hello for the retry (draft-ietf-tls-esni 6.1.5).
 *
 * @param allowed changes beyond key_share and cookie (which the note names from the retry), each in
 *     words
 * @param notAllowed the other changes: "its random", "its legacy_session_id", "its cipher suites",
 *     or an extension and how it changed ("supported_groups (changed)")
 */
record RetryHello(List<String> allowed, List<String> notAllowed) {
  private static final int PADDING = 21;
  private static final int COOKIE = 44;
  private static final int DRAFT_KEY_SHARE = 40;
  private static final int ECH = 0xfe0d;

  /** The first hello's parts that a retry must repeat. */
  record First(ClientHello hello, Map<Integer, byte[]> extensions) {}

  static RetryHello of(First first, ClientHello second, Map<Integer, byte[]> ext) {
    List<String> allowed = new ArrayList<>();
    List<String> not = new ArrayList<>();
    ClientHello a = first.hello();
    if (!Arrays.equals(a.random(), second.random())) not.add("its random");
    if (!Arrays.equals(a.sessionId(), second.sessionId())) not.add("its legacy_session_id");
    if (!Arrays.equals(a.cipherSuites(), second.cipherSuites())) not.add("its cipher suites");
    List<Integer> ordered = new ArrayList<>(first.extensions().keySet());
    for (int t : ext.keySet()) if (!ordered.contains(t)) ordered.add(t);
    for (int t : ordered) {
      byte[] x = first.extensions().get(t);
      byte[] y = ext.get(t);
      if (x != null && y != null && Arrays.equals(x, y)) continue;
      // key_share (40 in the TLS 1.3 drafts before 23) and cookie are named from the retry.
      if (t == ExtensionType.KEY_SHARE.code() || t == DRAFT_KEY_SHARE || t == COOKIE) continue;
      String change = x == null ? "added" : y == null ? "left out" : "changed";
      String part = name(t) + " (" + change + ")";
      if (t == ExtensionType.EARLY_DATA.code() && y == null)
        allowed.add("early_data left out (no 0-RTT after a Hello Retry Request, 4.2.10)");
      else if (t == ExtensionType.PRE_SHARED_KEY.code() && x != null && y != null)
        allowed.add("its pre_shared_key updated (new ages and binders, 4.2.11)");
      else if (t == PADDING) allowed.add("padding (" + change + ", RFC 7685)");
      else if (t == ECH && x != null && y != null)
        allowed.add(
            "a new encrypted_client_hello payload (a real ECH encrypts a new inner hello,"
                + " draft-ietf-tls-esni 6.1.5)");
      else not.add(part);
    }
    return new RetryHello(List.copyOf(allowed), List.copyOf(not));
  }

  /** "supported_groups", or "extension 65037" for one the lab does not name. */
  private static String name(int type) {
    ExtensionType t = ExtensionType.of(type);
    if (t != ExtensionType.UNKNOWN) return t.rfcName();
    if (HelloFields.isGrease(type)) return String.format("GREASE extension 0x%04x", type);
    if (type == ECH) return "encrypted_client_hello";
    return "extension " + type;
  }
}
