package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every verb, at every depth, answers {@code --help} and {@code -h} with its usage and exit 0. */
class HelpOptionTest {
  @Test
  void everyVerbPrintsItsUsage() {
    List<List<String>> verbs = new ArrayList<>();
    collect(QuiverCommand.commandLine(), new ArrayList<>(), verbs);
    assertThat(verbs).hasSizeGreaterThan(15); // 13 verbs, datasets and registry have subcommands
    for (List<String> verb : verbs) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(verb);
        args.add(flag);
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertThat(cli.exitCode()).as("%s", args).isZero();
        assertThat(cli.out()).as("%s", args).startsWith("Usage: quiver " + String.join(" ", verb));
      }
    }
  }

  @Test
  void versionStaysTopLevelAndVerbsKeepTheirOwnVersionOption() {
    assertThat(Cli.run("--version").out()).startsWith("quiver ");
    assertThat(Cli.run("describe", "--help").out()).contains("--version=N");
  }

  private static void collect(CommandLine parent, List<String> path, List<List<String>> out) {
    parent.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
        return;
      }
      List<String> verb = new ArrayList<>(path);
      verb.add(name);
      out.add(verb);
      collect(sub, verb, out);
    });
  }
}
