package dev.quiver.core.offline;

import java.util.Iterator;
import java.util.List;

/**
 * A training set streamed row by row; the engine holds only a bounded batch in memory. Close it to
 * release the engine's resources. Not thread-safe.
 *
 * <p>Each row is an array aligned with {@link #columns()}; values are {@code Integer} (int32), {@code
 * Long} (int64), {@code Float}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]},
 * {@code java.time.Instant} (timestamp, UTC), {@code java.util.List} (lists), or null.
 */
public interface HistoricalRows extends Iterator<Object[]>, AutoCloseable {
  /** The query's columns, then the feature columns. */
  List<PointInTimePlan.Column> columns();

  @Override
  void close();
}
