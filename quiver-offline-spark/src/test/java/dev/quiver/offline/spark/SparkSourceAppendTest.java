package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.OfflineEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline pushes on Spark are refused as a request error (4xx) that says what to do instead, and
 * nothing is written; the other append forms refuse too.
 */
class SparkSourceAppendTest {
  @TempDir Path repo;

  @Test
  void offlinePushesAreRefusedClearlyAndWriteNothing() throws Exception {
    Files.createDirectories(repo.resolve("data/txns"));
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
    List<Object[]> rows = List.<Object[]>of(new Object[] {1L, Instant.parse("2026-03-01T00:00:00Z")});
    try (OfflineEngine engine = TestSpark.engine()) {
      assertThatThrownBy(() -> engine.appendToSource(source, repo, List.of("user_id", "event_ts"), rows))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("source 'txns'")
          .hasMessageContaining("\"to\": \"online\"")
          .hasMessageContaining("offline: {engine: duckdb}");
      assertThatThrownBy(() -> engine.appendToSource(source, repo, List.of("user_id", "event_ts"), rows, "key-1"))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> engine.appendToSource(source, repo, "p0-o1-2.parquet", List.of("user_id", "event_ts"), rows))
          .hasMessageContaining("DuckDB");
    }
    try (var files = Files.list(repo.resolve("data/txns"))) {
      assertThat(files.toList()).isEmpty();
    }
  }
}
