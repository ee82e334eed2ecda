package dev.quiver.cli;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.load.Secrets;
import dev.quiver.core.QuiverException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code quiver} command; its subcommands are the verbs. */
@Command(
    name = "quiver",
    version = "quiver 0.1.0-SNAPSHOT",
    description = "Quiver: define features once, serve them identically to training and production.",
    subcommands = {
      DemoCommand.class,
      InitCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      RegistryCommand.class,
      AuditCommand.class,
      ValidateCommand.class,
      MonitorCommand.class,
      ListCommand.class,
      DescribeCommand.class,
      HistoricalCommand.class,
      DatasetsCommand.class,
      MaterializeCommand.class,
      MaterializeIncrementalCommand.class,
      IngestCommand.class,
      OnlineCommand.class,
      ServeCommand.class,
      TokensCommand.class,
      CommandLine.HelpCommand.class
    })
public final class QuiverCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  /** Here only: some verbs read {@code --version N} (a registry version). */
  @CommandLine.Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
  boolean version;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A configured command line: user errors print one clear message, never a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new QuiverCommand());
    addHelpOptions(cli);
    cli.setExecutionStrategy(UnknownVerb.strategy(new CommandLine.RunLast()));
    cli.setParameterExceptionHandler(UnknownVerb.handler(PlanCommand.usageErrors(cli.getParameterExceptionHandler())));
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof DefinitionException d) {
            err.println(Secrets.redact(d.getMessage()));
            err.flush();
            return 2;
          }
          if (ex instanceof QuiverException q) {
            err.println("error: " + Secrets.redact(q.getMessage()));
            err.flush();
            return 1;
          }
          throw ex;
        });
    return cli;
  }

  /**
   * Gives every verb, at every depth, {@code -h/--help}. Not picocli's inherited standard options:
   * those bring {@code --version} too, which verbs use for a registry version, and {@code help}
   * has its own {@code -h}.
   */
  private static void addHelpOptions(CommandLine parent) {
    for (CommandLine sub : parent.getSubcommands().values()) {
      CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
      if (spec.userObject() instanceof CommandLine.HelpCommand || spec.findOption("--help") != null) {
        continue;
      }
      spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
          .description("Show this help message and exit.").build());
      addHelpOptions(sub);
    }
  }
}
