package tlslab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Damages an NSS key log the ways real ones are damaged: junk and comment lines (some not ASCII),
 * Windows line ends, a byte-order mark, lines cut short, hex of the wrong length or not hex, a
 * secret replaced by a wrong one, labels that do not exist, NUL bytes, a very long line.
 */
final class KeyLogMutator {
  private KeyLogMutator() {}

  static String mutate(String log, Random rnd) {
    List<String> lines = new ArrayList<>(log.lines().toList());
    int n = 1 + rnd.nextInt(4);
    for (int k = 0; k < n; k++) {
      int at = lines.isEmpty() ? 0 : rnd.nextInt(lines.size());
      if (lines.isEmpty()) lines.add("");
      String line = lines.get(at);
      switch (rnd.nextInt(12)) {
        case 0 -> lines.add(at, "# a comment, caf\u00e9 \u00fcber"); // not ASCII
        case 1 -> lines.add(at, "junk line with no meaning");
        case 2 -> lines.add(at, "");
        case 3 -> lines.set(at, line.substring(0, rnd.nextInt(line.length() + 1))); // cut short
        case 4 -> lines.set(at, line.replaceFirst(" ([0-9a-fA-F]+)$", " $1$1")); // secret doubled
        case 5 -> lines.set(at, line.replaceFirst(" [0-9a-fA-F]{2}", " zz")); // not hex
        case 6 -> lines.set(at, line.replaceFirst("^\\S+", "NO_SUCH_LABEL"));
        case 7 -> lines.set(at, flipHex(line, rnd)); // a wrong secret or client random
        case 8 -> lines.add(at, "CLIENT_RANDOM " + "ab".repeat(32) + " " + "00".repeat(1));
        case 9 -> lines.add(at, "x".repeat(200_000)); // a very long line
        case 10 -> lines.set(at, line + "\u0000");
        default -> lines.set(0, "\u00ef\u00bb\u00bf" + lines.get(0)); // UTF-8 byte-order mark
      }
    }
    String sep = rnd.nextInt(4) == 0 ? "\r\n" : "\n";
    return String.join(sep, lines) + sep;
  }

  private static String flipHex(String line, Random rnd) {
    char[] c = line.toCharArray();
    for (int i = c.length - 1; i > 0; i--) {
      if (Character.digit(c[i], 16) >= 0 && rnd.nextInt(8) == 0) {
        c[i] = c[i] == '0' ? '1' : '0';
        break;
      }
    }
    return new String(c);
  }
}
