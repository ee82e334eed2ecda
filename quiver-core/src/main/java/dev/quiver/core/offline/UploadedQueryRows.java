package dev.quiver.core.offline;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Query rows that arrived over the network (Feast's {@code entity_df}, uploaded as Arrow), offered
 * two ways so that each engine takes them as it reads best ({@link OfflineEngine#writeQueryRows(
 * java.nio.file.Path, UploadedQueryRows)}): row by row, or as the Arrow stream they arrived in. Read
 * them one way, once. Not thread-safe, except that an engine may pull the Arrow stream from its own
 * threads while the caller waits.
 */
public interface UploadedQueryRows {
  /** The columns' names and Quiver types (scalars), in order. */
  List<PointInTimePlan.Column> columns();

  /** The rows, values as {@link HistoricalRows} documents them, aligned with {@link #columns()}. */
  Iterator<Object[]> rows();

  /**
   * The rows as an Arrow C stream, or empty when some column's Arrow type has no exact equivalent in
   * the engines' Arrow readers (the caller then reads {@link #rows()}). Core has no Arrow dependency,
   * so the stream is typed {@code Object}: it is an {@code org.apache.arrow.c.ArrowArrayStream}, owned
   * (and closed) by the caller once the engine returns. Its schema has every column of {@link
   * #columns()} under the same name, with an Arrow type that maps to the column's Quiver type
   * (integers, floats, bool, strings, binary, timestamps of any unit with or without a zone — without
   * one, UTC — and dates), and may have other columns (pandas' index), which are not query columns.
   */
  Optional<Object> arrowStream();
}
