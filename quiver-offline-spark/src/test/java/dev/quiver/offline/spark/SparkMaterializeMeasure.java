package dev.quiver.offline.spark;

import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.functions;

/**
 * Measures materialization of one column-feature view (or, with a fourth argument {@code tiles}, one
 * view of window aggregates: tile rows) into a fresh redis-server, through DuckDB (rows stream through
 * this process) and through Spark (the executors write), on the same Parquet source of N rows onto K
 * keys (Spark-generated, 8 files, in a temporary folder deleted at the end). Redis commands may take up to 30 s (a loaded machine
 * otherwise times out the default 500 ms). Not a test; run by hand (docs/spark.md has the numbers):
 *
 * <pre>{@code
 * ./mvnw -q -o -pl quiver-offline-spark -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp quiver-offline-spark/target/test-classes:quiver-offline-spark/target/classes:$(cat /tmp/cp.txt) \
 *   dev.quiver.offline.spark.SparkMaterializeMeasure 10000000 1000000 'local[2]'
 * }</pre>
 */
public final class SparkMaterializeMeasure {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private SparkMaterializeMeasure() {}

  public static void main(String[] args) throws Exception {
    long rows = Long.parseLong(args[0]);
    long keys = Long.parseLong(args[1]);
    String master = args.length > 2 ? args[2] : "local[2]";
    boolean tiles = args.length > 3 && args[3].equals("tiles");
    Path dir = Files.createTempDirectory("quiver-spark-mat");
    try {
      measure(dir, rows, keys, master, tiles);
    } finally {
      DatasetDirectory.deleteTree(dir); // the source (N rows of Parquet) and both repos
    }
    System.exit(0);
  }

  private static void measure(Path dir, long rows, long keys, String master, boolean tiles) throws Exception {
    Path data = dir.resolve("data");
    var spark = ((SparkOfflineEngine) new SparkEngineProvider().open(java.util.Map.of("master", master))).spark();
    long t = System.nanoTime();
    spark.range(0, rows, 1, 8)
        .select(functions.col("id").multiply(7919).mod(keys).as("user_id"),
            functions.timestamp_micros(functions.col("id").multiply(1000).plus(T0.toEpochMilli() * 1000)).as("event_ts"),
            functions.rand(7).multiply(100).as("amount"),
            functions.concat(functions.lit("c"), functions.col("id").mod(50)).as("country"),
            functions.col("id").mod(1000).cast("int").as("n"))
        .write().parquet(data.toString());
    System.out.printf(Locale.ROOT, "source: %,d rows onto %,d keys written in %.1f s%n", rows, keys, (System.nanoTime() - t) / 1e9);
    Instant end = T0.plusMillis(rows + 1);
    for (String engine : List.of("duckdb", "spark")) {
      try (LocalRedis redis = LocalRedis.start()) {
        Path repo = dir.resolve(engine);
        Files.createDirectories(repo.resolve("features"));
        Files.writeString(repo.resolve("quiver.yaml"), "project: bench\nregistry: {type: file, path: .quiver/registry}\n"
            + "offline: " + (engine.equals("spark") ? "{engine: spark, master: '" + master + "'}" : "{engine: duckdb}")
            + "\nonline: {type: redis, url: 'redis://127.0.0.1:" + redis.port() + "', command_timeout: 30s}\ndefinitions: [features]\n");
        Files.writeString(repo.resolve("features/defs.yaml"), """
            entities:
              - {name: user, join_keys: [user_id], type: int64}
            sources:
              - {name: txns, path: %s/*.parquet, timestamp: event_ts}
            feature_views:
            %s""".formatted(data.toAbsolutePath(), tiles ? """
              - name: user_agg
                entities: [user]
                source: txns
                features:
                  - {name: cnt_1h, aggregate: {fn: count, window: 1h}}
                  - {name: sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
                  - {name: max_life, aggregate: {fn: max, column: amount, window: lifetime}}
            """ : """
              - name: user_latest
                entities: [user]
                source: txns
                features:
                  - {name: amount, column: amount}
                  - {name: country, column: country}
                  - {name: n, column: n}
            """));
        try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(end.plusSeconds(3600), ZoneOffset.UTC))) {
          r.apply(r.plan(false), "bench", "bench", false);
          long start = System.nanoTime();
          List<Materializer.ViewResult> done = r.materialize(List.of(), T0, end, (v, read, written) -> {}, "bench");
          double s = (System.nanoTime() - start) / 1e9;
          Materializer.ViewResult v = done.getFirst();
          System.out.printf(Locale.ROOT, "%-6s -> redis: %,d rows read, %,d written in %.1f s: %,.0f source rows/s, %,.0f keys/s%n",
              engine, v.rowsRead(), v.rowsWritten(), s, v.rowsRead() / s, v.rowsWritten() / s);
        }
      }
    }
  }
}
