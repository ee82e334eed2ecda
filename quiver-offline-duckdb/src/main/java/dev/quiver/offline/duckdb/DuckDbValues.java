package dev.quiver.offline.duckdb;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBAppender;

/** Quiver values going into DuckDB: the column type of each value type, and appending a Java value. */
final class DuckDbValues {
  private DuckDbValues() {}

  /** The DuckDB column type that holds a Quiver type exactly. */
  static String type(ValueType type) {
    return switch (type) {
      case ListType l -> type(l.element()) + "[]";
      case ScalarType s -> switch (s) {
        case INT32 -> "INTEGER";
        case INT64 -> "BIGINT";
        case FLOAT32 -> "FLOAT";
        case FLOAT64 -> "DOUBLE";
        case BOOL -> "BOOLEAN";
        case STRING -> "VARCHAR";
        case BYTES -> "BLOB";
        case TIMESTAMP -> "TIMESTAMP";
      };
    };
  }

  /** Appends one value, given as {@link dev.quiver.core.offline.HistoricalRows} carries it, to the current row. */
  static void append(DuckDBAppender appender, Object value) throws SQLException {
    switch (value) {
      case null -> appender.appendNull();
      case Integer i -> appender.append(i);
      case Long l -> appender.append(l);
      case Float f -> appender.append(f);
      case Double d -> appender.append(d);
      case Boolean b -> appender.append(b);
      case String s -> appender.append(s);
      case byte[] b -> appender.append(b);
      case Instant t -> appender.appendEpochMicros(Timestamps.toMicros(t));
      case List<?> list -> {
        List<Object> items = new ArrayList<>(list.size());
        list.forEach(x -> items.add(x instanceof Instant t ? LocalDateTime.ofInstant(t, ZoneOffset.UTC) : x));
        appender.append(items);
      }
      default -> throw new IllegalStateException("no DuckDB type for " + value.getClass());
    }
  }
}
