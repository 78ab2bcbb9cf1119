package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTextTest {
  @Test
  void joinsHardWrappedLinesAndKeepsListsAndBlankLines() {
    String a = "A paragraph written as source lines of about seventy characters, so it";
    String[] out =
        HelpText.join(
            new String[] {a, "goes on here.", "", "Short line", "Items:", "  - one", "- two"});
    assertThat(out)
        .containsExactly(a + " goes on here.", "", "Short line", "Items:", "  - one", "- two");
  }

  /** No help screen of any command has a line over 80 columns or a stub left by a wrapped line. */
  @Test
  void everyHelpScreenFitsEightyColumns() {
    List<String> problems = new ArrayList<>();
    walk(Main.commandLine(), problems);
    assertThat(problems).isEmpty();
  }

  private static void walk(CommandLine cmd, List<String> problems) {
    StringWriter text = new StringWriter();
    cmd.usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
    String[] lines = text.toString().split("\n", -1);
    String name = cmd.getCommandSpec().qualifiedName();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].length() > 80) problems.add(name + ": over 80 columns: " + lines[i]);
    }
    String[] description = cmd.getCommandSpec().usageMessage().description();
    for (int i = 0; i + 1 < description.length; i++) {
      String next = description[i + 1];
      if (description[i].length() >= 60
          && !description[i].endsWith(":")
          && !next.isBlank()
          && Character.isLowerCase(next.charAt(0))) {
        problems.add(name + ": description line not joined: " + description[i]);
      }
    }
    for (CommandLine sub : cmd.getSubcommands().values()) walk(sub, problems);
  }
}
