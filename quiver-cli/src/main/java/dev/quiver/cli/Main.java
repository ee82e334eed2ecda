package dev.quiver.cli;

import dev.quiver.core.load.Secrets;
import picocli.CommandLine;

/** Entry point of the {@code quiver} launcher. */
public final class Main {
  /**
   * Libraries that log their routine work at INFO (Spark, Hadoop, Parquet, Netty under Spark): held
   * here, since java.util.logging keeps loggers weakly and would forget the level set on them.
   */
  private static final java.util.List<java.util.logging.Logger> CHATTY = java.util.stream.Stream.of(
      "org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.apache.parquet", "io.netty")
      .map(java.util.logging.Logger::getLogger).toList();

  private Main() {}

  public static void main(String[] args) {
    // one line per log record: time, level, logger, message (unless the user configured logging)
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n");
    }
    if (System.getProperty("java.util.logging.config.file") == null) {
      CHATTY.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING)); // warnings and errors still show
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
