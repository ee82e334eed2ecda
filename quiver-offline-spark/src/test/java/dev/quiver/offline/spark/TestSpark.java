package dev.quiver.offline.spark;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** The one Spark session every test of this module shares (local[2], as CI's two cores), and file helpers. */
final class TestSpark {
  static final Map<String, Object> OPTIONS = Map.of("master", "local[2]");

  private TestSpark() {}

  static OfflineEngine engine() {
    return new SparkEngineProvider().open(OPTIONS);
  }

  static SparkSession session() {
    return ((SparkOfflineEngine) engine()).spark();
  }

  /**
   * Writes one Parquet file with exactly these columns and their Quiver types' Spark types, written by
   * Spark: one task into a directory beside the file, whose one part file is then moved to {@code file}.
   */
  static void writeParquet(Path file, List<Column> columns, List<Object[]> rows) {
    StructType schema = new StructType();
    for (Column c : columns) {
      schema = schema.add(c.name(), SparkTypes.toSpark(c.type()), true);
    }
    List<Row> data = new ArrayList<>();
    for (Object[] r : rows) {
      Object[] values = new Object[r.length];
      for (int i = 0; i < r.length; i++) {
        values[i] = SparkValues.toSpark(r[i]);
      }
      data.add(RowFactory.create(values));
    }
    Path dir = file.resolveSibling("." + file.getFileName() + ".spark");
    session().createDataFrame(data, schema).coalesce(1).write().mode("overwrite").parquet(dir.toString());
    try (Stream<Path> parts = Files.list(dir)) {
      Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (Stream<Path> rest = Files.list(dir)) {
        for (Path p : rest.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
