package tlslab.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Reflows the commands' descriptions: the source writes a paragraph as lines of up to about 90
 * characters, and picocli would print each as a line of its own, wrapping the long ones at 80 and
 * leaving a stub of a few words after each. Lines of one paragraph are joined so picocli wraps the
 * paragraph as a whole. A line that is short, ends with a colon, is empty, or is indented or starts
 * with a dash keeps its break: those are the lists and tables of the help texts.
 */
final class HelpText {
  private HelpText() {}

  /** The length above which a description line is taken as part of a hard-wrapped paragraph. */
  private static final int WRAPPED = 60;

  static void reflow(CommandLine cmd) {
    CommandLine.Model.UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
    usage.description(join(usage.description()));
    for (CommandLine sub : cmd.getSubcommands().values()) reflow(sub);
  }

  static String[] join(String[] lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      int last = out.size() - 1;
      if (last >= 0 && continues(out.get(last), line)) {
        out.set(last, out.get(last) + " " + line.strip());
      } else {
        out.add(line);
      }
    }
    return out.toArray(new String[0]);
  }

  private static boolean continues(String previous, String line) {
    if (line.isBlank() || previous.isBlank()) return false;
    if (Character.isWhitespace(line.charAt(0)) || line.startsWith("-")) return false;
    String lastLine = previous.substring(previous.lastIndexOf('\n') + 1);
    return previous.length() >= WRAPPED && !lastLine.endsWith(":");
  }
}
