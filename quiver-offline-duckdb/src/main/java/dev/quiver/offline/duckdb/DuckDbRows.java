package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/** A training set streamed from a DuckDB result set; owns (and closes) the connection. */
final class DuckDbRows implements HistoricalRows {
  private final Connection connection;
  private final Statement statement;
  private final ResultSet rows;
  private final List<Column> columns;
  private Boolean hasNext;

  DuckDbRows(Connection connection, List<Column> columns, String select) throws SQLException {
    this.connection = connection;
    this.columns = List.copyOf(columns);
    this.statement = connection.createStatement();
    this.statement.setFetchSize(2048);
    this.rows = statement.executeQuery(wrap(connection, select, columns));
  }

  /**
   * Hands timestamps over in forms JDBC reads exactly, whatever the JVM's time zone: lists as epoch
   * microseconds, and {@code TIMESTAMP WITH TIME ZONE} values as UTC {@code TIMESTAMP}s (the
   * connection's zone is UTC). DuckDB's driver turns a zoned value into an {@code OffsetDateTime} or
   * {@code java.sql.Timestamp} through the JVM's default zone with the wrong offset near
   * daylight-saving changes (an hour off in New York on 2026-03-08 and 2026-11-01).
   */
  static String wrap(Connection connection, String select, List<Column> columns) throws SQLException {
    java.util.Set<String> zoned = new java.util.HashSet<>();
    if (columns.stream().anyMatch(c -> c.type() == ScalarType.TIMESTAMP)) {
      for (var c : DuckDbSchemaReader.describe(connection, "(" + select + ")")) {
        if (c.nativeType().toUpperCase(java.util.Locale.ROOT).equals("TIMESTAMP WITH TIME ZONE")) {
          zoned.add(c.name());
        }
      }
    }
    StringBuilder replace = new StringBuilder();
    for (Column c : columns) {
      String id = Scans.id(c.name());
      if (c.type() instanceof ListType l && l.element() == ScalarType.TIMESTAMP) {
        replace.append(replace.isEmpty() ? "" : ", ")
            .append("list_transform(").append(id).append(", lambda x: epoch_us(x)) AS ").append(id);
      } else if (c.type() == ScalarType.TIMESTAMP && zoned.contains(c.name())) {
        replace.append(replace.isEmpty() ? "" : ", ").append("CAST(").append(id).append(" AS TIMESTAMP) AS ").append(id);
      }
    }
    return replace.isEmpty() ? select : "SELECT * REPLACE (" + replace + ") FROM (" + select + ")";
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public boolean hasNext() {
    if (hasNext == null) {
      try {
        hasNext = rows.next();
      } catch (SQLException e) {
        throw new QuiverException("reading the training set failed: " + DuckDbSchemaReader.reason(e.getMessage()), e);
      }
    }
    return hasNext;
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    hasNext = null;
    Object[] row = new Object[columns.size()];
    try {
      for (int i = 0; i < row.length; i++) {
        row[i] = value(rows, i + 1, columns.get(i).type());
      }
    } catch (SQLException e) {
      throw new QuiverException("reading the training set failed: " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
    return row;
  }

  /** A JDBC value as the Java type {@link HistoricalRows} promises for the Quiver type. */
  static Object value(ResultSet rs, int index, ValueType type) throws SQLException {
    Object raw = rs.getObject(index);
    if (raw == null || type == null) {
      return raw;
    }
    if (type == ScalarType.TIMESTAMP && raw instanceof Timestamp) {
      // A java.sql.Timestamp passes through the JVM's default zone and shifts times that fall in its
      // daylight-saving gaps by an hour; the wall-clock value of a TIMESTAMP is UTC.
      return rs.getObject(index, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
    return switch (type) {
      case ScalarType s -> scalar(raw, s);
      case ListType l -> {
        Object[] items = raw instanceof Array a ? (Object[]) a.getArray() : (Object[]) raw;
        // timestamp lists arrive as epoch microseconds (see wrap): java.sql.Timestamp elements would
        // pass through the JVM's default zone
        yield Arrays.stream(items).map(x -> x == null ? null
            : l.element() == ScalarType.TIMESTAMP ? Timestamps.ofMicros(((Number) x).longValue()) : scalar(x, l.element())).toList();
      }
    };
  }

  static Object scalar(Object raw, ScalarType type) {
    return switch (type) {
      case INT32 -> ((Number) raw).intValue();
      case INT64 -> ((Number) raw).longValue();
      case FLOAT32 -> ((Number) raw).floatValue();
      case FLOAT64 -> ((Number) raw).doubleValue();
      case BOOL -> (Boolean) raw;
      case STRING -> raw.toString();
      case BYTES -> raw instanceof java.sql.Blob b ? blob(b) : (byte[]) raw;
      case TIMESTAMP -> switch (raw) {
        case Timestamp t -> t.toLocalDateTime().toInstant(ZoneOffset.UTC);
        case LocalDateTime l -> l.toInstant(ZoneOffset.UTC);
        case OffsetDateTime o -> o.toInstant();
        case java.time.LocalDate d -> d.atStartOfDay().toInstant(ZoneOffset.UTC);
        case java.sql.Date d -> d.toLocalDate().atStartOfDay().toInstant(ZoneOffset.UTC);
        default -> throw new IllegalStateException("unexpected timestamp value " + raw.getClass());
      };
    };
  }

  private static byte[] blob(java.sql.Blob b) {
    try {
      return b.getBytes(1, (int) b.length());
    } catch (SQLException e) {
      throw new QuiverException("reading a bytes value failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try (connection; statement; rows) {
      // closed in reverse order by try-with-resources
    } catch (SQLException e) {
      throw new QuiverException("closing the training set failed: " + e.getMessage(), e);
    }
  }
}
