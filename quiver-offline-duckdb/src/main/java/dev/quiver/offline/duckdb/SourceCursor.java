package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.sweep.SortedSourceRows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sorted source rows of a window-aggregate sweep — {@code (key id, event µs, created µs or
 * null, values...)} — read from a result set by a thread of their own in batches, so converting JDBC
 * values (the larger half of the work) overlaps with the kernels on the caller's thread. The caller
 * walks the rows with {@link #more()}, the accessors and {@link #advance()}; {@link #close()} stops
 * the reader. Not thread-safe beyond that hand-off.
 */
final class SourceCursor implements AutoCloseable, SortedSourceRows {
  private static final int BATCH = 4096;

  private static final class Batch {
    final long[] kid = new long[BATCH];
    final long[] event = new long[BATCH];
    final long[] created = new long[BATCH];
    final Object[][] values;
    int size;
    Throwable failure;

    Batch(int columns) {
      values = new Object[columns][BATCH];
    }
  }

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(4);
  private final Thread reader;
  private volatile boolean stopped;
  private Batch current;
  private int at;

  SourceCursor(ResultSet rs, List<Column> valueColumns) {
    int columns = valueColumns.size();
    reader = Thread.ofPlatform().daemon().name("quiver-aggregate-reader").start(() -> {
      Batch b = new Batch(columns);
      try {
        while (!stopped && rs.next()) {
          int i = b.size;
          b.kid[i] = rs.getLong(1);
          b.event[i] = rs.getLong(2);
          long created = rs.getLong(3);
          b.created[i] = rs.wasNull() ? Long.MIN_VALUE : created;
          for (int v = 0; v < columns; v++) {
            b.values[v][i] = DuckDbRows.value(rs, 4 + v, valueColumns.get(v).type());
          }
          if (++b.size == BATCH) {
            put(b);
            b = new Batch(columns);
          }
        }
      } catch (Throwable t) {
        b.failure = t;
      }
      put(b);
      if (b.size > 0 || b.failure != null) {
        put(new Batch(0)); // the end: an empty batch
      }
    });
    next();
  }

  private void put(Batch b) {
    try {
      while (!stopped && !queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
        // the consumer is busy; wait unless it stopped
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void next() {
    try {
      current = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while reading source rows for window aggregates");
    }
    at = 0;
    if (current.failure != null) {
      Throwable t = current.failure;
      throw t instanceof SQLException s ? DuckDbFailures.failed(s)
          : t instanceof RuntimeException r ? r : new QuiverException("reading source rows failed: " + t.getMessage(), t);
    }
  }

  @Override
  public boolean more() {
    return at < current.size;
  }

  @Override
  public long kid() {
    return current.kid[at];
  }

  @Override
  public long event() {
    return current.event[at];
  }

  @Override
  public long created() {
    return current.created[at];
  }

  @Override
  public Object value(int column) {
    return current.values[column][at];
  }

  @Override
  public void advance() {
    if (++at == current.size) {
      next();
    }
  }

  @Override
  public void close() {
    stopped = true;
    queue.clear();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
