package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The rule for infinite times (DuckDB's {@code TIMESTAMP 'infinity'} and {@code '-infinity'}): they
 * are not times, and Quiver refuses them rather than guess. A source row whose event or created time
 * is infinite fails what reads the source (the materialization of its views, the training sets
 * joining it) with a {@link SourceDataException} naming the source, the column, the file and the row;
 * query rows with an infinite timestamp fail the training set as a request error. Materialization and
 * training sets apply the same check, so they never disagree about such a row.
 *
 * <p>The checks are an {@code IN} filter on the time columns, which DuckDB answers from the Parquet
 * row groups' statistics (milliseconds for 10M rows) unless a row group holds an infinite time.
 */
final class FiniteTimes {
  private static final String INFINITE = " IN ('infinity'::TIMESTAMP, '-infinity'::TIMESTAMP)";

  private FiniteTimes() {}

  /** A step that fails when a row of the scanned source has an infinite event or created time. */
  static Step.Java sourceStep(SourceScan scan) {
    return new Step.Java("check: no infinite event or created time in source '" + scan.source.name() + "'",
        (c, progress) -> requireFinite(c, scan));
  }

  /** Fails when a row of the scanned source has an infinite event or created time. */
  static void requireFinite(Connection c, SourceScan scan) throws SQLException {
    String file = scan.byFile ? "filename" : "NULL";
    String created = scan.createdColumn == null ? "NULL::TIMESTAMP" : scan.created();
    String where = scan.event() + INFINITE + (scan.createdColumn == null ? "" : " OR " + created + INFINITE);
    String sql = "SELECT " + file + ", " + scan.position + "::BIGINT, CAST(" + scan.event() + " AS VARCHAR), CAST(" + created
        + " AS VARCHAR) FROM " + scan.relation + " WHERE " + where + " LIMIT 1";
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        return;
      }
      boolean eventInfinite = rs.getString(3) != null && rs.getString(3).contains("infinity");
      String column = scan.source.rawColumn(eventInfinite ? scan.source.timestampColumn() : scan.source.createdColumn());
      String value = eventInfinite ? rs.getString(3) : rs.getString(4);
      String fileName = rs.getString(1) != null ? SourceFiles.display(Path.of(rs.getString(1)), scan.repoRoot)
          : scan.files.size() == 1 ? SourceFiles.display(scan.files.get(0), scan.repoRoot) : scan.source.path();
      long row = rs.getLong(2) + 1;
      throw new SourceDataException(scan.source.name(), fileName, "source '" + scan.source.name() + "' has an infinite "
          + (eventInfinite ? "event" : "created") + " time (" + column + " = " + value + ") in " + fileName + ", row " + row
          + ": Quiver needs finite times; fix or remove such rows (a null " + (eventInfinite ? "event time skips the row" : "created time counts as oldest")
          + ")");
    }
  }

  /** A step that fails when a query row's timestamp is infinite. */
  static Step.Java queryStep(String table, String timestampColumn) {
    return new Step.Java("check: no infinite timestamp in the query rows' column " + timestampColumn,
        (c, progress) -> requireFiniteQuery(c, table, timestampColumn));
  }

  private static void requireFiniteQuery(Connection c, String table, String timestampColumn) throws SQLException {
    String t = "CAST(" + id(timestampColumn) + " AS TIMESTAMP)";
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*), min(rowid) FROM " + table + " WHERE " + t + INFINITE)) {
      rs.next();
      long count = rs.getLong(1);
      if (count > 0) {
        throw new InvalidRequestException(String.format(java.util.Locale.ROOT,
            "%,d query %s an infinite timestamp in column '%s' (the first is row %,d): a point-in-time lookup needs a finite"
                + " time; remove them or give finite times (in --query-sql: WHERE isfinite(%s))",
            count, count == 1 ? "row has" : "rows have", timestampColumn, rs.getLong(2) + 1, id(timestampColumn)));
      }
    }
  }
}
