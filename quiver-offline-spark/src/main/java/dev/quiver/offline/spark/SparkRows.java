package dev.quiver.offline.spark;

import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * Rows streamed to the driver with {@code toLocalIterator}: one partition at a time, so the driver
 * holds at most the largest partition, never the whole result. Values become the Java values {@link
 * HistoricalRows} documents; the first {@code columns.size()} fields of each Spark row are returned.
 */
final class SparkRows implements HistoricalRows {
  private final List<PointInTimePlan.Column> columns;
  private final Iterator<Row> rows;
  private final Runnable onClose;
  private boolean closed;

  SparkRows(List<PointInTimePlan.Column> columns, Iterator<Row> rows, Runnable onClose) {
    this.columns = List.copyOf(columns);
    this.rows = rows;
    this.onClose = onClose;
  }

  @Override
  public List<PointInTimePlan.Column> columns() {
    return columns;
  }

  @Override
  public boolean hasNext() {
    try {
      return !closed && rows.hasNext();
    } catch (Exception e) { // Spark throws its checked SparkException too
      throw quiverCause(e);
    }
  }

  /**
   * The Quiver exception a task threw (a value a source's timestamp_format cannot read, ...), which
   * Spark delivers wrapped (in its checked {@code SparkException} too); else {@code e} itself, or a
   * checked one wrapped with its first line.
   */
  static RuntimeException quiverCause(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof dev.quiver.core.QuiverException q) {
        return q;
      }
    }
    return e instanceof RuntimeException r ? r : new dev.quiver.core.QuiverException("the offline engine (Spark) failed: "
        + SparkSessions.firstLine(e.getMessage()), e);
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r;
    try {
      r = rows.next();
    } catch (Exception e) {
      throw quiverCause(e);
    }
    Object[] out = new Object[columns.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = SparkValues.toJava(r.get(i));
    }
    return out;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      onClose.run();
    }
  }
}
