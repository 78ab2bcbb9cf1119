package tlslab.common;

/** Text for an HTML page, from whoever chose it (a capture's peer, a student). */
public final class Html {
  private Html() {}

  /**
   * {@code s} escaped for element content and quoted attribute values. The characters that change
   * the direction of the text around them (U+202A..U+202E, U+2066..U+2069, the marks U+200E, U+200F
   * and U+061C) are written as visible {@code [U+202E]}: a name holding one could otherwise show on
   * the page as another string than it is (a student's name, or the rest of their row, drawn
   * backwards).
   */
  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return visibleDirectionControls(sb.toString());
  }

  /**
   * {@code s} with each bidirectional formatting character written as {@code [U+XXXX]}, for any
   * output a person reads (a page, a spreadsheet cell).
   */
  public static String visibleDirectionControls(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (directional(c)) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        sb.append(String.format("[U+%04X]", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** A bidirectional formatting character (Unicode's Bidi_Control property). */
  public static boolean directional(char c) {
    return c == '\u061C'
        || c == '\u200E'
        || c == '\u200F'
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
