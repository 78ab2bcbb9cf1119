package tlslab.annotate;

import java.util.regex.Pattern;
import tlslab.pcap.TcpDirection;

/**
 * Colour for the text table of {@code lab annotate} on a terminal: who sent a frame (client and
 * server in different colours), alerts, TCP losses and retransmissions, records that stayed
 * encrypted because no keys were given, and problems.
 *
 * <p>Colour never changes the text. It is added after a line is laid out (so width fitting counts
 * only the visible characters), as ANSI "Select Graphic Rendition" sequences ({@code ESC [ n m},
 * ECMA-48 §8.3.117) around the visible part of each line; {@link #strip(String)} removing them
 * gives back exactly the plain table. Only the table is ever coloured: TSV, Markdown, JSON and HTML
 * are data for other programs and stay plain.
 */
public final class TableColors {
  /** No colour: the table exactly as without this class. */
  public static final TableColors NONE = new TableColors(false);

  /** ANSI colour (any terminal emulator, the Linux console, Windows Terminal). */
  public static final TableColors ANSI = new TableColors(true);

  private static final Pattern SGR = Pattern.compile("\u001b\\[[0-9;]*m");
  private static final String RESET = "\u001b[0m";

  /** What a stretch of the table shows, and its SGR parameters. */
  enum Style {
    /** A frame the client sent. */
    CLIENT("36"),
    /** A frame the server sent. */
    SERVER("35"),
    /** A fatal alert, or a frame the annotator flagged as a problem. */
    FATAL("1;31"),
    /** TCP lost or retransmitted data: a segment not captured, a retransmission, out of order. */
    LOSS("31"),
    /** A warning-level alert (close_notify...) or one that could not be decrypted. */
    ALERT("33"),
    /** A frame whose records no key could open: the student sees only their sizes. */
    ENCRYPTED("2"),
    /** Column headings, connection headings. */
    HEADING("1");

    final String start;

    Style(String sgr) {
      this.start = "\u001b[" + sgr + "m";
    }
  }

  private final boolean on;

  private TableColors(boolean on) {
    this.on = on;
  }

  /** Whether this adds colour at all. */
  public boolean on() {
    return on;
  }

  /** {@code s} without its SGR escape sequences: a coloured table becomes the plain one. */
  public static String strip(String s) {
    return SGR.matcher(s).replaceAll("");
  }

  /**
   * Colours the visible part of each line from {@code from} to the end of {@code sb}: leading and
   * trailing spaces (indentation, column padding) stay outside the colour, so a cut-and-paste or a
   * terminal that ignores colour sees the same columns.
   */
  void paint(StringBuilder sb, int from, Style style) {
    paint(sb, from, sb.length(), style);
  }

  /** As {@link #paint(StringBuilder, int, Style)} for {@code sb[from, to)}. */
  void paint(StringBuilder sb, int from, int to, Style style) {
    if (!on || style == null || from >= to) return;
    String region = sb.substring(from, to);
    StringBuilder out = new StringBuilder(region.length() + 16);
    int i = 0;
    while (i < region.length()) {
      int nl = region.indexOf('\n', i);
      int end = nl < 0 ? region.length() : nl;
      int s = i;
      while (s < end && region.charAt(s) == ' ') s++;
      int e = end;
      while (e > s && region.charAt(e - 1) == ' ') e--;
      out.append(region, i, s);
      if (e > s) out.append(style.start).append(region, s, e).append(RESET);
      out.append(region, e, end);
      if (nl < 0) break;
      out.append('\n');
      i = nl + 1;
    }
    sb.replace(from, to, out.toString());
  }

  /** The colour of a frame's sender; null when it has none (not TCP). */
  static Style sender(Sender s) {
    if (s == null) return null;
    return s == Sender.CLIENT ? Style.CLIENT : Style.SERVER;
  }

  /**
   * The colour of a frame's Info column, the most serious first: a problem or fatal alert, then TCP
   * loss or retransmission, then other alerts, then records that stayed encrypted; null for an
   * ordinary frame.
   */
  static Style info(Row r, Annotator an) {
    if (!r.problems.isEmpty()) return Style.FATAL;
    int alert = alertLevel(r, an);
    if (alert == 2) return Style.FATAL;
    if ((r.tcpAnalysis & LOSS_FLAGS) != 0) return Style.LOSS;
    if (alert != 0) return Style.ALERT;
    return unreadable(r) ? Style.ENCRYPTED : null;
  }

  /**
   * Whether every message of the frame stayed encrypted (no key opened it): the frame shows the
   * student nothing but sizes. A frame that also carries something readable (a Client Key Exchange
   * before the encrypted Finished) is not dimmed: its note says which part was unreadable.
   */
  private static boolean unreadable(Row r) {
    boolean any = false;
    for (TlsRecord t : r.records)
      for (TlsMessage m : t.messages()) {
        boolean encrypted =
            m.type() == TlsMessage.Kind.ENCRYPTED_HANDSHAKE
                || (m.type() == TlsMessage.Kind.APPLICATION_DATA && !t.decrypted());
        if (!encrypted) return false;
        any = true;
      }
    return any;
  }

  /** Wireshark's analysis flags that mean data went missing or came twice. */
  static final int LOSS_FLAGS =
      TcpDirection.LOST
          | TcpDirection.ACK_LOST
          | TcpDirection.RETRANSMISSION
          | TcpDirection.SPURIOUS
          | TcpDirection.FAST_RETRANSMISSION
          | TcpDirection.OUT_OF_ORDER;

  /**
   * The highest alert level in this frame: 2 fatal, 1 warning or unreadable (encrypted), 0 none.
   * The connection's alert list says the level (RFC 8446 §6); it is read only for frames that carry
   * an alert.
   */
  private static int alertLevel(Row r, Annotator an) {
    if (!r.carries(TlsMessage.Kind.ALERT) && !r.carries(TlsMessage.Kind.ENCRYPTED_ALERT)) return 0;
    ConnectionFacts c = r.connection > 0 ? an.liveFacts(r.connection) : null;
    int level = 1;
    if (c != null)
      for (TlsAlert a : c.alerts()) if (a.frame() == r.number && a.level() == 2) level = 2;
    return level;
  }
}
