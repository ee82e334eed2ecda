package dev.quiver.offline.spark;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures offline pushes: {@code pushes} appends of {@code rows} rows each (five columns) to one
 * Parquet source, through the DuckDB engine and through the Spark engine (parquet-java, no job),
 * after a warm-up push each. Not a test; run by hand (docs/spark.md has the numbers):
 *
 * <pre>{@code
 * ./mvnw -q -o -pl quiver-offline-spark -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp quiver-offline-spark/target/test-classes:quiver-offline-spark/target/classes:$(cat /tmp/cp.txt) \
 *   dev.quiver.offline.spark.SparkAppendMeasure 1000 20
 * }</pre>
 */
public final class SparkAppendMeasure {
  private static final List<Column> COLUMNS = List.of(new Column("user_id", ScalarType.INT64),
      new Column("event_ts", ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64),
      new Column("country", ScalarType.STRING), new Column("n", ScalarType.INT32));

  private SparkAppendMeasure() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args[0]);
    int pushes = Integer.parseInt(args[1]);
    List<Object[]> batch = new ArrayList<>();
    Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
    for (int i = 0; i < rows; i++) {
      batch.add(new Object[] {(long) i, t0.plusSeconds(i), i * 0.5, "c" + i % 7, i % 100});
    }
    List<String> names = COLUMNS.stream().map(Column::name).toList();
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
    for (String engineName : List.of("duckdb", "spark")) {
      Path repo = Files.createTempDirectory("quiver-append-" + engineName);
      Files.createDirectories(repo.resolve("data/txns"));
      ParquetFiles.write(repo.resolve("data/txns/part-0.parquet"), COLUMNS, batch.subList(0, 1));
      try (OfflineEngine engine = engineName.equals("duckdb") ? new DuckDbEngineProvider().open(Map.of()) : TestSpark.engine()) {
        engine.appendToSource(source, repo, names, batch); // warm-up
        long start = System.nanoTime();
        for (int p = 0; p < pushes; p++) {
          engine.appendToSource(source, repo, names, batch);
        }
        double ms = (System.nanoTime() - start) / 1e6 / pushes;
        System.out.printf("%s: %d pushes of %d rows: %.1f ms per push, %.0f rows/s%n", engineName, pushes, rows, ms,
            rows / (ms / 1000));
      }
    }
  }
}
