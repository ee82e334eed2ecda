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
    return !closed && rows.hasNext();
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = rows.next();
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
