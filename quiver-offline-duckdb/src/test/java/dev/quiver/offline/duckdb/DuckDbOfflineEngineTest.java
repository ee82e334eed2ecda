package dev.quiver.offline.duckdb;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.OfflineEngineContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

/**
 * The DuckDB engine against the offline contract. Test tables are written the way users' files
 * usually are: a DuckDB table with the Quiver types' natural DuckDB types, filled with an appender,
 * copied to Parquet.
 */
class DuckDbOfflineEngineTest extends OfflineEngineContract {

  @Override
  protected OfflineEngine engine() {
    return new DuckDbEngineProvider().open(Map.of());
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    StringBuilder create = new StringBuilder("CREATE TABLE t (");
    for (int i = 0; i < columns.size(); i++) {
      create.append(i == 0 ? "" : ", ").append(Scans.id(columns.get(i).name())).append(' ').append(duckDbType(columns.get(i).type()));
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(create.append(')').toString());
      try (DuckDBAppender appender = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
        for (Object[] row : rows) {
          appender.beginRow();
          for (Object value : row) {
            append(appender, value);
          }
          appender.endRow();
        }
      }
      s.execute("COPY t TO " + Scans.literal(file.toString()) + " (FORMAT parquet)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String duckDbType(ValueType type) {
    return switch (type) {
      case ListType l -> duckDbType(l.element()) + "[]";
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

  private static void append(DuckDBAppender appender, Object value) throws SQLException {
    switch (value) {
      case null -> appender.appendNull();
      case Integer i -> appender.append(i);
      case Long l -> appender.append(l);
      case Float f -> appender.append(f);
      case Double d -> appender.append(d);
      case Boolean b -> appender.append(b);
      case String s -> appender.append(s);
      case byte[] b -> appender.append(b);
      case Instant t -> appender.appendEpochMicros(micros(t));
      case List<?> list -> {
        List<Object> items = new ArrayList<>();
        list.forEach(x -> items.add(x instanceof Instant t ? LocalDateTime.ofInstant(t, ZoneOffset.UTC) : x));
        appender.append(items);
      }
      default -> throw new IllegalArgumentException("no DuckDB type for " + value.getClass());
    }
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }
}
