package dev.quiver.testkit;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The rows the offline contract's cases are made of: times near {@link #BASE}, and the hand-written
 * cases' tables (an {@code events} source for a {@code user_stats} view, and query rows for it).
 */
final class TrainingSetRows {
  /** The time every generated timestamp is near. */
  static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
  static final Duration MICRO = Duration.ofNanos(1_000);
  static final ValueType FLOAT32_LIST = new ListType(ScalarType.FLOAT32);
  static final ValueType INT64_LIST = new ListType(ScalarType.INT64);
  static final ValueType STRING_LIST = new ListType(ScalarType.STRING);
  static final ValueType TIMESTAMP_LIST = new ListType(ScalarType.TIMESTAMP);

  /** The hand-written source: user_id, event_ts, created_ts, amount, country. */
  static final List<Column> EVENT_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64), new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64),
      new Column("country", ScalarType.STRING));

  /** The hand-written query rows: user_id, event_timestamp, label. */
  static final List<Column> QUERY_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
      new Column("label", ScalarType.INT32));

  private TrainingSetRows() {}

  /** The time {@code seconds} after {@link #BASE}. */
  static Instant at(long seconds) {
    return BASE.plusSeconds(seconds);
  }

  /** An events row; null times stay null. */
  static Object[] event(Integer user, long eventSeconds, Integer createdSeconds, Double amount, String country) {
    return eventAt(user, at(eventSeconds), createdSeconds, amount, country);
  }

  /** An events row at any time; {@code user} is an int64 given as any integer. */
  static Object[] eventAt(Number user, Instant event, Integer createdSeconds, Double amount, String country) {
    return new Object[] {user == null ? null : user.longValue(), event, createdSeconds == null ? null : at(createdSeconds),
        amount, country};
  }

  static List<Object[]> rows(Object[]... rows) {
    return List.of(rows);
  }
}
