package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.load.Origins;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.OnDemandViewBuilder;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.validate.DefinitionValidator;
import dev.quiver.testkit.NaivePointInTime.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TimeZone;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link OfflineEngine} must have: point-in-time-correct training sets, equal
 * cell by cell to {@link NaivePointInTime}, through both {@link OfflineEngine#rows} (streamed) and
 * {@link OfflineEngine#write} followed by {@link OfflineEngine#read} (Parquet). An engine's test
 * extends this class and says how to open the engine and how to write a Parquet file:
 *
 * <pre>{@code
 * class DuckDbOfflineEngineTest extends OfflineEngineContract {
 *   @Override protected OfflineEngine engine() { return new DuckDbEngineProvider().open(Map.of()); }
 *   @Override protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) { ... }
 * }
 * }</pre>
 *
 * <p>Three groups of cases:
 *
 * <ul>
 *   <li><b>Hand-written</b> ({@code semantics*}): small tables with the expected values spelled out,
 *       so a reader sees the semantics of DESIGN §3 one edge at a time (ties, null created times,
 *       TTL bounds, nulls, duplicates, key types, field mapping, time zones).
 *   <li><b>Randomized</b> ({@code random*}): seeded data dense in those edges (equal event times,
 *       equal event and created times, TTL boundaries to the microsecond, nulls everywhere, keys
 *       missing from the source), over one view, composite keys, several views and entities, views
 *       sharing a source, sources spread over several files, CSV sources and queries, renamed
 *       columns. A failure names the seed and the first differing row with the source rows that
 *       compete for it; {@code -Dquiver.contract.seed=N} runs just that seed, {@code
 *       -Dquiver.contract.seeds=N} runs seeds 1 to N.
 *   <li><b>Request checks</b> ({@code rejects*}): bad requests fail with a {@link QuiverException}
 *       whose message says what to fix, before any source is read (their sources do not exist).
 * </ul>
 *
 * <p>Definitions go through the real {@link DefinitionValidator} (with the written columns as the
 * schema), so the engine sees exactly what {@code apply} would record. Every case runs in well under
 * a second on an embedded engine. Each test opens one engine with {@link #engine()} and closes it.
 */
public abstract class OfflineEngineContract {
  /** The time every generated timestamp is near. */
  private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
  private static final Duration MICRO = Duration.ofNanos(1_000);
  private static final ValueType FLOAT32_LIST = new ListType(ScalarType.FLOAT32);
  private static final ValueType INT64_LIST = new ListType(ScalarType.INT64);
  private static final ValueType STRING_LIST = new ListType(ScalarType.STRING);
  private static final ValueType TIMESTAMP_LIST = new ListType(ScalarType.TIMESTAMP);

  /** A feature column of every type, as random sources carry them. */
  private static final List<Column> FEATURE_COLUMNS = List.of(
      new Column("f_int32", ScalarType.INT32),
      new Column("f_int64", ScalarType.INT64),
      new Column("f_float32", ScalarType.FLOAT32),
      new Column("f_float64", ScalarType.FLOAT64),
      new Column("f_bool", ScalarType.BOOL),
      new Column("f_string", ScalarType.STRING),
      new Column("f_bytes", ScalarType.BYTES),
      new Column("f_ts", ScalarType.TIMESTAMP),
      new Column("f_floats", FLOAT32_LIST),
      new Column("f_longs", INT64_LIST),
      new Column("f_strings", STRING_LIST),
      new Column("f_times", TIMESTAMP_LIST));

  /** The feature columns a CSV file can carry unambiguously. */
  private static final List<Column> CSV_FEATURE_COLUMNS = List.of(
      new Column("f_int64", ScalarType.INT64),
      new Column("f_float64", ScalarType.FLOAT64),
      new Column("f_bool", ScalarType.BOOL),
      new Column("f_string", ScalarType.STRING),
      new Column("f_ts", ScalarType.TIMESTAMP));

  /** Key types every engine must join on. */
  private static final List<ScalarType> KEY_TYPES =
      List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.STRING, ScalarType.BOOL, ScalarType.BYTES);

  @TempDir Path repo;

  private OfflineEngine engine;
  private String testName;

  /** A new engine; called once per test and closed after it. */
  protected abstract OfflineEngine engine();

  /**
   * Writes one Parquet file with exactly these columns, in order, with their Quiver types (the
   * engine's natural physical type for each: 32-bit int for int32, microsecond UTC timestamps, lists
   * for lists). The parent directory exists.
   *
   * @param rows values as {@link HistoricalRows} documents them ({@code Integer}, {@code Long},
   *     {@code Float}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]}, {@code
   *     Instant}, {@code List}), or null
   */
  protected abstract void writeTable(Path file, List<Column> columns, List<Object[]> rows);

  /**
   * The training set read through the engine's Arrow batches ({@link OfflineEngine#arrowRows}),
   * each cell converted to the Java value {@link HistoricalRows} documents, after checking that each
   * column has the Arrow type its Quiver type maps to; null (the default) when the engine makes no
   * Arrow batches. Engines that make them override this (the test kit has no Arrow dependency); every
   * case then compares those rows with the reference as well.
   */
  protected List<Object[]> arrowRows(OfflineEngine engine, PointInTimePlan plan, Path repoRoot) {
    return null;
  }

  @BeforeEach
  final void openEngine(TestInfo test) {
    testName = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse(test.getDisplayName());
    engine = engine();
  }

  @AfterEach
  final void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  /** The seeds of the randomized cases: 1 to 8, or as the system properties say. */
  static Stream<Long> seeds() {
    String one = System.getProperty("quiver.contract.seed");
    if (one != null && !one.isBlank()) {
      return Stream.of(Long.parseLong(one.strip()));
    }
    long count = Long.getLong("quiver.contract.seeds", 8);
    return LongStream.rangeClosed(1, count).boxed();
  }

  // ---- hand-written cases: the semantics, one edge at a time -----------------------------------

  @Test
  void semanticsLatestRowAtOrBeforeTheQueryTime() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "a"), event(1, 20, 1, 2.0, "b"), event(1, 30, 1, 3.0, "c")),
        rows(query(1, 5), query(1, 10), query(1, 25), query(1, 30), query(1, 31)));
    assertThat(r.column("amount")).containsExactly(null, 1.0, 2.0, 3.0, 3.0);
    assertThat(r.column("country")).containsExactly(null, "a", "b", "c", "c");
  }

  @Test
  void semanticsEqualEventTimesAreDecidedByCreatedTime() {
    // the row created later wins though it comes first in the file
    Result r = userStats(null,
        rows(event(1, 10, 7, 1.0, "newer"), event(1, 10, 3, 2.0, "older")),
        rows(query(1, 10), query(1, 11)));
    assertThat(r.column("country")).containsExactly("newer", "newer");
  }

  @Test
  void semanticsNullCreatedTimeIsOlderThanAnyCreatedTime() {
    Result r = userStats(null,
        rows(event(1, 10, 3, 1.0, "created"), event(1, 10, null, 2.0, "no created time"),
            event(2, 10, null, 1.0, "first"), event(2, 10, null, 2.0, "second")),
        rows(query(1, 10), query(2, 10)));
    // user 1: a created time beats none; user 2: both none, so the later position wins
    assertThat(r.column("country")).containsExactly("created", "second");
  }

  @Test
  void semanticsEqualEventAndCreatedTimesAreDecidedByPosition() {
    Result r = userStats(null,
        rows(event(1, 10, 5, 1.0, "first"), event(1, 10, 5, 2.0, "second"), event(1, 10, 5, 3.0, "third"),
            event(1, 9, 9, 4.0, "earlier event, later created")),
        rows(query(1, 10)));
    assertThat(r.column("country")).containsExactly("third");
    assertThat(r.column("amount")).containsExactly(3.0);
  }

  @Test
  void semanticsPositionRunsAcrossFilesInSortedPathOrder() {
    Fixture f = new Fixture("files in path order", 0);
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
  void semanticsTtlBoundsAreInclusive() {
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
  void semanticsTtlLimitsTheLatestRowNotTheSearch() {
    // the latest row is too old: there is no older row to fall back to, so nulls
    Result r = userStats(Duration.ofSeconds(5),
        rows(event(1, 10, 1, 1.0, "old"), event(1, 12, 1, 2.0, "latest")),
        rows(query(1, 20), query(1, 16)));
    assertThat(r.column("country")).containsExactly(null, "latest");
  }

  @Test
  void semanticsANullFeatureValueIsTheValue() {
    // the latest row's null is returned; an older non-null value never shows through
    Result r = userStats(null,
        rows(event(1, 10, 1, 5.0, "old"), event(1, 20, 1, null, null), event(2, 10, 1, null, "x")),
        rows(query(1, 25), query(2, 25)));
    assertThat(r.column("amount")).containsExactly(null, null);
    assertThat(r.column("country")).containsExactly(null, "x");
  }

  @Test
  void semanticsNullKeysNeverMatch() {
    Result r = userStats(null,
        rows(event(null, 10, 1, 1.0, "null key"), event(1, 5, 1, 2.0, "one")),
        rows(query(null, 20), query(1, 20)));
    assertThat(r.column("country")).containsExactly(null, "one");
  }

  @Test
  void semanticsNullQueryTimeGetsNulls() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "a")),
        rows(queryAt(1, null), query(1, 10)));
    assertThat(r.column("country")).containsExactly(null, "a");
    assertThat(r.column("event_timestamp")).containsExactly(null, at(10));
  }

  @Test
  void semanticsNullQueryTimeGetsNullsWithATtl() {
    Result r = userStats(Duration.ofDays(1),
        rows(event(1, 10, 1, 1.0, "a")),
        rows(queryAt(1, null), query(1, 10)));
    assertThat(r.column("country")).containsExactly(null, "a");
  }

  @Test
  void semanticsSourceRowsWithoutEventTimeAreIgnored() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "timed"), eventAt(1, null, 9, 2.0, "no event time")),
        rows(query(1, 20)));
    assertThat(r.column("country")).containsExactly("timed");
  }

  @Test
  void semanticsEveryQueryRowOnceInInputOrder() {
    Result r = userStats(null,
        rows(event(1, 10, 1, 1.0, "one"), event(2, 10, 1, 2.0, "two")),
        rows(query(2, 30), query(1, 30), query(2, 30), query(9, 30), query(1, 5), query(2, 30)));
    assertThat(r.column("user_id")).containsExactly(2L, 1L, 2L, 9L, 1L, 2L);
    assertThat(r.column("label")).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(r.column("country")).containsExactly("two", "one", "two", null, null, "two");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "label", "amount", "country");
  }

  @Test
  void semanticsInt32QueryColumnJoinsInt64KeyByValue() {
    Fixture f = new Fixture("int32 query column, int64 key", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").column("amount").column("country"));
    f.parquetFiles("events", "data/events.parquet", EVENT_COLUMNS,
        Map.of("", rows(event(7, 10, 1, 1.0, "seven"), eventAt(1L << 32 | 7, at(10), 1, 2.0, "2^32 + 7"))),
        "event_ts", "created_ts", Map.of());
    List<Column> query = List.of(new Column("user_id", ScalarType.INT32), new Column("event_timestamp", ScalarType.TIMESTAMP));
    f.query(query, rows(new Object[] {7, at(20)}, new Object[] {8, at(20)}));
    Result r = f.run("user_stats:country");
    assertThat(r.column("user_id")).containsExactly(7, 8);
    assertThat(r.column("country")).containsExactly("seven", null);
  }

  @ParameterizedTest
  @EnumSource(value = ScalarType.class, names = {"INT32", "INT64", "STRING", "BOOL", "BYTES"})
  void semanticsKeysOfEveryScalarType(ScalarType type) {
    Fixture f = new Fixture("key type " + type, 0);
    f.defs.entity("thing", "k", type).view(ViewBuilder.named("things").entities("thing").source("facts").column("v"));
    List<Column> columns = List.of(new Column("k", type), new Column("ts", ScalarType.TIMESTAMP), new Column("v", ScalarType.STRING));
    Object a = keyValue(type, 0, false);
    Object b = keyValue(type, 1, false);
    f.parquetFiles("facts", "data/facts.parquet", columns,
        Map.of("", rows(new Object[] {a, at(1), "a"}, new Object[] {b, at(1), "b"}, new Object[] {null, at(1), "null"})),
        "ts", null, Map.of());
    f.query(List.of(new Column("k", type), new Column("event_timestamp", ScalarType.TIMESTAMP)),
        rows(new Object[] {b, at(2)}, new Object[] {a, at(2)}, new Object[] {null, at(2)}));
    Result r = f.run("things:v");
    assertThat(r.column("v")).containsExactly("b", "a", null);
  }

  static Stream<Arguments> keyTypePairs() {
    return KEY_TYPES.stream().flatMap(a -> KEY_TYPES.stream().map(b -> Arguments.of(a, b)));
  }

  /** Every pair of key types, with negative numbers, empty strings and empty bytes among the values. */
  @ParameterizedTest
  @MethodSource("keyTypePairs")
  void semanticsCompositeKeysOfEveryTypePair(ScalarType first, ScalarType second) {
    Fixture f = new Fixture("composite key (" + first + ", " + second + ")", 0);
    f.defs.entity(new Entity("pair", List.of(new JoinKey("a", first), new JoinKey("b", second)), Metadata.EMPTY))
        .view(ViewBuilder.named("pairs").entities("pair").source("facts").column("v"));
    Object a0 = keyValue(first, 0, false);
    Object a1 = keyValue(first, 1, false);
    Object b0 = keyValue(second, 0, false);
    Object b1 = keyValue(second, 1, false);
    List<Column> columns = List.of(new Column("a", first), new Column("b", second), new Column("ts", ScalarType.TIMESTAMP),
        new Column("v", ScalarType.STRING));
    f.parquetFiles("facts", "data/facts.parquet", columns, Map.of("", rows(
            new Object[] {a0, b0, at(1), "a0 b0"}, new Object[] {a0, b1, at(1), "a0 b1"},
            new Object[] {a1, b0, at(1), "a1 b0"}, new Object[] {null, b1, at(1), "null b1"})),
        "ts", null, Map.of());
    f.query(List.of(new Column("a", first), new Column("b", second), new Column("event_timestamp", ScalarType.TIMESTAMP)),
        rows(new Object[] {a0, b1, at(2)}, new Object[] {a1, b0, at(2)}, new Object[] {a0, b0, at(2)},
            new Object[] {a1, b1, at(2)}, new Object[] {null, b1, at(2)}, new Object[] {a0, null, at(2)}));
    assertThat(f.run("pairs:v").column("v")).containsExactly("a0 b1", "a1 b0", "a0 b0", null, null, null);
  }

  @Test
  void semanticsCompositeKeysMatchOnEveryKey() {
    Fixture f = new Fixture("composite keys", 0);
    f.defs.entity(new Entity("user_device",
            List.of(new JoinKey("user_id", ScalarType.INT64), new JoinKey("device", ScalarType.STRING)), Metadata.EMPTY))
        .view(ViewBuilder.named("usage").entities("user_device").source("sessions").column("minutes"));
    List<Column> columns = List.of(new Column("user_id", ScalarType.INT64), new Column("device", ScalarType.STRING),
        new Column("ts", ScalarType.TIMESTAMP), new Column("minutes", ScalarType.INT32));
    f.parquetFiles("sessions", "data/sessions.parquet", columns, Map.of("", rows(
            new Object[] {1L, "phone", at(1), 10}, new Object[] {1L, "laptop", at(2), 20},
            new Object[] {2L, "phone", at(3), 30}, new Object[] {1L, null, at(4), 40})),
        "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("device", ScalarType.STRING),
            new Column("event_timestamp", ScalarType.TIMESTAMP)),
        rows(new Object[] {1L, "phone", at(9)}, new Object[] {1L, "laptop", at(9)}, new Object[] {2L, "laptop", at(9)},
            new Object[] {1L, null, at(9)}));
    assertThat(f.run("usage:minutes").column("minutes")).containsExactly(10, 20, null, null);
  }

  @Test
  void semanticsViewsWithDifferentEntitiesAndASharedSource() {
    Fixture f = new Fixture("several views", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").ttl("1h").column("user_amount", "amount"))
        .view(ViewBuilder.named("merchant_txn").entities("merchant").source("txns").column("merchant_amount", "amount"))
        .view(ViewBuilder.named("user_profile").entities("user").source("profiles").column("tier"));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("merchant_id", ScalarType.STRING),
        new Column("ts", ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(
            new Object[] {1L, "m1", at(0), 10.0}, new Object[] {2L, "m1", at(100), 20.0},
            new Object[] {1L, "m2", at(200), 30.0})),
        "ts", null, Map.of());
    List<Column> profiles = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("tier", ScalarType.STRING));
    f.parquetFiles("profiles", "data/profiles.parquet", profiles,
        Map.of("", rows(new Object[] {1L, at(-1000), "gold"})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("merchant_id", ScalarType.STRING),
            new Column("event_timestamp", ScalarType.TIMESTAMP)),
        rows(new Object[] {1L, "m1", at(150)}, new Object[] {1L, "m2", at(7200)}, new Object[] {2L, "m2", at(150)}));
    Result r = f.run("user_profile:tier", "merchant_txn:merchant_amount", "user_txn:user_amount");
    assertThat(r.plan().outputs().stream().map(PointInTimePlan.Output::name))
        .containsExactly("tier", "merchant_amount", "user_amount");
    assertThat(r.column("tier")).containsExactly("gold", "gold", null);
    assertThat(r.column("merchant_amount")).containsExactly(20.0, 30.0, null);
    assertThat(r.column("user_amount")).containsExactly(10.0, null, 20.0); // 7200 s is past the 1 h TTL of row 200
  }

  @Test
  void semanticsFullFeatureNames() {
    Fixture f = simpleFixture("full feature names", null,
        rows(event(1, 10, 1, 1.0, "a")), rows(query(1, 10)));
    Result r = f.run(true, null, "user_stats:country", "user_stats:amount");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "label", "user_stats__country", "user_stats__amount");
    assertThat(r.column("user_stats__country")).containsExactly("a");
  }

  @Test
  void semanticsRenamedColumnsThroughFieldMapping() {
    // every column the view uses is renamed: keys, features, the event and created times
    Fixture f = new Fixture("field mapping", 0);
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
  void semanticsQueryColumnsPassThroughUnchanged() {
    Fixture f = new Fixture("query columns", 0);
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
  void semanticsQueryRowsFromSqlOverTheSources() {
    Fixture f = new Fixture("query rows from SQL", 0);
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
  void writesCsvToo() {
    Fixture f = simpleFixture("CSV output", null,
        rows(event(1, 10, 1, 1.5, "a"), event(2, 10, 1, null, "b")),
        rows(query(1, 20), query(2, 20), query(3, 20), queryAt(1, null)));
    Result r = f.run("user_stats:amount", "user_stats:country");
    Path out = repo.resolve("out").resolve("training.csv");
    assertThat(engine.write(r.plan(), repo, out, FileFormat.CSV, pct -> {})).isEqualTo(4);
    try (HistoricalRows rows = engine.read(out, FileFormat.CSV)) {
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
  void semanticsResultsDoNotDependOnTheJvmTimeZone() {
    inNewYork(() -> {
      Fixture f = new Fixture("JVM time zone America/New_York", 0);
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
  protected void semanticsTimestampListsDoNotDependOnTheJvmTimeZone() {
    inNewYork(() -> {
      Fixture f = new Fixture("list<timestamp>, JVM time zone America/New_York", 0);
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

  // ---- randomized cases, compared with the reference -------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomOneView(long seed) {
    Gen g = new Gen(seed);
    ScalarType keyType = g.pick(KEY_TYPES);
    // integer keys sometimes meet the other integer width in the query: joined by value
    ScalarType queryType = keyType == ScalarType.INT64 && g.chance(0.5) ? ScalarType.INT32
        : keyType == ScalarType.INT32 && g.chance(0.5) ? ScalarType.INT64 : keyType;
    KeySpec key = new KeySpec("user_id", keyType, queryType, 6);
    boolean created = g.chance(0.7);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    Fixture f = new Fixture("one view, " + keyType + " key" + (queryType != keyType ? " (" + queryType + " query column)" : "")
        + (created ? ", created column" : "") + (ttl != null ? ", ttl " + ttl : ""), seed);
    f.defs.entity("user", "user_id", keyType).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), created, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), created, 120, false);
    f.parquetFiles("events", "data/events.parquet", columns, Map.of("", rows), "event_ts", created ? "created_ts" : null, Map.of());
    String ts = g.chance(0.3) ? "asked_at" : null;
    f.query(g.queryColumns(List.of(key), ts), g.queryRows(List.of(key), rows, columns, ttl, 100, ts != null));
    f.run(g.chance(0.5), ts, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomCompositeKeys(long seed) {
    Gen g = new Gen(seed);
    KeySpec first = new KeySpec("user_id", g.pick(KEY_TYPES), null, 3);
    KeySpec second = new KeySpec("device", g.pick(KEY_TYPES), null, 3);
    List<KeySpec> keys = List.of(first, second);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    Fixture f = new Fixture("composite key (" + first.keyType() + ", " + second.keyType() + ")", seed);
    f.defs.entity(new Entity("user_device", List.of(new JoinKey("user_id", first.keyType()),
        new JoinKey("device", second.keyType())), Metadata.EMPTY));
    f.defs.view(featureView("usage", "sessions", ttl, FEATURE_COLUMNS, "", "user_device"));
    List<Column> columns = sourceColumns(keys, true, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, keys, true, 120, false);
    f.parquetFiles("sessions", "data/sessions.parquet", columns, Map.of("", rows), "event_ts", "created_ts", Map.of());
    f.query(g.queryColumns(keys, null), g.queryRows(keys, rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("usage", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomSeveralViewsAndEntities(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    Fixture f = new Fixture("several views and entities, two views over one source", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    // three views over txns (by user, by merchant, by both) and one over profiles
    f.defs.view(featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user"));
    f.defs.view(featureView("merchant_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "mt_", "merchant"));
    f.defs.view(featureView("pair_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "pt_", "user", "merchant"));
    f.defs.view(featureView("user_profile", "profiles", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "up_", "user"));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    f.parquetFiles("txns", "data/txns.parquet", txnColumns, Map.of("", txns), "event_ts", "created_ts", Map.of());
    List<Column> profileColumns = sourceColumns(List.of(user), false, FEATURE_COLUMNS);
    List<Object[]> profiles = g.sourceRows(profileColumns, List.of(user), false, 40, false);
    f.parquetFiles("profiles", "data/profiles.parquet", profileColumns, Map.of("", profiles), "event_ts", null, Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    List<String> refs = new ArrayList<>();
    for (String[] view : new String[][] {{"user_txn", "ut_"}, {"merchant_txn", "mt_"}, {"pair_txn", "pt_"}, {"user_profile", "up_"}}) {
      if (refs.isEmpty() || g.chance(0.75)) {
        refs.addAll(Arrays.asList(g.refs(view[0], FEATURE_COLUMNS, view[1])));
      }
    }
    Collections.shuffle(refs, new java.util.Random(seed));
    f.run(g.chance(0.5), null, refs.toArray(String[]::new));
  }

  /**
   * Derived features of two views (one reading another derived feature) and an on-demand view over
   * both with request data from the query rows: requested with or without their inputs, in random
   * order. The reference computes them with the same evaluator from its own join; what this proves
   * is everything around it (hidden inputs, request columns, output order, nulls from misses).
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomDerivedAndOnDemandFeatures(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    Fixture f = new Fixture("derived and on-demand features", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    f.defs.view(featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user")
        .derived("ut_score", "ut_f_float64 * 2 + coalesce(ut_f_int32, 0)")
        .derived("ut_label", "case when ut_f_bool then upper(ut_f_string) else concat(ut_f_string, '!') end")
        .derived("ut_hour", "hour(ut_f_ts)")
        .derived("ut_per_unit", "ut_score / nullif(ut_f_int64, 0)"));
    f.defs.view(featureView("merchant_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "mt_", "merchant")
        .derived("mt_name_length", "length(mt_f_string)"));
    f.defs.onDemandView(new OnDemandView("risk", 1, List.of("user_txn", "merchant_txn"),
        List.of(new RequestField("label", ScalarType.FLOAT64), new RequestField("note", ScalarType.STRING)),
        List.of(new DerivedFeature("label_ratio", "request.label / nullif(user_txn.ut_f_float64, 0)", null, ""),
            new DerivedFeature("note_or_name", "coalesce(request.note, merchant_txn.mt_f_string, 'none')", null, ""),
            new DerivedFeature("combined", "user_txn.ut_score + coalesce(merchant_txn.mt_f_int64, 0)", null, ""),
            new DerivedFeature("flagged", "label_ratio > 1 or contains(note_or_name, '1')", null, "")),
        Metadata.EMPTY));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    // one file, or rows spread over files whose names sort unlike their numbers: exact ties across
    // files go by file order for first, last and last_k (DESIGN §3, "Ties")
    int fileCount = g.between(1, 3);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put(fileCount == 1 ? "" : "part-" + (9 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : txns) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("txns", fileCount == 1 ? "data/txns.parquet" : "data/txns/*.parquet", txnColumns, files, "event_ts",
        "created_ts", Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    List<String> refs = new ArrayList<>(List.of("risk:flagged"));
    for (String candidate : List.of("risk:label_ratio", "risk:note_or_name", "risk:combined", "user_txn:ut_score",
        "user_txn:ut_label", "user_txn:ut_hour", "user_txn:ut_per_unit", "user_txn:ut_f_float64",
        "merchant_txn:mt_name_length", "merchant_txn:mt_f_string", "merchant_txn:mt_f_times")) {
      if (g.chance(0.5)) {
        refs.add(candidate);
      }
    }
    Collections.shuffle(refs, new java.util.Random(seed));
    Result r = f.run(g.chance(0.5), null, refs.toArray(String[]::new));
    assertThat(r.plan().derivation()).isNotNull();
  }

  /**
   * Window aggregates of every function over sawtooth windows (seconds long, so the generated event
   * times straddle their edges) and a lifetime window, beside column features and a second view,
   * compared with the reference.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomWindowAggregates(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    Fixture f = new Fixture("window aggregates", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    Window[] windows = {Window.of(Duration.ofSeconds(10)), Window.of(Duration.ofSeconds(30)), Window.of(Duration.ofSeconds(4)),
        Window.Lifetime.INSTANCE};
    Duration[] hops = {Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(5)};
    ViewBuilder userView = featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user");
    List<String> refs = new ArrayList<>();
    String[][] fns = {{"COUNT", null}, {"COUNT", "f_string"}, {"SUM", "f_int32"}, {"SUM", "f_float64"}, {"AVG", "f_int32"},
        {"MIN", "f_string"}, {"MAX", "f_ts"}, {"FIRST", "f_float64"}, {"LAST", "f_string"}, {"STDDEV", "f_float64"},
        {"VARIANCE", "f_int32"}, {"COUNT_DISTINCT", "f_int32"}, {"APPROX_COUNT_DISTINCT", "f_string"},
        {"LAST_K", "f_int64"}, {"APPROX_PERCENTILE", "f_float64"}};
    for (int i = 0; i < fns.length; i++) {
      int w = g.between(0, windows.length - 1);
      AggregateFunction fn = AggregateFunction.valueOf(fns[i][0]);
      String name = "agg_" + i + "_" + fns[i][0].toLowerCase(java.util.Locale.ROOT);
      userView.aggregate(name, new Aggregation(fn, fns[i][1], windows[w], hops[w], null,
          fn == AggregateFunction.LAST_K ? 3 : 0, fn == AggregateFunction.APPROX_PERCENTILE ? 0.5 : 0));
      refs.add("user_txn:" + name);
    }
    // filtered aggregates: the same evaluator decides which rows count, on every path
    String[][] filtered = {{"COUNT", null, "coalesce(f_int32, 0) > 0"}, {"SUM", "f_float64", "f_float64 > 0 and f_int32 < 50"},
        {"MAX", "f_string", "f_int64 is not null"}};
    for (int i = 0; i < filtered.length; i++) {
      int w = g.between(0, windows.length - 1);
      String name = "filtered_" + i;
      userView.aggregate(name, new Aggregation(AggregateFunction.valueOf(filtered[i][0]), filtered[i][1], windows[w], hops[w],
          filtered[i][2], 0, 0));
      refs.add("user_txn:" + name);
    }
    f.defs.view(userView);
    f.defs.view(featureView("merchant_txn", "txns", null, List.of(new Column("f_int64", ScalarType.INT64)), "mt_", "merchant")
        .aggregate("mt_count", new Aggregation(AggregateFunction.COUNT, null, windows[0], hops[0], null, 0, 0)));
    refs.addAll(List.of("user_txn:ut_f_float64", "merchant_txn:mt_count", "merchant_txn:mt_f_int64"));
    Collections.shuffle(refs, new java.util.Random(seed));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    // one file, or rows spread over files whose names sort unlike their numbers: exact ties across
    // files go by file order for first, last and last_k (DESIGN §3, "Ties")
    int fileCount = g.between(1, 3);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put(fileCount == 1 ? "" : "part-" + (9 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : txns) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("txns", fileCount == 1 ? "data/txns.parquet" : "data/txns/*.parquet", txnColumns, files, "event_ts",
        "created_ts", Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    f.run(g.chance(0.5), null, refs.toArray(String[]::new));
  }

  @Test
  void derivedFeaturesReadTheirInputsWithoutReturningThem() {
    Fixture f = new Fixture("derived feature over an unrequested column", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns")
            .column("amount").derived("amount_x2", "amount * 2").derived("big", "amount_x2 > 15"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(
        new Object[] {1L, at(0), 10.0}, new Object[] {2L, at(100), 5.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
            new Column("paid", ScalarType.FLOAT64)),
        rows(new Object[] {1L, at(50), 4.0}, new Object[] {2L, at(50), 1.0}, new Object[] {2L, at(150), null}));
    Result r = f.run("user_txn:big", "ratio:paid_share", "user_txn:amount_x2");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "paid", "big", "paid_share", "amount_x2");
    assertThat(r.column("big")).containsExactly(true, null, false);
    assertThat(r.column("paid_share")).containsExactly(0.4, null, null);
    assertThat(r.column("amount_x2")).containsExactly(20.0, null, 10.0);
  }

  /**
   * An on-demand view that reads request data alone: requested by itself, the plan joins no view and
   * the engine computes it from the query rows; beside a view's feature, that view's join runs as
   * usual.
   */
  @Test
  void requestOnlyOnDemandFeaturesNeedNoJoin() {
    Fixture f = new Fixture("on-demand view over request data alone", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(OnDemandViewBuilder.named("fee").request("paid", ScalarType.FLOAT64).request("country", ScalarType.STRING)
        .derived("fee", "round(request.paid * 0.029 + 0.3, 2)").derived("foreign", "request.country != 'DE'"));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(
        new Object[] {1L, at(0), 10.0}, new Object[] {2L, at(100), 5.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
            new Column("paid", ScalarType.FLOAT64), new Column("country", ScalarType.STRING)),
        rows(new Object[] {1L, at(50), 10.0, "DE"}, new Object[] {2L, at(50), 100.0, "FR"},
            new Object[] {2L, at(150), null, null}));
    Result alone = f.run("fee:foreign", "fee:fee");
    assertThat(alone.plan().joins()).isEmpty();
    assertThat(alone.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "paid", "country", "foreign", "fee");
    assertThat(alone.column("fee")).containsExactly(0.59, 3.2, null);
    assertThat(alone.column("foreign")).containsExactly(false, true, null);
    Result mixed = f.run("fee:fee", "user_txn:amount");
    assertThat(mixed.plan().joins()).hasSize(1);
    assertThat(mixed.column("amount")).containsExactly(10.0, null, 5.0);
    assertThat(mixed.column("fee")).containsExactly(0.59, 3.2, null);
  }

  @Test
  void rejectsAnOnDemandFeatureWhoseRequestFieldTheQueryLacks() {
    Fixture f = new Fixture("request field missing from the query", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(new Object[] {1L, at(0), 10.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("payd", ScalarType.STRING)), rows(new Object[] {1L, at(50), "4"}));
    assertThatThrownBy(() -> f.run("ratio:paid_share"))
        .hasMessageContaining("request field 'paid'").hasMessageContaining("no column 'paid'").hasMessageContaining("payd");
  }

  @Test
  void rejectsARequestColumnOfAnotherType() {
    Fixture f = new Fixture("request column of another type", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(new Object[] {1L, at(0), 10.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("paid", ScalarType.STRING)), rows(new Object[] {1L, at(50), "4"}));
    assertThatThrownBy(() -> f.run("ratio:paid_share"))
        .hasMessageContaining("query column 'paid' is string").hasMessageContaining("cast the column to float64");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomSourceSpreadOverFiles(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", g.pick(KEY_TYPES), null, 5);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    boolean created = g.chance(0.5);
    int fileCount = g.between(2, 4);
    Fixture f = new Fixture(fileCount + " Parquet files, " + key.keyType() + " key" + (created ? ", created column" : ""), seed);
    f.defs.entity("user", "user_id", key.keyType()).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), created, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), created, 150, false);
    // each row goes to a random file: rows tie across files, and names sort unlike their numbers
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put("part-" + (8 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : rows) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("events", "data/events/*.parquet", columns, files, "event_ts", created ? "created_ts" : null, Map.of());
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomCsvSourceAndQuery(long seed) {
    Gen g = new Gen(seed);
    ScalarType keyType = g.chance(0.5) ? ScalarType.INT64 : ScalarType.STRING;
    KeySpec key = new KeySpec("user_id", keyType, null, 5, true);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    int fileCount = g.between(1, 2);
    Fixture f = new Fixture(fileCount + " CSV file(s), CSV query, " + keyType + " key", seed);
    f.defs.entity("user", "user_id", keyType).view(featureView("user_stats", "events", ttl, CSV_FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), true, CSV_FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, true);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put("part-" + i + ".csv", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : rows) {
      files.get(g.pick(names)).add(row);
    }
    // DuckDB-style type sniffing needs a value of the right type in each column of each file
    for (List<Object[]> file : files.values()) {
      file.addFirst(g.fullRow(columns, List.of(key)));
    }
    f.csvFiles("events", fileCount == 1 ? "data/events/part-0.csv" : "data/events/*.csv", columns, files);
    List<Column> queryColumns = List.of(new Column("user_id", keyType), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("label", ScalarType.INT64));
    List<Object[]> query = new ArrayList<>();
    query.add(new Object[] {g.key(key, 0), BASE, 0L});
    for (Object[] q : g.queryRows(List.of(key), rows, columns, ttl, 100, false)) {
      query.add(new Object[] {q[0], q[1], g.chance(0.1) ? null : (long) g.between(-5, 5)});
    }
    f.csvQuery(queryColumns, query);
    f.run(g.chance(0.5), null, g.refs("user_stats", CSV_FEATURE_COLUMNS, ""));
  }

  /**
   * A CSV source with a column named {@code rowid} (random numbers): an engine that addresses staged
   * rows by a row id must not take the user's column for it.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void csvSourceWithAColumnNamedRowid(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", ScalarType.INT64, null, 5, true);
    Fixture f = new Fixture("CSV source with a rowid column", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(featureView("user_stats", "events", null, CSV_FEATURE_COLUMNS, "", "user"));
    List<Column> columns = new ArrayList<>(sourceColumns(List.of(key), true, CSV_FEATURE_COLUMNS));
    columns.add(new Column("rowid", ScalarType.INT64));
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, true);
    rows.addFirst(g.fullRow(columns, List.of(key)));
    f.csvFiles("events", "data/events/part-0.csv", columns, Map.of("part-0.csv", rows));
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, null, 100, false));
    f.run(false, null, g.refs("user_stats", CSV_FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomRenamedColumns(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", g.pick(KEY_TYPES), null, 5);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    Fixture f = new Fixture("field mapping, " + key.keyType() + " key", seed);
    f.defs.entity("user", "user_id", key.keyType()).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), true, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, false);
    // rename every raw column but one feature column; definitions use the mapped names
    Map<String, String> mapping = new LinkedHashMap<>();
    List<Column> raw = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      if (c.name().equals("f_string")) {
        raw.add(c);
      } else {
        raw.add(new Column("raw_" + i, c.type()));
        mapping.put("raw_" + i, c.name());
      }
    }
    f.parquetFiles("events", "data/events.parquet", raw, Map.of("", rows), "event_ts", "created_ts", mapping);
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }

  // ---- bad requests, rejected before any data is read ------------------------------------------

  @Test
  void rejectsAQueryWithoutATimestampColumn() {
    writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("label", ScalarType.INT32)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("the query rows need a timestamp column")
        .hasMessageContaining("--timestamp-column");
  }

  @Test
  void rejectsQueryColumnsWithReservedNames() {
    for (String reserved : List.of("rowid", "ROWID", "__quiver_qrow")) {
      writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
          new Column(reserved, ScalarType.INT64)));
      assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
          .as(reserved)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("query column '" + reserved + "' uses a name Quiver reserves")
          .hasMessageContaining("rename it");
    }
  }

  @Test
  void rejectsANamedTimestampColumnTheQueryLacks() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stats:amount").withTimestampColumn("evnt_timestamp")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("no column 'evnt_timestamp'")
        .hasMessageContaining("event_timestamp");
  }

  @Test
  void rejectsATimestampColumnThatHoldsNoTimestamps() {
    writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.STRING)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("'event_timestamp' must hold timestamps but is string");
  }

  @Test
  void rejectsAQueryKeyColumnOfAnotherType() {
    writeQuery(List.of(new Column("user_id", ScalarType.STRING), new Column("event_timestamp", ScalarType.TIMESTAMP)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("query column 'user_id' is string but join key 'user_id' of entity 'user' is int64")
        .hasMessageContaining("cast");
  }

  @Test
  void rejectsAQueryWithoutAJoinKeyColumn() {
    writeQuery(List.of(new Column("uid", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("need column 'user_id'")
        .hasMessageContaining("entity 'user'");
  }

  @Test
  void rejectsAnUnknownFeature() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stats:amout")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("has no feature 'amout'")
        .hasMessageContaining("amount");
  }

  @Test
  void rejectsAnUnknownView() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stat:amount")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no feature view 'user_stat'")
        .hasMessageContaining("user_stats");
  }

  @Test
  void rejectsAnUnreadableQueryNamingIt() {
    Path missing = repo.resolve("no-such-query.parquet");
    QueryInput query = new QueryInput.Files(missing.toString(), FileFormat.PARQUET);
    assertThatThrownBy(() -> engine.describe(query, List.of(), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("no-such-query.parquet");
  }

  // ---- the hand-written fixture: user_stats over events -----------------------------------------

  private static final List<Column> EVENT_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64), new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64),
      new Column("country", ScalarType.STRING));

  private static final List<Column> QUERY_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
      new Column("label", ScalarType.INT32));

  /** The time {@code seconds} after {@link #BASE}. */
  private static Instant at(long seconds) {
    return BASE.plusSeconds(seconds);
  }

  /** An events row; null times stay null. */
  private static Object[] event(Integer user, long eventSeconds, Integer createdSeconds, Double amount, String country) {
    return eventAt(user, at(eventSeconds), createdSeconds, amount, country);
  }

  /** An events row at any time; {@code user} is an int64 given as any integer. */
  private static Object[] eventAt(Number user, Instant event, Integer createdSeconds, Double amount, String country) {
    return new Object[] {user == null ? null : user.longValue(), event, createdSeconds == null ? null : at(createdSeconds),
        amount, country};
  }

  private int label;

  /** A query row; labels count up from 0 in creation order. */
  private Object[] query(Integer user, long seconds) {
    return queryAt(user, at(seconds));
  }

  private Object[] queryAt(Integer user, Instant t) {
    return new Object[] {user == null ? null : (long) user, t, label++};
  }

  private static List<Object[]> rows(Object[]... rows) {
    return List.of(rows);
  }

  private Fixture simpleFixture(String name, Duration ttl, List<Object[]> events, List<Object[]> queries) {
    Fixture f = new Fixture(name, 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").ttl(ttl).column("amount").column("country"));
    f.parquetFiles("events", "data/events.parquet", EVENT_COLUMNS, Map.of("", events), "event_ts", "created_ts", Map.of());
    f.query(QUERY_COLUMNS, queries);
    return f;
  }

  /** user_stats (amount, country) over events, with an optional TTL. */
  private Result userStats(Duration ttl, List<Object[]> events, List<Object[]> queries) {
    return simpleFixture(testName, ttl, events, queries)
        .run("user_stats:amount", "user_stats:country");
  }

  // ---- request checks -----------------------------------------------------------------------------

  /** Typed definitions whose source files do not exist: planning must not need them. */
  private static Definitions unreadableDefinitions() {
    FileSource events = new FileSource("events", "no-such-dir/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), Metadata.EMPTY);
    return Definitions.builder("contract")
        .entity("user", "user_id", ScalarType.INT64)
        .source(events)
        .view(ViewBuilder.named("user_stats").entities("user").source("events")
            .feature(new ColumnFeature("amount", "amount", ScalarType.FLOAT64, ""))
            .feature(new ColumnFeature("country", "country", ScalarType.STRING, "")))
        .build();
  }

  private void writeQuery(List<Column> columns) {
    Object[] row = new Object[columns.size()];
    writeTable(repo.resolve("query.parquet"), columns, List.<Object[]>of(row));
  }

  private HistoricalRequest request(String... refs) {
    QueryInput query = new QueryInput.Files(repo.resolve("query.parquet").toString(), FileFormat.PARQUET);
    return HistoricalRequest.ofFeatures(query, Arrays.stream(refs).map(FeatureRef::of).toList());
  }

  private PointInTimePlan planOnly(HistoricalRequest request) {
    Definitions defs = unreadableDefinitions();
    List<FileSource> tables = defs.sources().stream().map(s -> (FileSource) s).toList();
    return PointInTimePlanner.plan(defs, 1, request, engine.describe(request.query(), tables, repo));
  }

  // ---- random data ------------------------------------------------------------------------------

  /**
   * A join key as the generator makes it.
   *
   * @param queryType the query column's type; null for the key's own
   * @param domain how many distinct values the source holds; queries also ask for two more
   * @param csv no values a CSV file cannot tell from null (the empty string)
   */
  private record KeySpec(String name, ScalarType keyType, ScalarType queryType, int domain, boolean csv) {
    KeySpec(String name, ScalarType keyType, ScalarType queryType, int domain) {
      this(name, keyType, queryType, domain, false);
    }

    ScalarType queryColumnType() {
      return queryType == null ? keyType : queryType;
    }

    /** Whether int64 values must fit an int32 query column. */
    boolean narrow() {
      return queryColumnType() == ScalarType.INT32;
    }
  }

  /** The i-th value of a key domain: distinct for distinct i (bool has two). */
  private static Object keyValue(ScalarType type, int i, boolean narrow) {
    return switch (type) {
      case INT32 -> i - 2;
      case INT64 -> narrow ? (long) i - 2 : (i - 2) * 4_294_967_311L; // beyond int32 when it may be
      case STRING -> i == 0 ? "" : i == 1 ? "ключ" : "k" + i; // the empty string is a key, not a null
      case BOOL -> i % 2 == 0;
      case BYTES -> i == 0 ? new byte[0] : new byte[] {(byte) i, 0, (byte) -i};
      default -> throw new IllegalArgumentException("not a key type in these tests: " + type);
    };
  }

  private static List<Column> sourceColumns(List<KeySpec> keys, boolean created, List<Column> features) {
    List<Column> columns = new ArrayList<>();
    keys.forEach(k -> columns.add(new Column(k.name(), k.keyType())));
    columns.add(new Column("event_ts", ScalarType.TIMESTAMP));
    if (created) {
      columns.add(new Column("created_ts", ScalarType.TIMESTAMP));
    }
    columns.addAll(features);
    return columns;
  }

  private static ViewBuilder featureView(String name, String source, Duration ttl, List<Column> features, String prefix,
      String... entities) {
    ViewBuilder v = ViewBuilder.named(name).entities(entities).source(source).ttl(ttl);
    features.forEach(c -> v.column(prefix + c.name(), c.name()));
    return v;
  }

  /** Seeded random data, dense in the edges the semantics care about. */
  private static final class Gen {
    private final SplittableRandom random;

    Gen(long seed) {
      this.random = new SplittableRandom(seed);
    }

    boolean chance(double p) {
      return random.nextDouble() < p;
    }

    int between(int lo, int hi) {
      return random.nextInt(lo, hi + 1);
    }

    <T> T pick(List<T> items) {
      return items.get(random.nextInt(items.size()));
    }

    /** A TTL of a few seconds, sometimes with a microsecond part. */
    Duration ttl() {
      Duration d = Duration.ofSeconds(between(1, 12));
      return chance(0.3) ? d.plus(MICRO.multipliedBy(between(1, 999_999))) : d;
    }

    /** Event times crowd into 40 seconds so they tie often; some are a microsecond apart. */
    Instant eventTime() {
      Instant t = at(between(0, 40));
      return chance(0.2) ? t.plus(MICRO.multipliedBy(between(-1, 1))) : t;
    }

    Instant createdTime() {
      return chance(0.2) ? null : at(between(0, 4));
    }

    Object key(KeySpec k, int i) {
      return k.csv() && k.keyType() == ScalarType.STRING ? "k" + i : keyValue(k.keyType(), i, k.narrow());
    }

    /**
     * Source rows: fresh ones, copies of an earlier row's keys and event time with another created
     * time (created decides), and copies of keys, event and created time (position decides).
     */
    List<Object[]> sourceRows(List<Column> columns, List<KeySpec> keys, boolean created, int count, boolean csv) {
      int event = keys.size();
      List<Object[]> rows = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        Object[] row = new Object[columns.size()];
        if (!rows.isEmpty() && chance(0.35)) {
          Object[] earlier = pick(rows);
          System.arraycopy(earlier, 0, row, 0, event + 1);
          if (created && chance(0.5)) {
            row[event + 1] = createdTime();
          } else if (created) {
            row[event + 1] = earlier[event + 1];
          }
        } else {
          for (int k = 0; k < keys.size(); k++) {
            row[k] = chance(0.05) ? null : key(keys.get(k), random.nextInt(keys.get(k).domain()));
          }
          row[event] = chance(0.05) ? null : eventTime();
          if (created) {
            row[event + 1] = createdTime();
          }
        }
        for (int c = event + (created ? 2 : 1); c < columns.size(); c++) {
          row[c] = chance(0.15) ? null : value(columns.get(c).type(), csv);
        }
        rows.add(row);
      }
      return rows;
    }

    /** A CSV row with a value in every column: keys, then event and created times long ago, then features. */
    Object[] fullRow(List<Column> columns, List<KeySpec> keys) {
      Object[] row = new Object[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        if (c < keys.size()) {
          row[c] = key(keys.get(c), 0);
        } else if (c <= keys.size() + 1) {
          row[c] = at(-100);
        } else {
          row[c] = value(columns.get(c).type(), true);
        }
      }
      return row;
    }

    List<Column> queryColumns(List<KeySpec> keys, String timestampColumn) {
      List<Column> columns = new ArrayList<>();
      keys.forEach(k -> columns.add(new Column(k.name(), k.queryColumnType())));
      columns.add(new Column(timestampColumn == null ? "event_timestamp" : timestampColumn, ScalarType.TIMESTAMP));
      columns.add(new Column("label", ScalarType.FLOAT64));
      columns.add(new Column("note", ScalarType.STRING));
      if (timestampColumn != null) {
        columns.add(new Column("label_ts", ScalarType.TIMESTAMP));
      }
      return columns;
    }

    /**
     * Query rows: keys copied from source rows or drawn from a wider domain (so some are missing),
     * times at, just around, and a TTL away from source event times; nulls; exact duplicates.
     */
    List<Object[]> queryRows(List<KeySpec> keys, List<Object[]> source, List<Column> sourceColumns, Duration ttl,
        int count, boolean extraTimestamp) {
      int event = keys.size();
      List<Object[]> rows = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        if (!rows.isEmpty() && chance(0.1)) {
          rows.add(pick(rows).clone());
          continue;
        }
        Object[] row = new Object[keys.size() + 3 + (extraTimestamp ? 1 : 0)];
        Object[] anchor = pick(source);
        for (int k = 0; k < keys.size(); k++) {
          KeySpec key = keys.get(k);
          Object value = chance(0.6) ? anchor[k] : chance(0.06) ? null : key(key, random.nextInt(key.domain() + 2));
          row[k] = switch (value) {
            case Long l when key.queryColumnType() == ScalarType.INT32 -> l.intValue();
            case Integer i when key.queryColumnType() == ScalarType.INT64 -> (long) i;
            case null, default -> value;
          };
        }
        row[event] = chance(0.08) ? null : queryTime((Instant) anchor[event], ttl);
        row[event + 1] = chance(0.1) ? null : random.nextDouble();
        row[event + 2] = chance(0.1) ? null : "row " + n;
        if (extraTimestamp) {
          row[event + 3] = chance(0.1) ? null : eventTime();
        }
        rows.add(row);
      }
      return rows;
    }

    private Instant queryTime(Instant anchor, Duration ttl) {
      Instant base = anchor == null || chance(0.15) ? at(between(-5, 50)) : anchor;
      Instant t = switch (random.nextInt(4)) {
        case 0 -> base;
        case 1 -> base.plus(MICRO);
        case 2 -> base.minus(MICRO);
        default -> base.plusSeconds(between(0, 5));
      };
      if (ttl != null && chance(0.5)) {
        // the anchor row sits exactly at t - ttl, or a microsecond either side of it
        t = base.plus(ttl).plus(MICRO.multipliedBy(between(-1, 1)));
      }
      return t;
    }

    /** A random value of the type; CSV-safe values only when {@code csv}. */
    Object value(ValueType type, boolean csv) {
      return switch (type) {
        case ScalarType s -> scalar(s, csv);
        case ListType l -> {
          List<Object> list = new ArrayList<>();
          int size = between(0, 3);
          for (int i = 0; i < size; i++) {
            list.add(chance(0.1) ? null : scalar(l.element(), csv));
          }
          yield list;
        }
      };
    }

    private Object scalar(ScalarType type, boolean csv) {
      return switch (type) {
        case INT32 -> chance(0.1) ? pick(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0)) : random.nextInt();
        case INT64 -> chance(0.1) && !csv ? pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L)) : random.nextLong(-1L << 53, 1L << 53);
        case FLOAT32 -> chance(0.1) && !csv ? pick(List.of(Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE))
            : (float) (random.nextDouble() * 200 - 100);
        case FLOAT64 -> chance(0.1) && !csv ? pick(List.of(Double.NaN, -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE))
            : random.nextDouble() * 200 - 100;
        case BOOL -> random.nextBoolean();
        case STRING -> csv ? "s" + random.nextInt(1000)
            : chance(0.3) ? pick(List.of("", "ünïcødé ✓", "it's \"quoted\", with commas", "line\nbreak")) : "s" + random.nextInt(1000);
        case BYTES -> {
          byte[] b = new byte[between(0, 4)];
          random.nextBytes(b);
          yield b;
        }
        case TIMESTAMP -> Instant.EPOCH.plus(MICRO.multipliedBy(
            random.nextLong(-2_208_988_800_000_000L, 4_102_444_800_000_000L))); // 1900 to 2100
      };
    }

    /** Refs to a random non-empty subset of a view's features in random order, or {@code view:*}. */
    String[] refs(String view, List<Column> features, String prefix) {
      if (chance(0.2)) {
        return new String[] {view + ":*"};
      }
      List<String> names = new ArrayList<>();
      features.forEach(c -> names.add(prefix + c.name()));
      Collections.shuffle(names, new java.util.Random(random.nextLong()));
      return names.subList(0, between(1, names.size())).stream().map(n -> view + ":" + n).toArray(String[]::new);
    }
  }

  // ---- running a case -----------------------------------------------------------------------------

  /** A training set: its plan and rows (the reference's, which the engine matched). */
  private record Result(PointInTimePlan plan, List<Object[]> rows) {
    List<Object> column(String name) {
      int i = plan.columns().stream().map(Column::name).toList().indexOf(name);
      assertThat(i).as("column %s in %s", name, plan.columns()).isNotNegative();
      return rows.stream().map(r -> r[i]).toList();
    }
  }

  /** One case being built: definitions, source files, query rows. */
  private final class Fixture {
    final String name;
    final long seed;
    final Definitions.Builder defs = Definitions.builder("contract");
    private final Map<String, List<Column>> schemas = new HashMap<>();
    private final Map<String, Table> sourceRows = new HashMap<>();
    private Table query;
    private QueryInput queryInput;

    Fixture(String name, long seed) {
      this.name = name;
      this.seed = seed;
    }

    /**
     * Writes a Parquet source: one file per entry (a file name under the glob's directory, or ""
     * for the path itself) and defines it.
     */
    void parquetFiles(String source, String path, List<Column> columns, Map<String, List<Object[]>> files,
        String timestamp, String created, Map<String, String> mapping) {
      List<Object[]> inOrder = new ArrayList<>();
      for (var file : sortedByName(files).entrySet()) {
        Path p = file.getKey().isEmpty() ? repo.resolve(path) : repo.resolve(path).resolveSibling(file.getKey());
        createParent(p);
        writeTable(p, columns, file.getValue());
        inOrder.addAll(file.getValue());
      }
      define(source, path, FileFormat.PARQUET, columns, inOrder, timestamp, created, mapping);
    }

    /** Writes a CSV source, one file per entry, with event_ts and created_ts columns. */
    void csvFiles(String source, String path, List<Column> columns, Map<String, List<Object[]>> files) {
      List<Object[]> inOrder = new ArrayList<>();
      for (var file : sortedByName(files).entrySet()) {
        Path p = repo.resolve(path).resolveSibling(file.getKey());
        createParent(p);
        writeCsv(p, columns, file.getValue());
        inOrder.addAll(file.getValue());
      }
      define(source, path, FileFormat.CSV, columns, inOrder, "event_ts", "created_ts", Map.of());
    }

    private void define(String source, String path, FileFormat format, List<Column> columns, List<Object[]> rows,
        String timestamp, String created, Map<String, String> mapping) {
      defs.source(new FileSource(source, path, format, timestamp, created, mapping, Metadata.EMPTY));
      schemas.put(source, columns);
      sourceRows.put(source, new Table(columns.stream().map(Column::name).toList(), rows));
    }

    void query(List<Column> columns, List<Object[]> rows) {
      Path p = repo.resolve("query.parquet");
      writeTable(p, columns, rows);
      queryInput = new QueryInput.Files(p.toString(), FileFormat.PARQUET);
      query = new Table(columns.stream().map(Column::name).toList(), rows);
    }

    /** Query rows from SQL over the sources; {@code rows} are what the SQL returns, in order. */
    void sqlQuery(String sql, List<String> columns, List<Object[]> rows) {
      queryInput = new QueryInput.Sql(sql);
      query = new Table(columns, rows);
    }

    void csvQuery(List<Column> columns, List<Object[]> rows) {
      Path p = repo.resolve("query.csv");
      writeCsv(p, columns, rows);
      queryInput = new QueryInput.Files(p.toString(), FileFormat.CSV);
      query = new Table(columns.stream().map(Column::name).toList(), rows);
    }

    Result run(String... refs) {
      return run(false, null, refs);
    }

    /**
     * Plans the request, runs the engine both ways and compares each with the reference.
     *
     * @param timestampColumn the request's timestamp column, or null for the default
     */
    Result run(boolean fullFeatureNames, String timestampColumn, String... refs) {
      Definitions typed = new DefinitionValidator(
          (source, root) -> schemas.get(source.name()).stream()
              .map(c -> new SourceColumn(c.name(), c.type(), c.type().spelling())).toList(),
          repo).validate(defs.build(), Origins.none(), Set.of());
      HistoricalRequest request = new HistoricalRequest(queryInput, Arrays.stream(refs).map(FeatureRef::of).toList(),
          null, 0, fullFeatureNames, timestampColumn);
      List<FileSource> tables = typed.sources().stream().map(s -> (FileSource) s).toList();
      PointInTimePlan plan = PointInTimePlanner.plan(typed, 1, request, engine.describe(queryInput, tables, repo));
      List<Object[]> expected = NaivePointInTime.join(plan, query, sourceRows);

      List<Object[]> streamed;
      try (HistoricalRows rows = engine.rows(plan, repo)) {
        assertColumns(plan, rows.columns(), "rows()");
        streamed = drain(rows);
      }
      compare(plan, expected, streamed, "rows()");
      List<Object[]> arrow = arrowRows(engine, plan, repo);
      if (arrow != null) {
        assertThat(arrow).as("%s: rows", header("arrowRows()")).hasSameSizeAs(expected);
        compare(plan, expected, arrow, "arrowRows()");
      }

      Path out = repo.resolve("out").resolve("training.parquet");
      createParent(out);
      long written = engine.write(plan, repo, out, FileFormat.PARQUET, pct -> {});
      assertThat(written).as("%s: the row count write() returns", header("write()")).isEqualTo(expected.size());
      List<Object[]> readBack;
      try (HistoricalRows rows = engine.read(out, FileFormat.PARQUET)) {
        assertColumns(plan, rows.columns(), "write() then read()");
        readBack = drain(rows);
      }
      compare(plan, expected, readBack, "write() then read()");
      return new Result(plan, expected);
    }

    private void assertColumns(PointInTimePlan plan, List<Column> actual, String path) {
      assertThat(actual.stream().map(Column::name).toList()).as("%s: column names", header(path))
          .isEqualTo(plan.columns().stream().map(Column::name).toList());
    }

    private String header(String path) {
      return "[" + testName + ": " + name + (seed != 0 ? ", seed " + seed + " (rerun with -Dquiver.contract.seed=" + seed + ")" : "")
          + ", via " + path + "]";
    }

    private void compare(PointInTimePlan plan, List<Object[]> expected, List<Object[]> actual, String path) {
      List<Column> columns = plan.columns();
      for (int r = 0; r < Math.min(expected.size(), actual.size()); r++) {
        for (int c = 0; c < columns.size(); c++) {
          Object e = expected.get(r)[c];
          Object a = c < actual.get(r).length ? actual.get(r)[c] : "<missing>";
          if (!same(e, a)) {
            throw new AssertionError(header(path) + " row " + r + " of " + expected.size() + ", column '"
                + columns.get(c).name() + "': expected " + show(e) + " but the engine gave " + show(a)
                + "\n  query row: " + showRow(query.columns(), query.rows().get(r))
                + explain(plan, r));
          }
        }
      }
      if (expected.size() != actual.size()) {
        throw new AssertionError(header(path) + " expected " + expected.size() + " rows but the engine gave " + actual.size());
      }
    }

    /** The source rows competing for query row r, per join, and the one the reference picks. */
    private String explain(PointInTimePlan plan, int r) {
      StringBuilder s = new StringBuilder();
      Object[] queryRow = query.rows().get(r);
      Instant t = (Instant) queryRow[query.column(plan.timestampColumn())];
      for (ViewJoin join : plan.joins()) {
        Table source = sourceRows.get(join.source().name());
        int picked = NaivePointInTime.pick(join, query, queryRow, t, source);
        s.append("\n  ").append(join.view()).append(" (source ").append(join.source().name())
            .append(join.ttl() == null ? "" : ", ttl " + join.ttl()).append("): reference picks ")
            .append(picked < 0 ? "no row" : "position " + picked).append("; rows with these keys:");
        int matching = 0;
        for (int p = 0; p < source.rows().size(); p++) {
          if (NaivePointInTime.sameKeys(join, query, queryRow, source, source.rows().get(p)) && (++matching <= 20 || p == picked)) {
            s.append("\n    ").append(p == picked ? "* " : "  ").append(p).append(": ")
                .append(showRow(source.columns(), source.rows().get(p)));
          }
        }
        if (matching > 20) {
          s.append("\n    (").append(matching).append(" rows with these keys in all)");
        }
      }
      return s.toString();
    }
  }

  private static Map<String, List<Object[]>> sortedByName(Map<String, List<Object[]>> files) {
    return new java.util.TreeMap<>(files);
  }

  private static void createParent(Path file) {
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Object[]> drain(HistoricalRows rows) {
    List<Object[]> all = new ArrayList<>();
    rows.forEachRemaining(all::add);
    return all;
  }

  /** Equal values of equal Java types; bytes by content, floats by bits (NaN equals NaN, -0.0 is not 0.0). */
  private static boolean same(Object expected, Object actual) {
    if (expected == null || actual == null) {
      return expected == actual;
    }
    if (expected instanceof byte[] e) {
      return actual instanceof byte[] a && Arrays.equals(e, a);
    }
    if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a) || a.size() != e.size()) {
        return false;
      }
      for (int i = 0; i < e.size(); i++) {
        if (!same(e.get(i), a.get(i))) {
          return false;
        }
      }
      return true;
    }
    return expected.getClass() == actual.getClass() && expected.equals(actual);
  }

  private static String show(Object v) {
    return switch (v) {
      case null -> "null";
      case byte[] b -> "0x" + HexFormat.of().formatHex(b) + " (bytes)";
      case List<?> l -> l.stream().map(OfflineEngineContract::show).toList() + " (List)";
      case String s -> '"' + s.replace("\n", "\\n") + "\" (String)";
      default -> v + " (" + v.getClass().getSimpleName() + ")";
    };
  }

  private static String showRow(List<String> columns, Object[] row) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < columns.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(columns.get(i)).append('=').append(switch (row[i]) {
        case null -> "null";
        case byte[] b -> "0x" + HexFormat.of().formatHex(b);
        case String str -> '"' + str.replace("\n", "\\n") + '"';
        default -> row[i].toString();
      });
    }
    return s.append('}').toString();
  }

  // ---- CSV, written by hand ----------------------------------------------------------------------

  private static final DateTimeFormatter CSV_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /** A header line, then one line per row; null is an empty field; timestamps in UTC. */
  private static void writeCsv(Path file, List<Column> columns, List<Object[]> rows) {
    StringBuilder csv = new StringBuilder();
    csv.append(String.join(",", columns.stream().map(Column::name).toList())).append('\n');
    for (Object[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        csv.append(i == 0 ? "" : ",").append(switch (row[i]) {
          case null -> "";
          case Instant t -> CSV_TIME.format(t);
          case String s -> '"' + s.replace("\"", "\"\"") + '"';
          default -> Objects.toString(row[i]);
        });
      }
      csv.append('\n');
    }
    try {
      Files.writeString(file, csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
