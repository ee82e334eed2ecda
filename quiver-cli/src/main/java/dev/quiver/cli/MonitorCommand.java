package dev.quiver.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code quiver monitor drift}, {@code skew} and {@code report}: watching what is served (docs/monitoring.md). */
@Command(name = "monitor", description = "Monitoring: drift between a baseline and a current dataset; skew between served and offline values; an HTML report.",
    subcommands = {DriftCommand.class, SkewCommand.class, ReportCommand.class})
final class MonitorCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
