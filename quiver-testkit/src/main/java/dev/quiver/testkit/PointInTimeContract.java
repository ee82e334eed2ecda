package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetRows.EVENT_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.MICRO;
import static dev.quiver.testkit.TrainingSetRows.QUERY_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.at;
import static dev.quiver.testkit.TrainingSetRows.event;
import static dev.quiver.testkit.TrainingSetRows.eventAt;
import static dev.quiver.testkit.TrainingSetRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.TrainingSetFixture.Result;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The point-in-time join, one edge at a time (DESIGN §3): hand-written {@code user_stats} cases
 * whose expected values are spelled out, so a reader sees the rule for each edge. Proves that a
 * query row gets the latest source row at or before its time; that equal event times are decided by
 * created time (a null created time is older than any), then by position, across files in sorted
 * path order; that TTL bounds are inclusive and limit the latest row rather than the search; that a
 * null feature value is the value; that null keys, null query times and source rows without an
 * event time match nothing; and that every query row comes back once, in input order. Each case is
 * also compared cell by cell with {@link NaivePointInTime}.
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer.
 */
public interface PointInTimeContract extends OfflineContractPart {
  @Test
  default void semanticsLatestRowAtOrBeforeTheQueryTime() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "a"), event(1, 20, 1, 2.0, "b"), event(1, 30, 1, 3.0, "c")),
        rows(query(1, 5), query(1, 10), query(1, 25), query(1, 30), query(1, 31)));
    assertThat(r.column("amount")).containsExactly(null, 1.0, 2.0, 3.0, 3.0);
    assertThat(r.column("country")).containsExactly(null, "a", "b", "c", "c");
  }

  @Test
  default void semanticsEqualEventTimesAreDecidedByCreatedTime() {
    // the row created later wins though it comes first in the file
    Result r = userStats(null,
        rows(event(1, 10, 7, 1.0, "newer"), event(1, 10, 3, 2.0, "older")),
        rows(query(1, 10), query(1, 11)));
    assertThat(r.column("country")).containsExactly("newer", "newer");
  }

  @Test
  default void semanticsNullCreatedTimeIsOlderThanAnyCreatedTime() {
    Result r = userStats(null,
        rows(event(1, 10, 3, 1.0, "created"), event(1, 10, null, 2.0, "no created time"),
            event(2, 10, null, 1.0, "first"), event(2, 10, null, 2.0, "second")),
        rows(query(1, 10), query(2, 10)));
    // user 1: a created time beats none; user 2: both none, so the later position wins
    assertThat(r.column("country")).containsExactly("created", "second");
  }

  @Test
  default void semanticsEqualEventAndCreatedTimesAreDecidedByPosition() {
    Result r = userStats(null,
        rows(event(1, 10, 5, 1.0, "first"), event(1, 10, 5, 2.0, "second"), event(1, 10, 5, 3.0, "third"),
            event(1, 9, 9, 4.0, "earlier event, later created")),
        rows(query(1, 10)));
    assertThat(r.column("country")).containsExactly("third");
    assertThat(r.column("amount")).containsExactly(3.0);
  }

  @Test
  default void semanticsPositionRunsAcrossFilesInSortedPathOrder() {
    TrainingSetFixture f = fixture("files in path order", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").column("amount").column("country"));
    // written in the order part-9, part-10, part-b; read in path order part-10, part-9, part-b
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    files.put("part-9.parquet", rows(event(1, 10, 5, 9.0, "part-9"), event(2, 10, 5, 9.0, "part-9")));
    files.put("part-10.parquet", rows(event(1, 10, 5, 10.0, "part-10"), event(3, 10, 5, 10.0, "part-10")));
    files.put("part-b.parquet", rows(event(3, 10, 5, 11.0, "part-b")));
    f.parquetFiles("events", "data/events/*.parquet", EVENT_COLUMNS, files, "event_ts", "created_ts", Map.of());
    f.query(QUERY_COLUMNS, rows(query(1, 10), query(2, 10), query(3, 10)));
    Result r = f.run("user_stats:*");
    assertThat(r.column("country")).containsExactly("part-9", "part-9", "part-b");
  }

  @Test
  default void semanticsTtlBoundsAreInclusive() {
    Duration ttl = Duration.ofSeconds(10);
    Result r = userStats(ttl,
        rows(event(1, 90, 1, 1.0, "exactly t - ttl"),
            eventAt(2, at(90).minus(MICRO), 1, 2.0, "1us too old"),
            event(3, 100, 1, 3.0, "exactly t"),
            event(4, 95, 1, 4.0, "in range"), eventAt(4, at(100).plus(MICRO), 1, 5.0, "1us after t")),
        rows(query(1, 100), query(2, 100), query(3, 100), query(4, 100), queryAt(2, at(100).minus(MICRO))));
    assertThat(r.column("country"))
        .containsExactly("exactly t - ttl", null, "exactly t", "in range", "1us too old");
  }

  @Test
  default void semanticsTtlLimitsTheLatestRowNotTheSearch() {
    // the latest row is too old: there is no older row to fall back to, so nulls
    Result r = userStats(Duration.ofSeconds(5),
        rows(event(1, 10, 1, 1.0, "old"), event(1, 12, 1, 2.0, "latest")),
        rows(query(1, 20), query(1, 16)));
    assertThat(r.column("country")).containsExactly(null, "latest");
  }

  @Test
  default void semanticsANullFeatureValueIsTheValue() {
    // the latest row's null is returned; an older non-null value never shows through
    Result r = userStats(null,
        rows(event(1, 10, 1, 5.0, "old"), event(1, 20, 1, null, null), event(2, 10, 1, null, "x")),
        rows(query(1, 25), query(2, 25)));
    assertThat(r.column("amount")).containsExactly(null, null);
    assertThat(r.column("country")).containsExactly(null, "x");
  }

  @Test
  default void semanticsNullKeysNeverMatch() {
    Result r = userStats(null,
        rows(event(null, 10, 1, 1.0, "null key"), event(1, 5, 1, 2.0, "one")),
        rows(query(null, 20), query(1, 20)));
    assertThat(r.column("country")).containsExactly(null, "one");
  }

  @Test
  default void semanticsNullQueryTimeGetsNulls() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "a")),
        rows(queryAt(1, null), query(1, 10)));
    assertThat(r.column("country")).containsExactly(null, "a");
    assertThat(r.column("event_timestamp")).containsExactly(null, at(10));
  }

  @Test
  default void semanticsNullQueryTimeGetsNullsWithATtl() {
    Result r = userStats(Duration.ofDays(1),
        rows(event(1, 10, 1, 1.0, "a")),
        rows(queryAt(1, null), query(1, 10)));
    assertThat(r.column("country")).containsExactly(null, "a");
  }

  @Test
  default void semanticsSourceRowsWithoutEventTimeAreIgnored() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "timed"), eventAt(1, null, 9, 2.0, "no event time")),
        rows(query(1, 20)));
    assertThat(r.column("country")).containsExactly("timed");
  }

  @Test
  default void semanticsEveryQueryRowOnceInInputOrder() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "one"), event(2, 10, 1, 2.0, "two")),
        rows(query(2, 30), query(1, 30), query(2, 30), query(9, 30), query(1, 5), query(2, 30)));
    assertThat(r.column("user_id")).containsExactly(2L, 1L, 2L, 9L, 1L, 2L);
    assertThat(r.column("label")).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(r.column("country")).containsExactly("two", "one", "two", null, null, "two");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "label", "amount", "country");
  }
}
