package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code latestRows} and {@code sourceRowsWithPositions} on Spark against the DuckDB engine, the
 * reference, on randomized sources (several files, dense ties, null keys and times, composite keys,
 * ranges that cut the data): the same rows with the same positions, counts and values. What the
 * materializer's driver path writes is a function of these rows alone.
 */
class SparkLatestRowsTest {
  @TempDir Path repo;

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void sameRowsAsDuckDb(long seed) throws Exception {
    MaterializationRepos data = new MaterializationRepos(seed);
    data.write(repo, "{engine: duckdb}", "{type: rocksdb}", "p");
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", "created_ts", Map.of(), null);
    List<KeyBinding> keys = seed % 2 == 0 ? List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64))
        : List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64), new KeyBinding("merchant", "merchant", ScalarType.STRING));
    List<LatestValue> features = List.of(
        new LatestValue(new FeatureRef("v", 1, "amount"), "amount", "amount", ScalarType.FLOAT64),
        new LatestValue(new FeatureRef("v", 1, "country"), "country", "country_out", ScalarType.STRING),
        new LatestValue(new FeatureRef("v", 1, "n"), "n", "n", ScalarType.INT32));
    Instant start = MaterializationRepos.T0.plus(Duration.ofHours(seed * 3));
    Instant end = MaterializationRepos.END.minus(Duration.ofHours(seed));
    LatestRowsPlan plan = new LatestRowsPlan("v@v1", source, keys, features, start, end);
    try (OfflineEngine duck = new DuckDbEngineProvider().open(Map.of()); OfflineEngine spark = TestSpark.engine()) {
      List<List<Object>> want = read(duck.latestRows(plan, repo), true);
      List<List<Object>> got = read(spark.latestRows(plan, repo), true);
      assertThat(want).as("seed %d: keys in range", seed).isNotEmpty();
      assertThat(got).as("seed %d: latest rows", seed).isEqualTo(want);
      // every row in range, in the tie order, with its file and row: compared in order, not sorted
      List<List<Object>> wantAll = read(duck.sourceRowsWithPositions(plan, repo), false);
      List<List<Object>> gotAll = read(spark.sourceRowsWithPositions(plan, repo), false);
      assertThat(gotAll).as("seed %d: source rows with positions", seed).isEqualTo(wantAll);
      try (HistoricalRows a = duck.latestRows(plan, repo); HistoricalRows b = spark.latestRows(plan, repo)) {
        assertThat(b.columns()).isEqualTo(a.columns());
      }
    }
  }

  @Test
  void aColumnTheFilesLackIsTheSourcesError() throws Exception {
    MaterializationRepos data = new MaterializationRepos(3);
    data.write(repo, "{engine: duckdb}", "{type: rocksdb}", "p");
    FileSource source = new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), null);
    LatestRowsPlan plan = new LatestRowsPlan("v@v1", source, List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)),
        List.of(new LatestValue(new FeatureRef("v", 1, "gone"), "gone", "gone", ScalarType.STRING)),
        MaterializationRepos.T0, MaterializationRepos.END);
    try (OfflineEngine spark = TestSpark.engine()) {
      assertThatThrownBy(() -> spark.latestRows(plan, repo).close())
          .isInstanceOf(SourceDataException.class)
          .hasMessageContaining("column 'gone' of source 'txns'")
          .hasMessageContaining("do not have");
    }
  }

  /** The rows as lists; sorted by key when {@code sort} (latestRows' order is the engine's). */
  private static List<List<Object>> read(HistoricalRows rows, boolean sort) {
    List<List<Object>> out = new ArrayList<>();
    try (rows) {
      rows.forEachRemaining(r -> out.add(Arrays.asList(r)));
    }
    if (sort) {
      out.sort(Comparator.comparing(r -> r.get(0) + "\u0000" + r.get(1)));
    }
    return out;
  }
}
