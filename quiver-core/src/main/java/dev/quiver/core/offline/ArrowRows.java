package dev.quiver.core.offline;

import java.util.List;

/**
 * A training set that its engine hands over as Arrow record batches, without a row-by-row
 * conversion ({@link OfflineEngine#arrowRows}). Core has no Arrow dependency, so the reader is typed
 * {@code Object}: it is an {@code org.apache.arrow.vector.ipc.ArrowReader} allocating from the
 * allocator the caller gave. Its columns are {@link #columns()}, in order, with the Arrow types a
 * Quiver type maps to (int32 {@code int32}, int64 {@code int64}, float32 {@code float}, float64
 * {@code double}, bool, string {@code utf8}, bytes {@code binary}, timestamp {@code timestamp[us,
 * tz=UTC]}, lists as Arrow lists of those), the rows in query order, the values those {@link
 * OfflineEngine#write} writes. Close it to release the engine's resources; {@link #cancel()} may be
 * called from any thread, everything else from one.
 */
public interface ArrowRows extends AutoCloseable {
  /** The query's columns, then the feature columns, as {@link HistoricalRows#columns()}. */
  List<PointInTimePlan.Column> columns();

  /**
   * Runs the engine's work (the point-in-time joins) on the first call, which may take long, and
   * returns the reader of the batches; later calls return the same reader.
   *
   * @throws dev.quiver.core.QuiverException when the engine fails, or after {@link #cancel()}
   */
  Object reader();

  /**
   * Stops the engine's work from another thread: a {@link #reader()} call running or reading batches
   * fails soon after, and the caller then closes this. Idempotent.
   */
  void cancel();

  @Override
  void close();
}
