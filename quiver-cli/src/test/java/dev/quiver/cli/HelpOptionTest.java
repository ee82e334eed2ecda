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

  @Test
  void anUnknownVerbIsAOneLineErrorEvenWithHelp() {
    String[][] cases = {
        {"error: 'nosuch' is not a verb of 'quiver'; run 'quiver --help' for the list", "nosuch"},
        {"error: 'nosuch' is not a verb of 'quiver'; run 'quiver --help' for the list", "nosuch", "--help"},
        {"error: 'nosuch' is not a verb of 'quiver'; run 'quiver --help' for the list", "nosuch", "-h"},
        {"error: 'nosuch' is not a verb of 'quiver'; run 'quiver --help' for the list", "nosuch", "--version"},
        {"error: 'materialise' is not a verb of 'quiver'; did you mean 'materialize'?", "materialise", "--help"},
        {"error: 'describ' is not a verb of 'quiver'; did you mean 'describe'?", "describ", "user_txn"},
        {"error: 'lst' is not a verb of 'quiver datasets'; did you mean 'list'?", "datasets", "lst", "--help"},
        {"error: 'lst' is not a verb of 'quiver datasets'; did you mean 'list'?", "datasets", "lst"},
        {"error: 'sho' is not a verb of 'quiver registry'; did you mean 'show'?", "registry", "sho", "1"}};
    for (String[] c : cases) {
      Cli cli = Cli.run(java.util.Arrays.copyOfRange(c, 1, c.length));
      assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(2);
      assertThat(cli.err()).as(cli.toString()).isEqualTo(c[0] + System.lineSeparator());
      assertThat(cli.out()).as(cli.toString()).isEmpty();
    }
    // a verb's unknown option still gets picocli's message, and known verbs still answer --help
    Cli option = Cli.run("plan", "--nosuch");
    assertThat(option.exitCode()).isEqualTo(2);
    assertThat(option.err()).contains("Unknown option: '--nosuch'");
    assertThat(Cli.run("datasets", "--help").exitCode()).isZero();
    assertThat(Cli.run("--help").exitCode()).isZero();
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
