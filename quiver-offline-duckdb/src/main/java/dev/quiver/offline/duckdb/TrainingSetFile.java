package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.spi.SourceColumn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How a training set's rows are written to a file, so that its timestamps mean the same instant
 * whatever the query's or the sources' timestamp types (TIMESTAMP, TIMESTAMP WITH TIME ZONE,
 * TIMESTAMP_S/_MS/_NS, DATE) and whatever the machine's time zone:
 *
 * <ul>
 *   <li>Parquet: every timestamp column, and every list of timestamps, is {@code TIMESTAMP WITH TIME
 *       ZONE} (Parquet's {@code isAdjustedToUTC=true}), microseconds;
 *   <li>CSV: every timestamp is ISO-8601 UTC with six fraction digits and {@code Z}, e.g. {@code
 *       2026-03-01T10:15:00.123456Z} (a list: {@code [2026-03-01T10:15:00.000000Z, ...]}).
 * </ul>
 *
 * <p>A timestamp without a zone is UTC (DESIGN §3); the connection's time zone is UTC while writing.
 */
final class TrainingSetFile {
  /** The CSV spelling of a timestamp, a {@code strftime} format. */
  static final String CSV_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ";

  private TrainingSetFile() {}

  /** The {@code COPY ... TO} options of a format. */
  static String options(FileFormat format) {
    return switch (format) {
      case PARQUET -> "FORMAT parquet";
      case CSV -> "FORMAT csv, HEADER true";
    };
  }

  /**
   * {@code select} (the training set, in query order) with its timestamp columns converted for
   * {@code format}; other columns pass unchanged, in order. Reads the select's column types (DuckDB
   * plans it, nothing runs).
   */
  static String select(Connection c, String select, FileFormat format) throws SQLException {
    List<SourceColumn> columns = DuckDbSchemaReader.describe(c, "(" + select + ")");
    if (columns.stream().noneMatch(TrainingSetFile::holdsTimestamps)) {
      return select;
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      SourceColumn column = columns.get(i);
      String name = id(column.name());
      boolean nanos = column.nativeType().toUpperCase(java.util.Locale.ROOT).startsWith("TIMESTAMP_NS");
      String value = switch (column.type()) {
        case ScalarType s when s == ScalarType.TIMESTAMP -> timestamp(name, nanos, format);
        case ListType l when l.element() == ScalarType.TIMESTAMP -> timestamps(name, nanos, format);
        case null, default -> name;
      };
      sql.append(i == 0 ? "" : ", ").append(value).append(" AS ").append(name);
    }
    // a projection keeps the order of the select's rows (query order)
    return sql.append(" FROM (").append(select).append(") __quiver_out").toString();
  }

  private static boolean holdsTimestamps(SourceColumn c) {
    return c.type() == ScalarType.TIMESTAMP || c.type() instanceof ListType l && l.element() == ScalarType.TIMESTAMP;
  }

  /**
   * A list of timestamps: in Parquet a list of UTC-adjusted timestamps, in CSV {@code
   * [2026-03-01T10:15:00.000000Z, NULL]} (unquoted items, as DuckDB writes lists of numbers).
   */
  private static String timestamps(String list, boolean nanos, FileFormat format) {
    String each = "list_transform(" + list + ", lambda __quiver_t: " + timestamp("__quiver_t", nanos, format) + ")";
    return switch (format) {
      case PARQUET -> each;
      case CSV -> "CASE WHEN " + list + " IS NULL THEN NULL ELSE '[' || array_to_string(list_transform(" + each
          + ", lambda __quiver_s: coalesce(__quiver_s, 'NULL')), ', ') || ']' END";
    };
  }

  /**
   * One timestamp value of any DuckDB timestamp type, as the format writes it. Nanoseconds are
   * dropped toward the past, as Quiver's microsecond timestamps drop them ({@code
   * Timestamps.toMicros}); DuckDB's cast would round them.
   */
  private static String timestamp(String value, boolean nanos, FileFormat format) {
    String micros = nanos
        ? "make_timestamp((epoch_ns(" + value + ") - ((epoch_ns(" + value + ") % 1000) + 1000) % 1000) // 1000)"
        : value;
    String utc = "CAST(" + micros + " AS TIMESTAMPTZ)";
    return switch (format) {
      case PARQUET -> utc;
      case CSV -> "strftime(" + utc + ", " + Scans.literal(CSV_TIMESTAMP) + ")";
    };
  }
}
