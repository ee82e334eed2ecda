package dev.quiver.offline.duckdb;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes uploaded query rows to a Parquet file: from rows, a temporary table with the columns' DuckDB
 * types filled through DuckDB's appender (row by row, so memory stays bounded: DuckDB spills to its
 * temp directory); from an Arrow stream, a select over the registered stream ({@link #writeArrow});
 * either copied to Parquet beside the target and moved into place. Timestamps are written as {@code
 * TIMESTAMP WITH TIME ZONE} (UTC-adjusted microseconds).
 */
final class QueryRowsFile {
  private QueryRowsFile() {}

  static long write(Connection c, Path out, List<PointInTimePlan.Column> columns, Iterator<Object[]> rows) throws SQLException {
    StringBuilder create = new StringBuilder("CREATE TEMP TABLE quiver_query_rows (");
    for (int i = 0; i < columns.size(); i++) {
      PointInTimePlan.Column col = columns.get(i);
      create.append(i == 0 ? "" : ", ").append(Scans.id(col.name())).append(' ').append(type(col));
    }
    try (Statement s = c.createStatement()) {
      s.execute(create.append(')').toString());
    }
    long n = 0;
    try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender("temp", "main", "quiver_query_rows")) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        a.beginRow();
        for (int i = 0; i < columns.size(); i++) {
          append(a, row[i], columns.get(i), n);
        }
        a.endRow();
        n++;
      }
    }
    copy(c, "quiver_query_rows", out);
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE quiver_query_rows");
    }
    return n;
  }

  /**
   * Writes the rows of an Arrow C stream ({@code org.apache.arrow.c.ArrowArrayStream}) to the same
   * file as {@link #write}: DuckDB scans the registered stream column-wise and casts each column to
   * its Quiver type's DuckDB type in one {@code COPY}, keeping the stream's row order ({@code
   * preserve_insertion_order}). Columns of the stream not in {@code columns} are left out. The
   * connection's time zone must be UTC (timestamps without a zone and dates are UTC); nanosecond
   * timestamps should come without a zone (DuckDB rounds zoned ones to the microsecond on import).
   */
  static long writeArrow(Connection c, Path out, List<PointInTimePlan.Column> columns, Object arrowStream) throws SQLException {
    String view = "quiver_uploaded_rows";
    c.unwrap(DuckDBConnection.class).registerArrowStream(view, arrowStream);
    StringBuilder select = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      String id = Scans.id(columns.get(i).name());
      String type = type(columns.get(i));
      select.append(i == 0 ? "" : ", ");
      if (columns.get(i).type() == ScalarType.TIMESTAMP) {
        // nanoseconds cut to the microsecond below (as the row path does), not rounded as a cast rounds
        String ns = "epoch_ns(" + id + ")";
        select.append("CASE WHEN typeof(").append(id).append(") = 'TIMESTAMP_NS' THEN CAST(make_timestamp((").append(ns)
            .append(" - ((").append(ns).append(" % 1000) + 1000) % 1000) // 1000) AS ").append(type).append(") ELSE CAST(")
            .append(id).append(" AS ").append(type).append(") END");
      } else {
        select.append("CAST(").append(id).append(" AS ").append(type).append(')');
      }
      select.append(" AS ").append(id);
    }
    return copy(c, "(" + select.append(" FROM ").append(view).append(')'), out);
  }

  /** Copies {@code relation} (a table, or a parenthesised select) to Parquet beside {@code out}, then moves it into place. */
  private static long copy(Connection c, String relation, Path out) throws SQLException {
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    long n = -1;
    try (Statement s = c.createStatement()) {
      if (s.execute("COPY " + relation + " TO " + Scans.literal(tmp.toString()) + " (FORMAT parquet, COMPRESSION zstd)")) {
        try (java.sql.ResultSet r = s.getResultSet()) {
          n = r.next() ? r.getLong(1) : -1; // DuckDB answers a COPY with the number of rows copied
        }
      } else {
        n = s.getUpdateCount();
      }
    }
    try {
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new QuiverException("could not write the query rows to " + out + ": " + e.getMessage(), e);
    }
    return n;
  }

  private static String type(PointInTimePlan.Column col) {
    if (!(col.type() instanceof ScalarType t)) {
      throw new InvalidRequestException("query column '" + col.name() + "' is a " + col.type().spelling()
          + "; query rows carry keys, a timestamp and labels of scalar types (" + dev.quiver.core.model.ValueType.spellings()
          + " without lists): drop it or turn it into a scalar");
    }
    return switch (t) {
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT32 -> "FLOAT";
      case FLOAT64 -> "DOUBLE";
      case BOOL -> "BOOLEAN";
      case STRING -> "VARCHAR";
      case BYTES -> "BLOB";
      case TIMESTAMP -> "TIMESTAMP WITH TIME ZONE";
    };
  }

  private static void append(DuckDBAppender a, Object v, PointInTimePlan.Column col, long row) throws SQLException {
    if (v == null) {
      a.appendNull();
      return;
    }
    try {
      switch ((ScalarType) col.type()) {
        case INT32 -> a.append(((Number) v).intValue());
        case INT64 -> a.append(((Number) v).longValue());
        case FLOAT32 -> a.append(((Number) v).floatValue());
        case FLOAT64 -> a.append(((Number) v).doubleValue());
        case BOOL -> a.append((boolean) (Boolean) v);
        case STRING -> a.append((String) v);
        case BYTES -> a.append((byte[]) v);
        case TIMESTAMP -> a.append(OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
      }
    } catch (ClassCastException e) {
      throw new InvalidRequestException("query row " + row + ", column '" + col.name() + "': " + v.getClass().getSimpleName()
          + " value does not fit type " + col.type().spelling());
    }
  }
}
