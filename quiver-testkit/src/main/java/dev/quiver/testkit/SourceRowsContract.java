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
 * plan leaves them open; and for both {@code sourceRows} and {@link OfflineEngine#latestRows}, the
 * tie order of DESIGN §3 ({@link LatestRowsPlan#TIE_ORDER}): rows of equal times in file order (files
 * in sorted path order), the latest row named by its file and row, and every row named so by {@link
 * OfflineEngine#sourceRowsWithPositions}. An engine's test extends this
 * class like {@link OfflineEngineContract}.
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

  /**
   * Several files written in an order unlike their sorted path order, dense in exact ties (same
   * key, event and created time, different values): sourceRows hands rows of equal times in file
   * order, and latestRows picks the last of them and names its file and row. Parquet and CSV alike;
   * the seed is in every message.
   */
  @Test
  void tiesGoByFileOrderAcrossFiles() throws IOException {
    for (FileFormat format : FileFormat.values()) {
      for (long seed = 1; seed <= 6; seed++) {
        tiesGoByFileOrder(format, seed);
      }
    }
  }

  private void tiesGoByFileOrder(FileFormat format, long seed) throws IOException {
    Random r = new Random(seed);
    String dir = "ties-" + format.spelling() + "-" + seed;
    Files.createDirectories(repo.resolve(dir));
    // created in this order, read in sorted path order: b-1, b-10, b-2, c, z
    List<String> names = new ArrayList<>(List.of("z", "b-10", "b-2", "c", "b-1"));
    List<String> sorted = names.stream().sorted().toList();
    Map<String, List<Object[]>> byFile = new java.util.HashMap<>();
    int serial = 0;
    for (String name : names) {
      List<Object[]> rows = new ArrayList<>();
      int n = r.nextInt(1, 40);
      for (int i = 0; i < n; i++) {
        Instant e = T0.plusSeconds(r.nextInt(4));
        Instant c = r.nextInt(3) == 0 ? null : e.plusSeconds(r.nextInt(2));
        rows.add(new Object[] {(long) r.nextInt(3), e, c, (float) serial++, r.nextInt(100)});
      }
      byFile.put(name, rows);
      Path file = repo.resolve(dir).resolve(name + "." + format.spelling());
      if (format == FileFormat.PARQUET) {
        writeTable(file, COLUMNS, rows);
      } else {
        StringBuilder csv = new StringBuilder("user_id,event_ts,created_ts,amount,n\n");
        for (Object[] row : rows) {
          csv.append(row[0]).append(',').append(row[1]).append(',').append(row[2] == null ? "" : row[2]).append(',')
              .append(row[3]).append(',').append(row[4]).append('\n');
        }
        Files.writeString(file, csv);
      }
    }
    // the tie order: files in sorted path order, rows in file order, then a stable sort by key and times
    List<Object[]> inOrder = new ArrayList<>();
    for (String name : sorted) {
      List<Object[]> rows = byFile.get(name);
      for (int i = 0; i < rows.size(); i++) {
        Object[] row = rows.get(i);
        inOrder.add(new Object[] {row[0], row[1], row[2], row[3], dir + "/" + name + "." + format.spelling(), (long) i});
      }
    }
    Comparator<Object[]> byKeyAndTime = Comparator.<Object[], Long>comparing(x -> (Long) x[0])
        .thenComparing(x -> (Instant) x[1])
        .thenComparing(x -> (Instant) x[2], Comparator.nullsFirst(Comparator.naturalOrder()));
    List<Object[]> want = inOrder.stream().sorted(byKeyAndTime).toList();
    FileSource source = new FileSource("events", dir + "/*." + format.spelling(), format, "event_ts", "created_ts", Map.of(), null);
    LatestRowsPlan plan = new LatestRowsPlan("v@v1", source, List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)),
        List.of(new LatestValue(new FeatureRef("v", 1, "amount"), "amount", "amount", ScalarType.FLOAT64)),
        T0.minusSeconds(1), T0.plusSeconds(60));
    List<Object> gotOrder = new ArrayList<>();
    try (HistoricalRows out = engine.sourceRows(plan, repo)) {
      out.forEachRemaining(x -> gotOrder.add(((Number) x[3]).doubleValue()));
    }
    assertThat(gotOrder).as("%s seed %d: sourceRows' values in the tie order", format, seed)
        .isEqualTo(want.stream().map(x -> (Object) ((Number) x[3]).doubleValue()).toList());
    List<List<Object>> positions = new ArrayList<>();
    try (HistoricalRows out = engine.sourceRowsWithPositions(plan, repo)) {
      assertThat(out.columns().stream().map(Column::name).toList()).containsExactly("user_id", LatestRowsPlan.EVENT_TS,
          LatestRowsPlan.CREATED_TS, "amount", LatestRowsPlan.SOURCE_FILE, LatestRowsPlan.SOURCE_ROW);
      out.forEachRemaining(x -> positions.add(List.of(((Number) x[3]).doubleValue(), x[4], ((Number) x[5]).longValue())));
    }
    assertThat(positions).as("%s seed %d: sourceRowsWithPositions' rows in the tie order, each with its file and row", format, seed)
        .isEqualTo(want.stream().map(x -> List.<Object>of(((Number) x[3]).doubleValue(), x[4], x[5])).toList());
    Map<Long, Object[]> latest = new java.util.TreeMap<>();
    want.forEach(x -> latest.put((Long) x[0], x)); // the last row of each key in the tie order
    List<List<Object>> got = new ArrayList<>();
    try (HistoricalRows out = engine.latestRows(plan, repo)) {
      assertThat(out.columns().stream().map(Column::name).toList()).containsExactly("user_id", LatestRowsPlan.EVENT_TS,
          LatestRowsPlan.CREATED_TS, "amount", LatestRowsPlan.SOURCE_FILE, LatestRowsPlan.SOURCE_ROW, LatestRowsPlan.SOURCE_ROWS);
      out.forEachRemaining(x -> got.add(List.of(((Number) x[0]).longValue(), ((Number) x[3]).doubleValue(), x[4],
          ((Number) x[5]).longValue())));
    }
    got.sort(Comparator.comparing(x -> (Long) x.get(0)));
    assertThat(got).as("%s seed %d: the latest row per key, with its file and row", format, seed).isEqualTo(latest.values().stream()
        .map(x -> List.<Object>of(x[0], ((Number) x[3]).doubleValue(), x[4], x[5])).toList());
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
