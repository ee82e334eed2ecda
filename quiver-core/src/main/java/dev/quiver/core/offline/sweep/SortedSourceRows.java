package dev.quiver.core.offline.sweep;

/**
 * A cursor over one join's source rows of many keys, sorted by (key id, event time, created time
 * with none first, position): what {@link JoinSweep#run} reads. Rows with a null key or a null
 * event time are left out. Not thread-safe.
 */
public interface SortedSourceRows {
  /** True while the cursor is on a row. */
  boolean more();

  /** The row's key id (a dense number per distinct key, e.g. from {@link KeyIds}). */
  long kid();

  /** The row's event time in µs. */
  long event();

  /** The row's created time in µs, or {@link PointInTimeRules#NO_CREATED}. */
  long created();

  /** The row's value of {@link JoinSweep#sourceColumns()}{@code .get(column)}. */
  Object value(int column);

  /** Moves to the next row. */
  void advance();
}
