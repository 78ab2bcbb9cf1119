package tlslab.cli;

import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import tlslab.annotate.TableColors;

/**
 * {@code --color=auto|always|never}: whether the text table is coloured.
 *
 * <p>{@code auto} (the default) colours only when standard output is a terminal, the {@code
 * NO_COLOR} variable is unset or empty (<a href="https://no-color.org">no-color.org</a>) and {@code
 * TERM} is not {@code dumb}. {@code always} and {@code never} are the user's explicit choice on
 * this one command line, so they win over both variables, as no-color.org asks of command-line
 * arguments.
 */
public final class ColorMixin {
  /** When to colour. */
  enum When {
    AUTO,
    ALWAYS,
    NEVER
  }

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      defaultValue = "auto",
      converter = WhenConverter.class,
      completionCandidates = WhenCandidates.class,
      description =
          "Table: colour the sender, alerts, TCP losses, unreadable records and problems."
              + " auto (default): only on a terminal, not with NO_COLOR set or TERM=dumb;"
              + " always (also into --out or a pipe, e.g. less -R); never.")
  When when = When.AUTO;

  /** The table's colours for output to standard output ({@code toStdout}) or to a file. */
  TableColors colors(boolean toStdout) {
    return enabled(when, System.getenv(), () -> toStdout && Terminal.stdoutIsTerminal())
        ? TableColors.ANSI
        : TableColors.NONE;
  }

  /** The rule, apart from the process it runs in. */
  static boolean enabled(When when, Map<String, String> env, BooleanSupplier terminal) {
    switch (when) {
      case ALWAYS:
        return true;
      case NEVER:
        return false;
      case AUTO:
        String noColor = env.get("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return false;
        if ("dumb".equals(env.get("TERM"))) return false;
        return terminal.getAsBoolean();
      default:
        throw new AssertionError(when);
    }
  }

  /** What shell completion offers: the values as typed, lower case. */
  static final class WhenCandidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("auto", "always", "never").iterator();
    }
  }

  static final class WhenConverter implements ITypeConverter<When> {
    @Override
    public When convert(String value) {
      try {
        return When.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not one of auto, always, never");
      }
    }
  }
}
