package dev.quiver.cli;

import dev.quiver.core.load.Secrets;
import picocli.CommandLine;

/** Entry point of the {@code quiver} launcher. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // one line per log record: time, level, logger, message (unless the user configured logging)
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n");
    }
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (0 ok, 1 error, 2 bad definitions or usage). */
  public static int run(String... args) {
    Secrets.redactLogs(); // no value read from a secret in quiver.yaml reaches a log line
    CommandLine cli = QuiverCommand.commandLine();
    return cli.execute(args);
  }
}
