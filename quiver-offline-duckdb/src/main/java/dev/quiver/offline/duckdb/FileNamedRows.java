package dev.quiver.offline.duckdb;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows whose file column comes from SQL as an index into the scan's file list and leaves as the
 * file's name ({@link dev.quiver.core.offline.LatestRowsPlan#SOURCE_FILE}): the query sorts a number
 * instead of a string per row, and every row of a file shares one {@code String}. Not thread-safe,
 * as the rows it wraps.
 */
final class FileNamedRows implements HistoricalRows {
  private final HistoricalRows rows;
  private final int column;
  private final List<String> files;
  private final List<PointInTimePlan.Column> columns;

  /**
   * @param column the index of the file column in {@code rows}, holding an int64 index into {@code files}
   */
  FileNamedRows(HistoricalRows rows, int column, List<String> files) {
    this.rows = rows;
    this.column = column;
    this.files = List.copyOf(files);
    List<PointInTimePlan.Column> named = new ArrayList<>(rows.columns());
    named.set(column, new PointInTimePlan.Column(named.get(column).name(), ScalarType.STRING));
    this.columns = List.copyOf(named);
  }

  @Override public List<PointInTimePlan.Column> columns() {
    return columns;
  }

  @Override public boolean hasNext() {
    return rows.hasNext();
  }

  @Override public Object[] next() {
    Object[] row = rows.next();
    row[column] = files.get(((Number) row[column]).intValue());
    return row;
  }

  @Override public void close() {
    rows.close();
  }
}
