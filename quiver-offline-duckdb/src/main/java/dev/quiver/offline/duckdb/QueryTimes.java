package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.spi.SourceColumn;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Query rows whose timestamps are zoned nanoseconds ({@code TIMESTAMPTZ_NS}: what pandas'
 * {@code to_parquet} writes for a {@code datetime64[ns, UTC]} column). DuckDB casts every other
 * timestamp type to {@code TIMESTAMP} but not this one, so the query table's such columns become
 * zoned microseconds ({@code TIMESTAMPTZ}, the same instant rounded to the microsecond as DuckDB
 * rounds {@code TIMESTAMP_NS}) right after the table is created, before any step reads them.
 */
final class QueryTimes {
  private QueryTimes() {}

  /** The step that converts {@code table}'s zoned-nanosecond columns; does nothing when there are none. */
  static Step step(String table) {
    return new Step.Java("zoned nanosecond timestamps in the query rows (" + table + ") become zoned microseconds",
        (c, progress) -> convert(c, table));
  }

  private static void convert(Connection c, String table) throws SQLException {
    for (SourceColumn column : DuckDbSchemaReader.describe(c, table)) {
      if (zonedNanos(column.nativeType())) {
        try (Statement s = c.createStatement()) {
          s.execute("ALTER TABLE " + table + " ALTER COLUMN " + id(column.name()) + " SET DATA TYPE TIMESTAMPTZ");
        }
      }
    }
  }

  static boolean zonedNanos(String nativeType) {
    String t = nativeType.toUpperCase(Locale.ROOT);
    return t.equals("TIMESTAMPTZ_NS") || t.equals("TIMESTAMP_NS WITH TIME ZONE");
  }
}
