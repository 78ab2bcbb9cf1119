package tlslab.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Formats trace events as a timeline that fits 80 columns, one message per line:
 *
 * <pre>
 *     0.0 client → Client Hello         TLS 1.2, 4 suites, SNI localhost
 *     6.1 server ← Client Hello
 *     9.8 server → Server Hello         TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
 *                                       x25519
 * </pre>
 *
 * Milliseconds count from the connection's first event. When both sides are traced in one process,
 * every message shows up twice; {@code bothSides} then prints the details on the producer's line
 * only. Not thread-safe: callers serialise.
 */
public final class TimelineFormatter {
  private static final int WIDTH = 80;
  private static final int DETAIL_COLUMN = 38;

  /**
   * What a received Change Cipher Spec is in TLS 1.3: a dummy record sent for middleboxes, not a
   * cipher change, and one JSSE logs on receipt only.
   */
  static final String COMPATIBILITY_CCS =
      "middlebox compatibility, RFC 8446 §D.4, not a cipher change, "
          + "sender's → line not logged by JSSE";

  /** The same in a trace of one side, which never has the sender's line. */
  static final String COMPATIBILITY_CCS_ONE_SIDE =
      "middlebox compatibility, RFC 8446 §D.4, not a cipher change; "
          + "JSSE does not log such a record it sends";

  /** The same, short (the demo's column of 45 characters). */
  static final String COMPATIBILITY_CCS_SHORT = "not a cipher change (RFC 8446 §D.4)";

  private final boolean bothSides;
  private final Map<Integer, Instant> starts = new HashMap<>();
  private final java.util.Set<Integer> tls13 = new java.util.HashSet<>();

  /**
   * Per connection, the sides whose Finished was logged (sent or received): both = handshake done.
   */
  private final Map<Integer, java.util.Set<Side>> finished = new HashMap<>();

  /** Per connection, the sides that sent user_canceled (RFC 8446 §6.1). */
  private final Map<Integer, java.util.Set<Side>> canceled = new HashMap<>();

  private int lastConnection;

  /**
   * @param bothSides both ends of each connection are traced (as in {@code lab trace})
   */
  public TimelineFormatter(boolean bothSides) {
    this.bothSides = bothSides;
  }

  /** The lines for one event: a connection header when a new connection starts, then the event. */
  public List<String> format(TraceEvent e) {
    List<String> out = new ArrayList<>(3);
    Instant start = starts.computeIfAbsent(e.connection(), c -> e.time());
    if (e.connection() != lastConnection) {
      lastConnection = e.connection();
      out.add(
          "── connection "
              + e.connection()
              + " "
              + "─".repeat(WIDTH - 15 - digits(e.connection())));
    }
    double ms = Duration.between(start, e.time()).toNanos() / 1e6;
    String head =
        String.format(
            "%7.1f %-6s %s %-20s ",
            ms, e.side().label(), e.direction().arrow(), e.message().label());
    if ((e.message() == MessageType.SERVER_HELLO || e.message() == MessageType.HELLO_RETRY_REQUEST)
        && e.fields().versions().contains("TLSv1.3")) {
      tls13.add(e.connection());
    }
    boolean details = !bothSides || e.direction() == Direction.PRODUCED;
    String text = details ? details(e) : "";
    if (e.message() == MessageType.CHANGE_CIPHER_SPEC
        && e.direction() == Direction.CONSUMED
        && tls13.contains(e.connection())) {
      // JSSE logs the TLS 1.3 compatibility record it receives but not the one it sends: without
      // this, a received line would stand with no sender's line in the trace.
      text = bothSides ? COMPATIBILITY_CCS : COMPATIBILITY_CCS_ONE_SIDE;
    }
    if (e.message() == MessageType.FINISHED) {
      Side sender =
          e.direction() == Direction.PRODUCED
              ? e.side()
              : e.side() == Side.CLIENT ? Side.SERVER : Side.CLIENT;
      finished.computeIfAbsent(e.connection(), c -> new java.util.HashSet<>()).add(sender);
    }
    if (e.message() == MessageType.ALERT && e.direction() == Direction.PRODUCED) {
      text = closureNote(e, text);
    }
    out.addAll(wrap(head, text));
    return out;
  }

  /**
   * A sent user_canceled, and the close_notify after it, with what RFC 8446 §6.1 (RFC 5246 §7.2.2
   * before TLS 1.3) says of them: user_canceled cancels a handshake for a reason other than a
   * protocol failure and should be followed by close_notify; after a complete handshake,
   * close_notify alone is the more appropriate.
   */
  private String closureNote(TraceEvent e, String text) {
    String alert = e.fields().alert();
    if (alert == null) return text;
    String rfc = tls13.contains(e.connection()) ? "RFC 8446 §6.1" : "RFC 5246 §7.2.2";
    java.util.Set<Side> sent =
        canceled.computeIfAbsent(e.connection(), c -> new java.util.HashSet<>());
    if (alert.endsWith("user_canceled")) {
      sent.add(e.side());
      boolean done = finished.getOrDefault(e.connection(), java.util.Set.of()).size() == 2;
      return text
          + (done
              ? ", sent after the handshake was complete, so it cancels nothing ("
                  + rfc
                  + "), close_notify alone is preferred then"
              : ", cancels the handshake, not for a protocol failure (" + rfc + ")")
          + ", a close_notify should follow";
    }
    if (alert.endsWith("close_notify") && sent.contains(e.side())) {
      return text + ", after its user_canceled, as " + rfc + " asks";
    }
    return text;
  }

  /**
   * The short description of a message's key fields, on a connection that is ({@code tls13}) or is
   * not TLS 1.3: there a Change Cipher Spec is the compatibility record, and says so.
   */
  public static String details(TraceEvent e, boolean tls13) {
    return tls13 && e.message() == MessageType.CHANGE_CIPHER_SPEC
        ? COMPATIBILITY_CCS_SHORT
        : details(e);
  }

  /** The short description of a message's key fields. */
  public static String details(TraceEvent e) {
    HandshakeFields f = e.fields();
    List<String> parts = new ArrayList<>();
    switch (e.message()) {
      case CLIENT_HELLO:
        parts.add(versions(f.versions()));
        parts.add(f.cipherSuites().size() + (f.cipherSuites().size() == 1 ? " suite" : " suites"));
        if (f.serverName() != null) {
          parts.add("SNI " + f.serverName());
        }
        if (RecordParser.AFTER_HELLO_RETRY.equals(e.variant())) {
          parts.add("again, after the Hello Retry Request");
        }
        if (f.extensions().contains("pre_shared_key")) {
          parts.add("PSK offered");
        } else if (f.sessionTicketOffered()) {
          // RFC 5077 §3.4: a client presenting a ticket may also send a session id; a server that
          // accepts the ticket resumes from the ticket, so the ticket is what is offered.
          parts.add("session ticket offered");
        } else if (f.sessionId() != null
            && !f.sessionId().isEmpty()
            && !f.versions().contains("TLSv1.3")) {
          parts.add("session id offered");
        }
        break;
      case SERVER_HELLO:
        parts.add(versions(f.versions()));
        parts.add(f.cipherSuite());
        parts.add(f.namedGroup());
        if (f.extensions().contains("pre_shared_key")) {
          parts.add("PSK accepted");
        }
        break;
      case HELLO_RETRY_REQUEST:
        parts.add(versions(f.versions()));
        parts.add(f.cipherSuite());
        if (f.namedGroup() != null) {
          // RFC 8446 §4.2.8: the group the server wants a key share for in the next Client Hello.
          parts.add("asks for a " + f.namedGroup() + " key share");
        }
        break;
      case CERTIFICATE:
        if (f.certificateSubjects().isEmpty()) {
          parts.add("no certificate");
        } else {
          parts.add(f.certificateSubjects().get(0));
          if (f.certificateSubjects().size() > 1) {
            parts.add("+" + (f.certificateSubjects().size() - 1) + " CA");
          }
        }
        break;
      case SERVER_KEY_EXCHANGE:
        parts.add(f.namedGroup());
        parts.add(f.signatureScheme());
        break;
      case CLIENT_KEY_EXCHANGE:
        if ("RSA".equals(e.variant())) {
          parts.add("RSA key transport (no forward secrecy)");
        } else {
          parts.add(e.variant());
        }
        break;
      case CERTIFICATE_VERIFY:
        parts.add(f.signatureScheme());
        break;
      case ENCRYPTED_EXTENSIONS:
        parts.add(String.join(", ", f.extensions()));
        break;
      case NEW_SESSION_TICKET:
        if (f.ticketLifetimeSeconds() != null) {
          parts.add("lifetime " + f.ticketLifetimeSeconds() + " s");
        }
        break;
      case ALERT:
        parts.add(
            f.alert() == null && e.direction() == Direction.PRODUCED
                ? "which alert: not in JSSE's log"
                : f.alert());
        break;
      default:
        break;
    }
    parts.removeIf(p -> p == null || p.isEmpty());
    return String.join(", ", parts);
  }

  /** {@code [TLSv1.3, TLSv1.2]} → {@code TLS 1.3/1.2}. */
  static String versions(List<String> versions) {
    if (versions.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (String v : versions) {
      String n = v.startsWith("TLSv") ? v.substring(4) : v;
      b.append(b.length() == 0 ? "TLS " + n : "/" + n);
    }
    return b.toString();
  }

  private static List<String> wrap(String head, String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(head);
    boolean continuation = false;
    boolean hasDetail = false;
    for (String word : text.isEmpty() ? new String[0] : text.split("(?<=, )")) {
      int length = word.stripTrailing().length();
      // Break before a word that would cross column 80, unless it already starts a continuation.
      if (line.length() + length > WIDTH && (hasDetail || !continuation)) {
        lines.add(line.toString().stripTrailing());
        // Continuation lines start under the details; a word too long for that (the longest IANA
        // suite names) ends at column 80 instead.
        line = new StringBuilder(" ".repeat(Math.max(0, Math.min(DETAIL_COLUMN, WIDTH - length))));
        continuation = true;
        hasDetail = false;
      }
      line.append(word);
      hasDetail = true;
    }
    lines.add(line.toString().stripTrailing());
    return lines;
  }

  private static int digits(int n) {
    return Integer.toString(n).length();
  }
}
