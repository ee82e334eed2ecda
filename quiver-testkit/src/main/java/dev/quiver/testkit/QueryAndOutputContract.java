package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetCells.drain;
import static dev.quiver.testkit.TrainingSetCells.same;
import static dev.quiver.testkit.TrainingSetCells.show;
import static dev.quiver.testkit.TrainingSetRows.EVENT_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.FLOAT32_LIST;
import static dev.quiver.testkit.TrainingSetRows.QUERY_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.TIMESTAMP_LIST;
import static dev.quiver.testkit.TrainingSetRows.at;
import static dev.quiver.testkit.TrainingSetRows.event;
import static dev.quiver.testkit.TrainingSetRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.TrainingSetFixture.Result;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * What goes in beside the source rows and what comes out: full feature names, renamed source
 * columns (field mapping of keys, features and both times), query columns of any type passed
 * through unchanged under a named timestamp column, query rows from SQL over the sources, a CSV
 * training set read back, and timestamps (also inside {@code list<timestamp>}) that do not depend
 * on the JVM's time zone. Each case is also compared cell by cell with {@link NaivePointInTime}.
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer; its engine must write and read CSV ({@link dev.quiver.core.offline.OfflineEngine#write}
 * and {@code read} with {@link FileFormat#CSV}) and run query SQL over the sources.
 */
public interface QueryAndOutputContract extends OfflineContractPart {
  @Test
  default void semanticsFullFeatureNames() {
    TrainingSetFixture f = simpleFixture("full feature names", null,
        rows(event(1, 10, 1, 1.0, "a")), rows(query(1, 10)));
    Result r = f.run(true, null, "user_stats:country", "user_stats:amount");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "label", "user_stats__country", "user_stats__amount");
    assertThat(r.column("user_stats__country")).containsExactly("a");
  }

  @Test
  default void semanticsRenamedColumnsThroughFieldMapping() {
    // every column the view uses is renamed: keys, features, the event and created times
    TrainingSetFixture f = fixture("field mapping", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").column("amount").column("country", "nation"));
    List<Column> raw = List.of(new Column("uid", ScalarType.INT64), new Column("ts_raw", ScalarType.TIMESTAMP),
        new Column("created_raw", ScalarType.TIMESTAMP), new Column("amt", ScalarType.FLOAT64),
        new Column("nation", ScalarType.STRING));
    f.parquetFiles("events", "data/events.parquet", raw, Map.of("", rows(
            new Object[] {1L, at(10), at(2), 1.0, "late created"}, new Object[] {1L, at(10), at(1), 2.0, "early created"},
            new Object[] {1L, at(30), at(1), 3.0, "future"})),
        "event_ts", "created_ts", Map.of("uid", "user_id", "ts_raw", "event_ts", "created_raw", "created_ts", "amt", "amount"));
    f.query(QUERY_COLUMNS, rows(query(1, 20)));
    Result r = f.run("user_stats:amount", "user_stats:country");
    assertThat(r.column("amount")).containsExactly(1.0);
    assertThat(r.column("country")).containsExactly("late created");
  }

  @Test
  default void semanticsQueryColumnsPassThroughUnchanged() {
    TrainingSetFixture f = fixture("query columns", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").column("amount"));
    f.parquetFiles("events", "data/events.parquet", EVENT_COLUMNS, Map.of("", rows(event(1, 10, 1, 1.0, "a"))),
        "event_ts", "created_ts", Map.of());
    List<Column> query = List.of(new Column("note", ScalarType.STRING), new Column("user_id", ScalarType.INT64),
        new Column("label_bytes", ScalarType.BYTES), new Column("asked_at", ScalarType.TIMESTAMP),
        new Column("embedding", FLOAT32_LIST), new Column("seen_at", ScalarType.TIMESTAMP), new Column("flag", ScalarType.BOOL));
    f.query(query, rows(
        new Object[] {"ünïcødé ✓", 1L, new byte[] {0, -1}, at(20), List.of(1.5f, -0.0f), Instant.parse("1969-07-20T20:17:40.000001Z"), true},
        new Object[] {null, 1L, null, at(5), null, null, null}));
    Result r = f.run(false, "asked_at", "user_stats:amount");
    assertThat(r.column("amount")).containsExactly(1.0, null);
    assertThat(r.column("seen_at")).containsExactly(Instant.parse("1969-07-20T20:17:40.000001Z"), null);
  }

  @Test
  default void semanticsQueryRowsFromSqlOverTheSources() {
    TrainingSetFixture f = fixture("query rows from SQL", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").column("amount").column("country"));
    List<Object[]> events = rows(event(1, 10, 1, 1.0, "a"), event(2, 20, 1, 2.0, "b"), event(1, 30, 1, 3.0, "c"));
    f.parquetFiles("events", "data/events.parquet", EVENT_COLUMNS, Map.of("", events), "event_ts", "created_ts", Map.of());
    f.sqlQuery("SELECT user_id, event_ts AS event_timestamp FROM events ORDER BY event_ts DESC",
        List.of("user_id", "event_timestamp"),
        rows(new Object[] {1L, at(30)}, new Object[] {2L, at(20)}, new Object[] {1L, at(10)}));
    assertThat(f.run("user_stats:country").column("country")).containsExactly("c", "b", "a");
  }

  @Test
  default void writesCsvToo() {
    TrainingSetFixture f = simpleFixture("CSV output", null,
        rows(event(1, 10, 1, 1.5, "a"), event(2, 10, 1, null, "b")),
        rows(query(1, 20), query(2, 20), query(3, 20), queryAt(1, null)));
    Result r = f.run("user_stats:amount", "user_stats:country");
    Path out = repo().resolve("out").resolve("training.csv");
    assertThat(underTest().engine().write(r.plan(), repo(), out, FileFormat.CSV, pct -> {})).isEqualTo(4);
    try (HistoricalRows rows = underTest().engine().read(out, FileFormat.CSV)) {
      assertThat(rows.columns().stream().map(Column::name))
          .containsExactly("user_id", "event_timestamp", "label", "amount", "country");
      List<Object[]> back = drain(rows);
      assertThat(back).hasSize(4);
      for (int i = 0; i < 4; i++) {
        Object[] expected = r.rows().get(i);
        for (int c : new int[] {0, 1, 3, 4}) { // the int32 label comes back as whatever CSV sniffing makes of it
          assertThat(same(expected[c], back.get(i)[c])).as("row %d column %d: %s vs %s", i, c, show(expected[c]),
              show(back.get(i)[c])).isTrue();
        }
      }
    }
  }

  /**
   * Timestamps are UTC whatever the JVM's zone: a time inside a daylight-saving gap of the default
   * zone (02:30 on 2024-03-10 does not exist in New York) comes back unchanged.
   */
  @Test
  default void semanticsResultsDoNotDependOnTheJvmTimeZone() {
    inNewYork(() -> {
      TrainingSetFixture f = fixture("JVM time zone America/New_York", 0);
      f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
          .entities("user").source("events").column("f_ts"));
      Instant gap = Instant.parse("2024-03-10T02:30:00.123456Z");
      List<Column> columns = List.of(new Column("user_id", ScalarType.INT64), new Column("event_ts", ScalarType.TIMESTAMP),
          new Column("f_ts", ScalarType.TIMESTAMP));
      f.parquetFiles("events", "data/events.parquet", columns,
          Map.of("", rows(new Object[] {1L, gap, gap}, new Object[] {2L, gap.plusSeconds(3600), gap.minusSeconds(1)})),
          "event_ts", null, Map.of());
      f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP)),
          rows(new Object[] {1L, gap}, new Object[] {2L, gap}, new Object[] {2L, gap.plusSeconds(3600)}));
      Result r = f.run("user_stats:f_ts");
      assertThat(r.column("event_timestamp")).containsExactly(gap, gap, gap.plusSeconds(3600));
      assertThat(r.column("f_ts")).containsExactly(gap, null, gap.minusSeconds(1));
    });
  }

  /**
   * As {@link #semanticsResultsDoNotDependOnTheJvmTimeZone()}, for the elements of a {@code
   * list<timestamp>}.
   */
  @Test
  default void semanticsTimestampListsDoNotDependOnTheJvmTimeZone() {
    inNewYork(() -> {
      TrainingSetFixture f = fixture("list<timestamp>, JVM time zone America/New_York", 0);
      f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
          .entities("user").source("events").column("f_times"));
      Instant gap = Instant.parse("2024-03-10T02:30:00.123456Z");
      List<Column> columns = List.of(new Column("user_id", ScalarType.INT64), new Column("event_ts", ScalarType.TIMESTAMP),
          new Column("f_times", TIMESTAMP_LIST));
      List<Object> times = Arrays.asList(gap, null, gap.minusSeconds(1));
      f.parquetFiles("events", "data/events.parquet", columns, Map.of("", rows(new Object[] {1L, at(0), times})),
          "event_ts", null, Map.of());
      f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP)),
          rows(new Object[] {1L, at(1)}));
      assertThat(f.run("user_stats:f_times").column("f_times")).containsExactly(times);
    });
  }

  private static void inNewYork(Runnable test) {
    TimeZone saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
    try {
      test.run();
    } finally {
      TimeZone.setDefault(saved);
    }
  }
}
