package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Appended files take the layout of the source's first file, whatever wrote it: Spark with INT96,
 * millisecond or microsecond timestamps, Spark's legacy list layout, parquet-java's example writer. Randomized rows (nulls,
 * null list elements, extremes) appended by {@link ParquetAppender} are read back by Spark equal to
 * the rows given (timestamps cut to the file's unit), as the plain reference.
 */
class ParquetAppenderLayoutsTest {
  private static final List<Column> COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("small", ScalarType.INT32),
      new Column("amount", ScalarType.FLOAT64),
      new Column("ratio", ScalarType.FLOAT32),
      new Column("country", ScalarType.STRING),
      new Column("vip", ScalarType.BOOL),
      new Column("blob", ScalarType.BYTES),
      new Column("tags", new ListType(ScalarType.STRING)),
      new Column("times", new ListType(ScalarType.TIMESTAMP)));

  @TempDir Path repo;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INT96", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "legacy", "parquet-java"})
  void appendedRowsReadBackAsGiven(String layout) throws Exception {
    Path first = repo.resolve("data/txns/part-0.parquet");
    Files.createDirectories(first.getParent());
    List<Object[]> seedRow = List.<Object[]>of(new Object[] {0L, Instant.parse("2026-03-01T00:00:00Z"), 1, 1.0, 1f, "a", true,
        new byte[] {1}, List.of("x"), List.of(Instant.parse("2026-03-01T00:00:00Z"))});
    if (layout.equals("parquet-java")) {
      ParquetFiles.write(first, COLUMNS, seedRow);
    } else {
      SparkSession spark = TestSpark.session();
      String type = spark.conf().get("spark.sql.parquet.outputTimestampType");
      try {
        spark.conf().set("spark.sql.parquet.outputTimestampType", layout.equals("legacy") ? "TIMESTAMP_MICROS" : layout);
        spark.conf().set("spark.sql.parquet.writeLegacyFormat", layout.equals("legacy"));
        TestSpark.writeParquet(first, COLUMNS, seedRow);
      } finally {
        spark.conf().set("spark.sql.parquet.outputTimestampType", type);
        spark.conf().set("spark.sql.parquet.writeLegacyFormat", false);
      }
    }
    ChronoUnit unit = layout.equals("TIMESTAMP_MILLIS") ? ChronoUnit.MILLIS : ChronoUnit.MICROS;
    Random r = new Random(layout.hashCode());
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(new Object[] {
          r.nextInt(10) == 0 ? null : r.nextInt(5) == 0 ? Long.MIN_VALUE + r.nextInt(3) : r.nextLong(),
          r.nextInt(10) == 0 ? null : time(r),
          r.nextInt(10) == 0 ? null : r.nextInt(5) == 0 ? Integer.MAX_VALUE : r.nextInt(),
          r.nextInt(10) == 0 ? null : r.nextGaussian() * 1e6,
          r.nextInt(10) == 0 ? null : (float) r.nextGaussian(),
          r.nextInt(10) == 0 ? null : "c" + r.nextInt(1000) + (r.nextBoolean() ? "é" : ""),
          r.nextInt(10) == 0 ? null : r.nextBoolean(),
          r.nextInt(10) == 0 ? null : bytes(r),
          r.nextInt(10) == 0 ? null : Arrays.asList(r.nextBoolean() ? null : "t" + r.nextInt(9), "u"),
          r.nextInt(10) == 0 ? null : r.nextBoolean() ? List.of() : Arrays.asList(time(r), r.nextBoolean() ? null : time(r))});
    }
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
    try (OfflineEngine engine = TestSpark.engine()) {
      Path file = engine.appendToSource(source, repo, COLUMNS.stream().map(Column::name).toList(), rows);
      assertThat(schema(file)).isEqualTo(schema(first));
      assertThat(schema(first).toString()).contains(switch (layout) {
        case "INT96" -> "int96 event_ts";
        case "TIMESTAMP_MILLIS" -> "TIMESTAMP(MILLIS,true)";
        case "legacy" -> "repeated group bag";
        default -> "TIMESTAMP(MICROS,true)";
      });
      try (HistoricalRows back = engine.read(file, FileFormat.PARQUET)) {
        assertThat(back.columns()).isEqualTo(COLUMNS);
        for (int i = 0; i < rows.size(); i++) {
          Object[] got = back.next();
          Object[] want = rows.get(i);
          for (int c = 0; c < COLUMNS.size(); c++) {
            assertThat(DuckDbSparkDifferentialTest.same(truncated(want[c], unit), got[c]))
                .as("%s: row %d, column %s: %s, read back %s", layout, i, COLUMNS.get(c).name(), want[c], got[c]).isTrue();
          }
        }
        assertThat(back.hasNext()).isFalse();
      }
    }
  }

  private static org.apache.parquet.schema.MessageType schema(Path file) throws java.io.IOException {
    try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(new org.apache.parquet.io.LocalInputFile(file))) {
      return reader.getFileMetaData().getSchema();
    }
  }

  private static Instant time(Random r) {
    return Instant.parse("1900-01-01T00:00:00Z").plusSeconds(r.nextLong(0, 200L * 365 * 86_400)).plusNanos(r.nextInt(1_000_000_000));
  }

  private static byte[] bytes(Random r) {
    byte[] b = new byte[r.nextInt(4)];
    r.nextBytes(b);
    return b;
  }

  private static Object truncated(Object v, ChronoUnit unit) {
    return switch (v) {
      case Instant t -> t.truncatedTo(unit);
      case List<?> list -> list.stream().map(e -> truncated(e, unit)).toList();
      case null, default -> v;
    };
  }
}
