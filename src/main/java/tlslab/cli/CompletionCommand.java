package tlslab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lab completion}: prints the shell completion script picocli's {@link AutoComplete}
 * generates from the command model, so it always knows every subcommand and option (and the
 * launcher's own {@code test} and {@code setup}). The script is for bash; zsh runs it through its
 * bash compatibility ({@code bashcompinit}), which the script switches on itself.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    header = "Print the shell completion script for lab (subcommands, options, file names).",
    description = {
      "bash: source <(lab completion bash)   (or save it under",
      "      ~/.local/share/bash-completion/completions/lab)",
      "zsh:  source <(lab completion zsh)    (in ~/.zshrc)"
    },
    footer = {"", ExitCode.TABLE})
public final class CompletionCommand implements Callable<Integer> {
  /** The shells the script works in. */
  enum Shell {
    bash,
    zsh
  }

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SHELL",
      defaultValue = "bash",
      description = "bash or zsh (default: ${DEFAULT-VALUE}); the same script serves both.")
  Shell shell;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    // The ./lab launcher runs `test` and `setup` itself, before Java starts: offer them too.
    CommandLine model = Main.commandLine();
    model.addSubcommand("test", CommandSpec.create());
    model.addSubcommand("setup", CommandSpec.create());
    out.print(AutoComplete.bash("lab", model));
    out.flush();
    return ExitCode.OK;
  }
}
