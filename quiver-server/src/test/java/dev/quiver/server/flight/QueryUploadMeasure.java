package dev.quiver.server.flight;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Measures the server's step that turns an uploaded entity_df into the query rows' Parquet file, both
 * ways, on the benchmark's query shape (what {@code pa.Table.from_pandas} makes of {@code query.parquet}:
 * {@code query_id, user_id, merchant_id} int64, {@code event_timestamp} timestamp[us], {@code label}
 * bool, one batch, as pyarrow sends a DataFrame): the DuckDB engine reading the Arrow stream, and the
 * row-by-row path (what the server did before, and what Spark repos still do). Alternates the two,
 * after a warm-up each, and prints each run and the medians of wall time and of the process's CPU time. Not a test; run by hand:
 *
 * <pre>{@code
 * ./mvnw -q -o -DskipTests -pl quiver-benchmarks -am package
 * ./mvnw -q -o -pl quiver-server -am test-compile
 * java --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -cp 'quiver-server/target/test-classes:quiver-server/target/classes:quiver-benchmarks/target/lib/*' \
 *   dev.quiver.server.flight.QueryUploadMeasure 1000000 5
 * }</pre>
 */
public final class QueryUploadMeasure {
  private QueryUploadMeasure() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Schema schema = new Schema(List.of(field("query_id", new ArrowType.Int(64, true)), field("user_id", new ArrowType.Int(64, true)),
        field("merchant_id", new ArrowType.Int(64, true)), field("event_timestamp", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
        field("label", ArrowType.Bool.INSTANCE)));
    Path dir = Files.createTempDirectory("query-upload-measure");
    try (BufferAllocator allocator = new RootAllocator(); OfflineEngine engine = new DuckDbEngineProvider().open(Map.of())) {
      List<Double> arrow = new ArrayList<>();
      List<Double> rows = new ArrayList<>();
      List<Double> arrowCpu = new ArrayList<>();
      List<Double> rowsCpu = new ArrayList<>();
      for (int run = 0; run <= runs; run++) {
        for (boolean viaArrow : new boolean[] {true, false}) {
          try (VectorSchemaRoot root = batch(schema, allocator, n)) {
            boolean[] given = {false};
            ArrowUpload.Batches one = new ArrowUpload.Batches() {
              @Override
              public boolean next() {
                boolean first = !given[0];
                given[0] = true;
                return first;
              }

              @Override
              public VectorSchemaRoot root() {
                return root;
              }
            };
            Path out = dir.resolve("q.parquet");
            long started = System.nanoTime();
            long cpu = cpuNanos();
            try (ArrowUpload upload = new ArrowUpload(schema, one, allocator)) {
              if (viaArrow) {
                engine.writeQueryRows(out, upload);
              } else {
                engine.writeQueryRows(out, upload.columns(), upload.rows());
              }
            }
            double s = (System.nanoTime() - started) / 1e9;
            double c = (cpuNanos() - cpu) / 1e9;
            if (run > 0) {
              (viaArrow ? arrow : rows).add(s);
              (viaArrow ? arrowCpu : rowsCpu).add(c);
            }
            System.out.printf("%s run %d: %,d rows in %.3f s, %.3f CPU-s%n", viaArrow ? "Arrow stream" : "row by row", run, n, s, c);
            Files.deleteIfExists(out);
          }
        }
      }
      System.out.printf("median over %d runs: Arrow stream %.3f s (%.3f CPU-s), row by row %.3f s (%.3f CPU-s)%n", runs,
          median(arrow), median(arrowCpu), median(rows), median(rowsCpu));
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  /** This process's CPU time, DuckDB's native threads included: less disturbed than wall time on a shared machine. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  private static VectorSchemaRoot batch(Schema schema, BufferAllocator allocator, int n) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    Random r = new Random(42);
    long t0 = 1_767_225_600_000_000L; // 2026-01-01
    for (int i = 0; i < n; i++) {
      ((BigIntVector) root.getVector(0)).setSafe(i, i);
      ((BigIntVector) root.getVector(1)).setSafe(i, r.nextInt(100_000));
      ((BigIntVector) root.getVector(2)).setSafe(i, r.nextInt(5_000));
      ((TimeStampMicroVector) root.getVector(3)).setSafe(i, t0 + r.nextLong(90L * 86_400_000_000L));
      ((BitVector) root.getVector(4)).setSafe(i, r.nextInt(50) == 0 ? 1 : 0);
    }
    root.setRowCount(n);
    return root;
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = xs.stream().sorted().toList();
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
