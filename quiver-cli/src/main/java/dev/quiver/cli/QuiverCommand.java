package dev.quiver.cli;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.QuiverException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code quiver} command; its subcommands are the verbs. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    version = "quiver 0.1.0-SNAPSHOT",
    description = "Quiver: define features once, serve them identically to training and production.",
    subcommands = {
      DemoCommand.class,
      InitCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      RegistryCommand.class,
      ListCommand.class,
      DescribeCommand.class,
      HistoricalCommand.class,
      DatasetsCommand.class,
      MaterializeCommand.class,
      MaterializeIncrementalCommand.class,
      OnlineCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class QuiverCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A configured command line: user errors print one clear message, never a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new QuiverCommand());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof DefinitionException d) {
            err.println(d.getMessage());
            err.flush();
            return 2;
          }
          if (ex instanceof QuiverException q) {
            err.println("error: " + q.getMessage());
            err.flush();
            return 1;
          }
          throw ex;
        });
    return cli;
  }
}
