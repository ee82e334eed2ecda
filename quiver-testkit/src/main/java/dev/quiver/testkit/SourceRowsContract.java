package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link OfflineEngine} must have for {@link OfflineEngine#sourceRows} (what
 * materialization folds into online tiles): every row in the time range with non-null keys, none
 * outside it, sorted by key then (event_ts, created_ts), with the source's column types when the
 * plan leaves them open. An engine's test extends this class like {@link OfflineEngineContract}.
 */
public abstract class SourceRowsContract {
  private static final List<Column> COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP),
      new Column("amount", ScalarType.FLOAT32),
      new Column("n", ScalarType.INT32));
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  @TempDir Path repo;
  private OfflineEngine engine;

  /** A new engine; called once per test and closed after it. */
  protected abstract OfflineEngine engine();

  /** Writes one Parquet file with exactly these columns and types (see {@link OfflineEngineContract}). */
  protected abstract void writeTable(Path file, List<Column> columns, List<Object[]> rows);

  @BeforeEach
  final void open() {
    engine = engine();
  }

  @AfterEach
  final void close() {
    engine.close();
  }

  @Test
  void streamsEveryRowInRangeSortedByKeyThenTimeWithTheSourcesTypes() throws IOException {
    Random r = new Random(7);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Instant e = T0.plusSeconds(r.nextInt(1000));
      rows.add(new Object[] {r.nextInt(10) == 0 ? null : (long) r.nextInt(20), e,
          r.nextBoolean() ? null : e.plusSeconds(r.nextInt(3)), r.nextInt(5) == 0 ? null : r.nextFloat(), r.nextInt(100)});
    }
    Files.createDirectories(repo.resolve("data"));
    writeTable(repo.resolve("data/events.parquet"), COLUMNS, rows);
    FileSource source = new FileSource("events", "data/events.parquet", FileFormat.PARQUET, "event_ts", "created_ts", Map.of(), null);
    Instant start = T0.plusSeconds(100);
    Instant end = T0.plusSeconds(900);
    LatestRowsPlan plan = new LatestRowsPlan("v@v1", source, List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)),
        List.of(new LatestValue(new FeatureRef("v", 1, "amount"), "amount", "amount", null),
            new LatestValue(new FeatureRef("v", 1, "n"), "n", "n", null)), start, end);

    List<Object[]> got = new ArrayList<>();
    try (HistoricalRows out = engine.sourceRows(plan, repo)) {
      assertThat(out.columns().stream().map(c -> c.type()).toList()).containsExactly(ScalarType.INT64, ScalarType.TIMESTAMP,
          ScalarType.TIMESTAMP, ScalarType.FLOAT32, ScalarType.INT32);
      out.forEachRemaining(got::add);
    }
    Comparator<Object[]> order = Comparator.<Object[], Long>comparing(x -> (Long) x[0])
        .thenComparing(x -> (Instant) x[1])
        .thenComparing(x -> (Instant) x[2], Comparator.nullsFirst(Comparator.naturalOrder()));
    List<Object[]> want = rows.stream()
        .filter(x -> x[0] != null && !((Instant) x[1]).isBefore(start) && !((Instant) x[1]).isAfter(end))
        .map(x -> new Object[] {x[0], x[1], x[2], x[3], x[4]})
        .sorted(order)
        .toList();
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < got.size(); i++) {
      // rows with equal (key, event, created) may come in any order: compare the sort columns, then the multiset
      assertThat(Arrays.asList(got.get(i)).subList(0, 3)).as("row %d", i).isEqualTo(Arrays.asList(want.get(i)).subList(0, 3));
    }
    assertThat(got.stream().map(Arrays::asList).toList()).containsExactlyInAnyOrderElementsOf(
        want.stream().map(Arrays::asList).toList());
  }
}
