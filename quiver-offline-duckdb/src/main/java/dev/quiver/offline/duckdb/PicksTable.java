package dev.quiver.offline.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes the outcome of a {@link LatestRowMatch}: a table with one row per query row, in query
 * order, and per join the position of the source row it picked (null: none). The picks go in as a
 * few rows of BIGINT lists through DuckDB's appender (bulk, unlike one appended row per query row)
 * and are unnested into the table in order, the order the training set's positional join relies on.
 */
final class PicksTable {
  /** Appended lists are cut into pieces of this many elements. */
  private static final int PIECE = 1 << 20;

  private PicksTable() {}

  /**
   * Creates {@code table} with a BIGINT column per join ({@code columns}) holding {@code
   * picked[join][row]}, or null where {@code none[join][row]}, for rows {@code [0, n)} in order.
   */
  static void write(Connection c, String table, List<String> columns, long[][] picked, boolean[][] none, int n)
      throws SQLException {
    write(c, table, columns, picked, none, n, PIECE);
  }

  /** {@link #write(Connection, String, List, long[][], boolean[][], int)}, lists cut every {@code piece} rows. */
  static void write(Connection c, String table, List<String> columns, long[][] picked, boolean[][] none, int n, int piece)
      throws SQLException {
    int joins = columns.size();
    String lists = table + "_lists";
    StringBuilder listColumns = new StringBuilder();
    StringBuilder unnest = new StringBuilder();
    for (int j = 0; j < joins; j++) {
      listColumns.append(j == 0 ? "" : ", ").append("l").append(j).append(" BIGINT[]");
      unnest.append(j == 0 ? "" : ", ").append("unnest(l").append(j).append(") AS ").append(columns.get(j));
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE OR REPLACE TEMP TABLE " + lists + " (piece BIGINT, " + listColumns + ")");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, lists)) {
        long index = 0;
        for (int from = 0; from < n; from += piece) {
          int to = Math.min(n, from + piece);
          a.beginRow();
          a.append(index++);
          for (int j = 0; j < joins; j++) {
            boolean whole = from == 0 && to == picked[j].length;
            a.append(whole ? picked[j] : Arrays.copyOfRange(picked[j], from, to),
                whole ? none[j] : Arrays.copyOfRange(none[j], from, to));
          }
          a.endRow();
        }
      }
      // pieces in order, each list in order: the query order, which the positional join relies on
      s.execute("CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT " + unnest + " FROM (SELECT * FROM " + lists
          + " ORDER BY piece)");
      s.execute("DROP TABLE " + lists);
    }
  }
}
