package dev.quiver.testkit;

import static dev.quiver.testkit.RandomTrainingData.KEY_TYPES;
import static dev.quiver.testkit.RandomTrainingData.keyValue;
import static dev.quiver.testkit.TrainingSetRows.EVENT_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.at;
import static dev.quiver.testkit.TrainingSetRows.event;
import static dev.quiver.testkit.TrainingSetRows.eventAt;
import static dev.quiver.testkit.TrainingSetRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.Entity;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.testkit.TrainingSetFixture.Result;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Join keys and views: hand-written cases over keys of every scalar type, every pair of types in a
 * composite key (negative numbers, empty strings and empty bytes among the values, null in either
 * part never matching), an int32 query column joining an int64 key by value, and several views of
 * different entities, two of them over one source with different TTLs. Each case is also compared
 * cell by cell with {@link NaivePointInTime}.
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer; its writer must write every key type (int32, int64, string, bool, bytes).
 */
public interface JoinKeyContract extends OfflineContractPart {
  @Test
  default void semanticsInt32QueryColumnJoinsInt64KeyByValue() {
    TrainingSetFixture f = fixture("int32 query column, int64 key", 0);
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
  default void semanticsKeysOfEveryScalarType(ScalarType type) {
    TrainingSetFixture f = fixture("key type " + type, 0);
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
  @MethodSource("dev.quiver.testkit.JoinKeyContract#keyTypePairs")
  default void semanticsCompositeKeysOfEveryTypePair(ScalarType first, ScalarType second) {
    TrainingSetFixture f = fixture("composite key (" + first + ", " + second + ")", 0);
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
  default void semanticsCompositeKeysMatchOnEveryKey() {
    TrainingSetFixture f = fixture("composite keys", 0);
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
  default void semanticsViewsWithDifferentEntitiesAndASharedSource() {
    TrainingSetFixture f = fixture("several views", 0);
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
}
