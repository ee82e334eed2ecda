package dev.quiver.sparkjob;

import dev.quiver.cli.Main;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The main class of {@code quiver-spark-job.jar}: {@code spark-submit --class
 * dev.quiver.sparkjob.QuiverSparkJob --master spark://host:7077 quiver-spark-job.jar VERB ARGS...}
 * runs one verb of the {@code quiver} command ({@link #VERBS}) with the same options and output, the
 * Spark engine using the master and settings {@code spark-submit} gave. It returns normally after
 * stopping Spark when the verb succeeds, and exits with the verb's code (1 an error, 2 bad usage)
 * otherwise, so {@code spark-submit} and the cluster report the failure.
 */
public final class QuiverSparkJob {
  /** The verbs the job runs: those that do their work on Spark. */
  public static final List<String> VERBS = List.of("historical", "materialize", "materialize-incremental");

  private QuiverSparkJob() {}

  public static void main(String[] args) {
    int code = run(System.err, args);
    SparkSession.getDefaultSession().foreach(s -> {
      s.stop(); // executors released now, not at the JVM's exit
      return null;
    });
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs one command line; returns its exit code (0 ok, 1 error, 2 bad usage). */
  static int run(PrintStream err, String... args) {
    if (args.length == 0 || !VERBS.contains(args[0])) {
      err.println((args.length == 0 ? "quiver-spark-job: no verb given" : "quiver-spark-job does not run '" + args[0] + "'")
          + "; it runs " + String.join(", ", VERBS) + " with the quiver command's options, e.g.\n"
          + "  spark-submit --class " + QuiverSparkJob.class.getName()
          + " --master spark://host:7077 quiver-spark-job.jar historical --repo /shared/repo --service fraud_model"
          + " --query data/rows.parquet --out /shared/out/train.parquet\n"
          + "Run the other verbs (apply, serve, ...) with the quiver command.");
      return 2;
    }
    return Main.run(args);
  }
}
