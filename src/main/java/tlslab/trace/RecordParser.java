package tlslab.trace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.wire.AlertDescription;

/**
 * Turns one of JSSE's debug records into a TLS message and its key fields. Pure: text in, value
 * out.
 *
 * <p>JSSE (with {@code javax.net.debug} set to the empty string) logs each message it builds or
 * receives as {@code Produced <what> [handshake|post-handshake] message} or {@code Consuming <what>
 * ...}, with one pre-formatted parameter: JSON-like text such as {@code "random" : "EC4C…"}. The
 * same strings were measured on JDK 17 and JDK 25; where the two JDKs differ (JDK 17 labels the
 * supported_groups list {@code "versions"}, JDK 25 {@code "named groups"}) the patterns accept
 * both. The TLS 1.2 client's {@code Consuming NewSessionTicket} carries its text after the first
 * line of the message instead of in a parameter. Alerts show up as {@code WRITE: TLSv1.2
 * alert(close_notify), length = 10} (produced by a socket), {@code WRITE: TLSv1.2 alert, length =
 * 2} (by an engine: see {@link #alertFromPlaintext}) and {@code Received alert message} (consumed).
 * Everything else (record dumps, plaintext dumps, notes) is not a message and yields {@code null}.
 */
public final class RecordParser {
  /** A record recognised as a message. */
  public record Parsed(
      Direction direction, MessageType type, String variant, HandshakeFields fields) {}

  private static final Pattern HEADLINE =
      Pattern.compile(
          "^(Produced|Consuming) (.+?)(?: (?:handshake|post-handshake))?(?: message)?$");
  private static final Pattern WRITE_ALERT =
      Pattern.compile("^WRITE: \\S+ alert(?:\\(([a-z_]+)\\))?[,\\s]");
  private static final Pattern FATAL = Pattern.compile("^Fatal \\(([A-Za-z_]+)\\): ?(.*)");
  private static final Pattern RANDOM = Pattern.compile("\"random\"\\s*:\\s*\"([0-9A-Fa-f]+)\"");
  private static final Pattern SESSION_ID =
      Pattern.compile("\"session id\"\\s*:\\s*\"([0-9A-Fa-f]*)\"");
  private static final Pattern SUITES = Pattern.compile("\"cipher suites\"\\s*:\\s*\"\\[(.*?)]\"");
  private static final Pattern SUITE =
      Pattern.compile("\"cipher suite\"\\s*:\\s*\"([A-Za-z0-9_]+)");
  private static final Pattern LEGACY_VERSION =
      Pattern.compile("\"(?:client|server) version\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern SUPPORTED_VERSIONS =
      Pattern.compile(
          "\"supported_versions \\(43\\)\"\\s*:\\s*\\{\\s*\"(?:versions|selected version)\"\\s*:"
              + "\\s*\\[([^\\]]*)]");
  private static final Pattern EXTENSION = Pattern.compile("\"([a-z0-9_]+) \\(([0-9,]+)\\)\"\\s*:");
  private static final Pattern SNI = Pattern.compile("type=host_name \\(0\\), value=([^\\s,\\]]+)");
  private static final Pattern NAMED_GROUP =
      Pattern.compile("\"named group\"\\s*:\\s*\"?([A-Za-z0-9_]+)");

  /** A Hello Retry Request's key_share: {@code "selected group": [secp384r1]}. */
  private static final Pattern SELECTED_GROUP =
      Pattern.compile("\"selected group\"\\s*:\\s*\\[?\"?([A-Za-z0-9_]+)");

  /** A Client Hello's session_ticket extension with a ticket in it (empty: {@code <empty>}). */
  private static final Pattern TICKET_OFFERED =
      Pattern.compile("\"session_ticket \\(35\\)\"\\s*:\\s*\\{\\s*\"ticket\"");

  private static final Pattern SIGNATURE =
      Pattern.compile("\"signature algorithm\"\\s*:\\s*\"?([A-Za-z0-9_]+)");
  private static final Pattern SUBJECT = Pattern.compile("\"subject\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern LIFETIME =
      Pattern.compile("\"ticket_lifetime\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ALERT_DESCRIPTION =
      Pattern.compile("\"description\"\\s*:\\s*\"?([a-z_]+)");

  /** The variant of the Client Hello a client sends in answer to a Hello Retry Request. */
  public static final String AFTER_HELLO_RETRY = "after HelloRetryRequest";

  /** A hex dump line as JSSE formats it: "0010: 01 00 D3 ... ..". */
  private static final Pattern DUMP_LINE =
      Pattern.compile("(?m)^\\s*([0-9A-Fa-f]{4}): ((?:[0-9A-Fa-f]{2} {1,2})*[0-9A-Fa-f]{2})");

  /** The AEAD ciphers' dump of a record's plaintext, logged just before it is encrypted. */
  public static final String PLAINTEXT_DUMP = "Plaintext before ENCRYPTION";

  /** The CBC ciphers' dump: explicit IV, plaintext, MAC and padding, before encryption. */
  public static final String PADDED_PLAINTEXT_DUMP = "Padded plaintext before ENCRYPTION";

  /** The record layer's dump of the bytes of a record it wrote. */
  public static final String RAW_WRITE_DUMP = "Raw write";

  private RecordParser() {}

  /**
   * Whether a produced alert has no description: an {@code SSLEngine} logs {@code WRITE: TLSv1.2
   * alert, length = 2}; its cipher's plaintext dump, if any, names it ({@link
   * #alertFromPlaintext}).
   */
  public static boolean isUnnamedProducedAlert(Parsed m) {
    return m.type() == MessageType.ALERT
        && m.direction() == Direction.PRODUCED
        && m.variant() == null
        && m.fields().alert() == null;
  }

  /**
   * The alert in a cipher's dump of the record it is about to encrypt, or {@code null} if it holds
   * none. AES-GCM and ChaCha20-Poly1305 log "Plaintext before ENCRYPTION": the alert's two bytes,
   * level and description (RFC 8446 §6), come first. CBC logs "Padded plaintext before ENCRYPTION",
   * which starts with the record's explicit IV (RFC 5246 §6.2.3.2: one 16-byte AES block; the lab
   * speaks TLS 1.2 and later only, so there is always one): the alert follows it.
   */
  public static Parsed alertFromPlaintext(String message, String dump) {
    int offset;
    if (message.startsWith(PLAINTEXT_DUMP)) {
      offset = 0;
    } else if (message.startsWith(PADDED_PLAINTEXT_DUMP)) {
      offset = 16;
    } else if (message.startsWith(RAW_WRITE_DUMP)) {
      // No cipher yet: the record itself, in the clear, if it is an alert record of length 2.
      int[] header = dumpBytes(dump, 0, 5);
      if (header == null || header[0] != 21 || header[3] != 0 || header[4] != 2) {
        return null;
      }
      offset = 5;
    } else {
      return null;
    }
    int[] b = dumpBytes(dump, offset, 2);
    if (b == null) {
      return null;
    }
    int level = b[0];
    AlertDescription d = AlertDescription.of(b[1]);
    if ((level != 1 && level != 2) || d == AlertDescription.UNKNOWN) {
      return null;
    }
    return new Parsed(Direction.PRODUCED, MessageType.ALERT, null, alertFields(d.rfcName()));
  }

  /** The dump's bytes at {@code offset}, {@code n} of them on one line, or {@code null}. */
  private static int[] dumpBytes(String dump, int offset, int n) {
    if (dump == null) {
      return null;
    }
    Matcher m = DUMP_LINE.matcher(dump);
    while (m.find()) {
      int lineStart = Integer.parseInt(m.group(1), 16);
      String[] hex = m.group(2).trim().split(" +");
      int i = offset - lineStart;
      if (i >= 0 && i + n <= hex.length) {
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
          out[k] = Integer.parseInt(hex[i + k], 16);
        }
        return out;
      }
    }
    return null;
  }

  /**
   * Cheap pre-check on the hot path (JSSE logs ~450 records per connection, most of them dumps):
   * can this record be a message at all?
   */
  public static boolean mayBeMessage(String message) {
    return tlslab.trace.internal.Dispatcher.mayBeMessage(message);
  }

  /**
   * Parses a record.
   *
   * @param message the record's message text
   * @param parameter its one pre-formatted parameter, or {@code null}
   * @return the message and fields, or {@code null} when the record is not a TLS message
   */
  public static Parsed parse(String message, String parameter) {
    if (!mayBeMessage(message)) {
      return null;
    }
    int nl = message.indexOf('\n');
    String headline = (nl < 0 ? message : message.substring(0, nl)).strip();
    String text = parameter != null ? parameter : (nl < 0 ? "" : message.substring(nl + 1));
    Matcher alert = WRITE_ALERT.matcher(headline);
    if (alert.find()) {
      return new Parsed(Direction.PRODUCED, MessageType.ALERT, null, alertFields(alert.group(1)));
    }
    Matcher fatal = FATAL.matcher(headline);
    if (fatal.find()) {
      // JSSE logs "Fatal (ALERT): why" when it decides to send a fatal alert (the only named trace
      // of it on an SSLEngine, whose "WRITE: ... alert" has no name), and also when it got one
      // ("Received fatal alert: ..."), which "Received alert message" already reports.
      if (fatal.group(2).startsWith("Received fatal alert")) {
        return null;
      }
      return new Parsed(
          Direction.PRODUCED,
          MessageType.ALERT,
          "fatal",
          alertFields(fatal.group(1).toLowerCase(Locale.ROOT)));
    }
    if (headline.startsWith("Received alert")) {
      Matcher d = ALERT_DESCRIPTION.matcher(text);
      return new Parsed(
          Direction.CONSUMED, MessageType.ALERT, null, alertFields(d.find() ? d.group(1) : null));
    }
    Matcher m = HEADLINE.matcher(headline);
    if (!m.matches()) {
      return null;
    }
    Direction direction = m.group(1).equals("Produced") ? Direction.PRODUCED : Direction.CONSUMED;
    MessageType type = null;
    List<String> qualifiers = new ArrayList<>();
    for (String word : m.group(2).split(" ")) {
      // The client's second Client Hello, after a Hello Retry Request: "ClientHello(HRR)".
      if (word.endsWith("(HRR)")) {
        word = word.substring(0, word.length() - "(HRR)".length());
        qualifiers.add(AFTER_HELLO_RETRY);
      }
      MessageType t = MessageType.ofJsseName(word);
      if (t != null && type == null) {
        type = t;
      } else {
        qualifiers.add(word);
      }
    }
    if (type == null) {
      return null;
    }
    if (type == MessageType.SERVER_HELLO
        && text.stripLeading().startsWith("\"HelloRetryRequest\"")) {
      // A TLS 1.3 client logs the Hello Retry Request it receives as "Consuming ServerHello"
      // (both are ServerHello on the wire, RFC 8446 §4.1.3), but its text names it.
      type = MessageType.HELLO_RETRY_REQUEST;
    }
    if (headline.contains("post-handshake")) {
      qualifiers.add("post-handshake");
    }
    String variant = qualifiers.isEmpty() ? null : String.join(" ", qualifiers);
    return new Parsed(direction, type, variant, fields(type, text));
  }

  static HandshakeFields fields(MessageType type, String text) {
    List<String> versions = List.of();
    String random = null;
    String sessionId = null;
    List<String> suites = List.of();
    String suite = null;
    List<String> extensions = List.of();
    String sni = null;
    String group = null;
    String signature = null;
    List<String> subjects = List.of();
    Long lifetime = null;
    boolean ticketOffered = false;
    switch (type) {
      case CLIENT_HELLO:
      case SERVER_HELLO:
      case HELLO_RETRY_REQUEST:
        versions = versions(text);
        random = first(RANDOM, text);
        sessionId = first(SESSION_ID, text);
        String offered = first(SUITES, text);
        suites = offered == null ? List.of() : suiteNames(offered);
        suite = first(SUITE, text);
        extensions = extensionNames(text);
        sni = first(SNI, text);
        // A Client Hello lists many groups in key_share; only the server's choice is "the" group.
        group =
            type == MessageType.CLIENT_HELLO
                ? null
                : type == MessageType.HELLO_RETRY_REQUEST
                    ? first(SELECTED_GROUP, text)
                    : first(NAMED_GROUP, text);
        ticketOffered = type == MessageType.CLIENT_HELLO && TICKET_OFFERED.matcher(text).find();
        break;
      case ENCRYPTED_EXTENSIONS:
        extensions = extensionNames(text);
        break;
      case SERVER_KEY_EXCHANGE:
        group = first(NAMED_GROUP, text);
        signature = first(SIGNATURE, text);
        break;
      case CERTIFICATE_VERIFY:
        signature = first(SIGNATURE, text);
        break;
      case CERTIFICATE:
        subjects = all(SUBJECT, text);
        break;
      case NEW_SESSION_TICKET:
        String l = first(LIFETIME, text);
        if (l != null) {
          // JSSE formats the number with the default locale's grouping ("86,400"): keep digits.
          String digits = l.replaceAll("[^0-9]", "");
          lifetime = digits.isEmpty() ? null : Long.valueOf(digits);
        }
        break;
      default:
        break;
    }
    return new HandshakeFields(
        versions,
        random,
        sessionId,
        suites,
        suite,
        extensions,
        sni,
        group,
        signature,
        subjects,
        List.of(),
        lifetime,
        null,
        ticketOffered);
  }

  private static HandshakeFields alertFields(String description) {
    HandshakeFields n = HandshakeFields.NONE;
    return new HandshakeFields(
        n.versions(),
        null,
        null,
        n.cipherSuites(),
        null,
        n.extensions(),
        null,
        null,
        null,
        n.certificateSubjects(),
        n.certificateSha256(),
        null,
        description);
  }

  private static List<String> versions(String text) {
    String supported = first(SUPPORTED_VERSIONS, text);
    if (supported != null) {
      List<String> out = new ArrayList<>();
      for (String v : supported.split(",")) {
        if (!v.isBlank()) {
          out.add(v.strip());
        }
      }
      return out;
    }
    String legacy = first(LEGACY_VERSION, text);
    return legacy == null ? List.of() : List.of(legacy);
  }

  /** {@code TLS_A(0xC02F), TLS_B(0x009C)} → the names. */
  private static List<String> suiteNames(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      String name = s.strip();
      int paren = name.indexOf('(');
      if (paren > 0) {
        name = name.substring(0, paren);
      }
      if (!name.isEmpty()) {
        out.add(name);
      }
    }
    return out;
  }

  private static List<String> extensionNames(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = EXTENSION.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return new ArrayList<>(names);
  }

  private static String first(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
