package dev.quiver.cli;

import picocli.CommandLine;

/** Entry point of the {@code quiver} launcher. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (0 ok, 1 error, 2 bad definitions or usage). */
  public static int run(String... args) {
    CommandLine cli = QuiverCommand.commandLine();
    return cli.execute(args);
  }
}
