package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading sources with each row's position in the tie order: files in sorted path order (names that
 * sort unlike their numbers, and names Spark would take for globs or must percent-encode), rows in
 * file order, for Parquet and CSV; and the type normalization.
 */
class SparkScansTest {
  @TempDir Path repo;

  private static final List<Column> COLUMNS = List.of(new Column("k", ScalarType.INT64), new Column("v", ScalarType.STRING));

  @Test
  void parquetPositionsFollowPathOrderThenFileOrder() throws Exception {
    // file name -> rows; path order: "a b+c [1].parquet", "part-10", "part-9", "ü.parquet"
    Map<String, Integer> sizes = Map.of("part-9.parquet", 300, "part-10.parquet", 5, "a b+c [1].parquet", 40, "ü.parquet", 1);
    Map<String, List<Object[]>> files = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(7);
    for (var e : sizes.entrySet()) {
      List<Object[]> rows = new ArrayList<>();
      for (int i = 0; i < e.getValue(); i++) {
        rows.add(new Object[] {random.nextLong(5), e.getKey() + "#" + i});
      }
      files.put(e.getKey(), rows);
      TestSpark.writeParquet(repo.resolve("data").resolve(e.getKey()), COLUMNS, rows);
    }
    assertPositions(new FileSource("s", "data/*.parquet", FileFormat.PARQUET, "ts", null, Map.of(), Metadata.EMPTY), files);
  }

  @Test
  void csvPositionsFollowPathOrderThenFileOrder() throws Exception {
    Map<String, List<Object[]>> files = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(11);
    for (String name : List.of("part-9.csv", "part-10.csv", "x y.csv")) {
      List<Object[]> rows = new ArrayList<>();
      StringBuilder csv = new StringBuilder("k,v\n");
      int n = random.nextInt(1, 200);
      for (int i = 0; i < n; i++) {
        long k = random.nextLong(5);
        // a quoted line break inside a value: still one row
        String v = i % 17 == 3 ? name + "#" + i + "\nwith a break" : name + "#" + i;
        rows.add(new Object[] {k, v});
        csv.append(k).append(",\"").append(v).append("\"\n");
      }
      files.put(name, rows);
      Files.createDirectories(repo.resolve("data"));
      Files.writeString(repo.resolve("data").resolve(name), csv);
    }
    assertPositions(new FileSource("s", "data/*.csv", FileFormat.CSV, "ts", null, Map.of(), Metadata.EMPTY), files);
  }

  private void assertPositions(FileSource source, Map<String, List<Object[]>> files) {
    Dataset<Row> read = SparkScans.source(TestSpark.session(), source, repo).repartition(3); // order must not matter
    assertThat(read.schema().fieldNames()).containsExactly("k", "v", SparkScans.POSITION);
    assertThat(read.schema().apply("k").dataType()).isEqualTo(DataTypes.LongType);
    Map<Long, Object[]> byPosition = new TreeMap<>();
    for (Row r : read.collectAsList()) {
      byPosition.put(r.getLong(2), new Object[] {r.get(0), r.get(1)});
    }
    List<Object[]> expected = new ArrayList<>();
    files.values().forEach(expected::addAll); // TreeMap: sorted by name, as the paths sort
    List<Object[]> actual = new ArrayList<>(byPosition.values());
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("row %d", i).isEqualTo(expected.get(i));
    }
    // positions: the file's index above bit 40, the row in its file below
    int file = 0;
    List<Long> positions = new ArrayList<>(byPosition.keySet());
    int at = 0;
    for (List<Object[]> rows : files.values()) {
      for (int i = 0; i < rows.size(); i++) {
        assertThat(positions.get(at++)).isEqualTo(((long) file << SparkScans.FILE_SHIFT) + i);
      }
      file++;
    }
  }

  @Test
  void typesAreNormalizedToTheSparkTypesOfQuiverTypes() throws Exception {
    Dataset<Row> odd = TestSpark.session().sql("SELECT CAST(1 AS SMALLINT) AS s, CAST(2 AS TINYINT) AS t, CAST(1.25 AS DECIMAL(10,2)) AS d,"
        + " TIMESTAMP_NTZ'2024-03-10 02:30:00.123456' AS ntz, DATE'2024-01-02' AS day, array(TIMESTAMP_NTZ'2024-01-01 00:00:00') AS times,"
        + " map(1, 2) AS m");
    Path dir = repo.resolve("odd");
    odd.coalesce(1).write().parquet(dir.toString());
    Path file;
    try (var parts = Files.list(dir)) {
      file = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Dataset<Row> read = SparkScans.files(TestSpark.session(), List.of(file), FileFormat.PARQUET);
    assertThat(Arrays.stream(read.schema().fields()).map(f -> SparkTypes.toQuiver(f.dataType())).toList())
        .containsExactly(ScalarType.INT32, ScalarType.INT32, ScalarType.FLOAT64, ScalarType.TIMESTAMP, ScalarType.TIMESTAMP,
            new ListType(ScalarType.TIMESTAMP), null);
    Row r = read.first();
    assertThat(Arrays.asList(SparkValues.toJava(r.get(0)), SparkValues.toJava(r.get(1)), SparkValues.toJava(r.get(2)),
        SparkValues.toJava(r.get(3)), SparkValues.toJava(r.get(4)), SparkValues.toJava(r.get(5))))
        .containsExactly(1, 2, 1.25, Instant.parse("2024-03-10T02:30:00.123456Z"), Instant.parse("2024-01-02T00:00:00Z"),
            List.of(Instant.parse("2024-01-01T00:00:00Z")));
  }
}
