package dev.quiver.offline.spark;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Measures writing uploaded query rows (Feast's entity_df, five columns as Feast's examples send them)
 * through the DuckDB engine and through the Spark engine (parquet-java, no job), rows generated as
 * they are written, after a warm-up write each. Not a test; run by hand as {@link SparkAppendMeasure}:
 *
 * <pre>{@code
 * java -cp quiver-offline-spark/target/test-classes:quiver-offline-spark/target/classes:$(cat /tmp/cp.txt) \
 *   dev.quiver.offline.spark.SparkQueryRowsMeasure 1000000
 * }</pre>
 */
public final class SparkQueryRowsMeasure {
  private static final List<Column> COLUMNS = List.of(new Column("user_id", ScalarType.INT64),
      new Column("event_timestamp", ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64),
      new Column("country", ScalarType.STRING), new Column("is_fraud", ScalarType.BOOL));

  private SparkQueryRowsMeasure() {}

  private static Iterator<Object[]> rows(int n) {
    Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Object[] next() {
        int k = i++;
        return new Object[] {(long) (k % 50_000), t0.plusSeconds(k), k * 0.25, "c" + k % 7, k % 10 == 0};
      }
    };
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Path dir = Files.createTempDirectory("quiver-query-rows");
    try (OfflineEngine duck = new DuckDbEngineProvider().open(Map.of());
        OfflineEngine spark = new SparkEngineProvider().open(Map.of("master", "local[2]"))) {
      for (var e : Map.of("duckdb", duck, "spark", spark).entrySet()) {
        e.getValue().writeQueryRows(dir.resolve(e.getKey() + "-warm.parquet"), COLUMNS, rows(10_000));
        long start = System.nanoTime();
        Path out = dir.resolve(e.getKey() + ".parquet");
        e.getValue().writeQueryRows(out, COLUMNS, rows(n));
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %,d rows in %.2f s (%,.0f rows/s), %,d bytes%n", e.getKey(), n, s, n / s, Files.size(out));
      }
    }
  }
}
