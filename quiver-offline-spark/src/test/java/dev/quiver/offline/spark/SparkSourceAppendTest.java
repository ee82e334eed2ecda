package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.SourceAppendContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline pushes on Spark: the {@link SourceAppendContract} (a Parquet file written without a Spark
 * job, read back by Spark), and clear refusals for what the local writer cannot reach.
 */
class SparkSourceAppendTest extends SourceAppendContract {
  @TempDir Path other;

  @Override
  protected OfflineEngine engine() {
    return TestSpark.engine();
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    ParquetFiles.write(file, columns, rows);
  }

  @Test
  void refusesASourceAtAUriOrInCsvNamingWhyAndWritesNothing() throws Exception {
    List<Object[]> rows = List.<Object[]>of(new Object[] {1L, Instant.parse("2026-03-01T00:00:00Z")});
    try (OfflineEngine engine = TestSpark.engine()) {
      FileSource remote = new FileSource("txns", "s3a://bucket/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
      assertThatThrownBy(() -> engine.appendToSource(remote, other, List.of("user_id", "event_ts"), rows))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("source 'txns' is at s3a://bucket/txns/*.parquet")
          .hasMessageContaining("local paths and shared mounts only")
          .hasMessageContaining("\"to\": \"online\"");
      Files.createDirectories(other.resolve("data/txns"));
      Files.writeString(other.resolve("data/txns/part-0.csv"), "user_id,event_ts\n1,2026-03-01T00:00:00Z\n");
      FileSource csv = new FileSource("txns", "data/txns/*.csv", FileFormat.CSV, "event_ts", null, Map.of(), null);
      assertThatThrownBy(() -> engine.appendToSource(csv, other, List.of("user_id", "event_ts"), rows, "key-1"))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("appends Parquet files only");
    }
    try (var files = Files.list(other.resolve("data/txns"))) {
      assertThat(files.toList()).hasSize(1);
    }
  }

  @Test
  void wholeNumbersMustFitTheirColumn() throws Exception {
    Files.createDirectories(other.resolve("data/txns"));
    List<Column> columns = List.of(new Column("user_id", dev.quiver.core.model.ScalarType.INT64),
        new Column("small", dev.quiver.core.model.ScalarType.INT32));
    ParquetFiles.write(other.resolve("data/txns/part-0.parquet"), columns, List.<Object[]>of(new Object[] {1L, 1}));
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
    try (OfflineEngine engine = TestSpark.engine()) {
      assertThatThrownBy(() -> engine.appendToSource(source, other, List.of("user_id", "small"),
          List.<Object[]>of(new Object[] {2L, 3}, new Object[] {3L, 1L << 31})))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("pushed row 1")
          .hasMessageContaining("column 'small'")
          .hasMessageContaining("from -2147483648 to 2147483647");
      assertThatThrownBy(() -> engine.appendToSource(source, other, List.of("user_id"), List.<Object[]>of(new Object[] {2.5})))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("takes a whole number, not 2.5");
      Path file = engine.appendToSource(source, other, List.of("user_id", "small"), List.<Object[]>of(new Object[] {5.0, -7L}));
      try (var rows = engine.read(file, FileFormat.PARQUET)) {
        assertThat(rows.next()).containsExactly(5L, -7);
      }
    }
    try (var files = Files.list(other.resolve("data/txns"))) {
      assertThat(files.toList()).hasSize(2);
    }
  }
}
