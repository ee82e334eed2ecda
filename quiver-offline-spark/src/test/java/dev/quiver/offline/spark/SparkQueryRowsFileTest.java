package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploaded query rows written by the Spark engine (parquet-java, no Spark job) read back as written
 * through Spark and through DuckDB, with the same names, types and values as the file DuckDB's engine
 * writes for the same rows; values that do not fit are refused naming the column.
 */
class SparkQueryRowsFileTest {
  private static final List<Column> COLUMNS = List.of(new Column("i32", ScalarType.INT32), new Column("i64", ScalarType.INT64),
      new Column("f32", ScalarType.FLOAT32), new Column("f64", ScalarType.FLOAT64), new Column("b", ScalarType.BOOL),
      new Column("s", ScalarType.STRING), new Column("bytes", ScalarType.BYTES), new Column("t", ScalarType.TIMESTAMP));

  @TempDir Path tmp;

  private static List<Object[]> randomRows(Random r, int n) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] row = {r.nextInt(), r.nextLong(), r.nextFloat(), r.nextDouble(), r.nextBoolean(), "s" + r.nextInt(100),
          new byte[] {(byte) r.nextInt(), 0, (byte) i},
          Instant.ofEpochSecond(r.nextInt(2) == 0 ? 1_700_000_000L + r.nextInt(1_000_000) : -r.nextInt(1_000_000_000), r.nextInt(1_000_000) * 1000L)};
      row[r.nextInt(row.length)] = null;
      if (r.nextInt(10) == 0) {
        row[r.nextInt(row.length)] = null;
      }
      rows.add(row);
    }
    return rows;
  }

  private static void assertReadsBack(OfflineEngine reader, Path file, List<Object[]> rows, String what) {
    try (HistoricalRows back = reader.read(file, FileFormat.PARQUET)) {
      assertThat(back.columns()).as(what).containsExactlyElementsOf(COLUMNS);
      int i = 0;
      for (; back.hasNext(); i++) {
        Object[] got = back.next();
        for (int c = 0; c < COLUMNS.size(); c++) {
          assertThat(got[c]).as("%s row %d column %s", what, i, COLUMNS.get(c).name()).isEqualTo(rows.get(i)[c]);
        }
      }
      assertThat(i).as(what).isEqualTo(rows.size());
    }
  }

  @Test
  void randomRowsOfEveryScalarTypeWithNullsReadBackThroughSparkAsWritten() {
    long seed = new Random().nextLong();
    List<Object[]> rows = randomRows(new Random(seed), 5000);
    Path out = tmp.resolve("query.parquet");
    OfflineEngine spark = TestSpark.engine();
    assertThat(spark.writeQueryRows(out, COLUMNS, rows.iterator())).isEqualTo(rows.size());
    assertThat(out.resolveSibling("query.parquet.tmp")).doesNotExist();
    assertReadsBack(spark, out, rows, "seed " + seed + ", Spark reading Spark's file");
  }

  @Test
  void bothEnginesWriteTheSameFileForTheSameRandomRows() throws Exception {
    long seed = new Random().nextLong();
    List<Object[]> rows = randomRows(new Random(seed), 3000);
    Path bySpark = tmp.resolve("spark.parquet");
    Path byDuck = tmp.resolve("duckdb.parquet");
    OfflineEngine spark = TestSpark.engine();
    try (OfflineEngine duck = new DuckDbEngineProvider().open(Map.of())) {
      assertThat(spark.writeQueryRows(bySpark, COLUMNS, rows.iterator())).isEqualTo(rows.size());
      assertThat(duck.writeQueryRows(byDuck, COLUMNS, rows.iterator())).isEqualTo(rows.size());
      assertReadsBack(duck, bySpark, rows, "seed " + seed + ", DuckDB reading Spark's file");
      assertReadsBack(spark, byDuck, rows, "seed " + seed + ", Spark reading DuckDB's file");
      assertReadsBack(duck, byDuck, rows, "seed " + seed + ", DuckDB reading DuckDB's file");
    }
    assertThat(fields(bySpark)).isEqualTo(fields(byDuck));
  }

  /** The Parquet columns of a file: name, repetition, physical and logical type. */
  private static List<String> fields(Path file) throws java.io.IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFileMetaData().getSchema().getFields().stream().map(Type::toString).toList();
    }
  }

  @Test
  void aListColumnOrAValueOfTheWrongTypeIsRefusedNamingItAndNothingIsLeft() throws Exception {
    OfflineEngine engine = TestSpark.engine();
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("a.parquet"), List.of(new Column("emb", new ListType(ScalarType.FLOAT32))),
        List.<Object[]>of().iterator())).isInstanceOf(InvalidRequestException.class).hasMessageContaining("emb");
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("b.parquet"), List.of(new Column("user_id", ScalarType.INT64)),
        List.<Object[]>of(new Object[] {7L}, new Object[] {"x"}).iterator())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("query row 1").hasMessageContaining("user_id").hasMessageContaining("int64");
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("c.parquet"), List.of(new Column("n", ScalarType.INT32)),
        List.<Object[]>of(new Object[] {1L << 40}).iterator())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'n'").hasMessageContaining("int32");
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("d.parquet"), List.of(new Column("event_ts", ScalarType.TIMESTAMP)),
        List.<Object[]>of(new Object[] {"2026-01-01"}).iterator())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("event_ts").hasMessageContaining("timestamp");
    try (var left = Files.list(tmp)) {
      assertThat(left.toList()).isEmpty();
    }
  }
}
