package dev.quiver.core.online;

import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.model.ValueType;
import java.io.Serializable;
import java.util.List;

/**
 * One view's tile-row rebuild (DESIGN §3, window aggregates) as a distributed engine's workers run
 * it ({@link dev.quiver.core.offline.TileRowsWriter}): the engine reads {@link #scan()}, puts every
 * row of a key into one part, sorted as {@link dev.quiver.core.offline.OfflineEngine#sourceRows}
 * sorts them (keys, then event time, created time with null first, position), and each part feeds
 * its rows to a {@link Part}, which folds each key's rows into its tile row and swaps it into the
 * online store with the merge and compare-and-set rules of the materializer's own path. Serializable:
 * it travels to the workers; it carries no secret and no engine.
 */
public interface TileRowsJob extends Serializable {
  /**
   * What to read: the view's keys and the columns its tiles read, from the oldest row a window at
   * END can reach (or the beginning) on, with no upper bound (a stored row's horizon may lie after END).
   */
  LatestRowsPlan scan();

  /**
   * True when the rows must also carry their position columns ({@link LatestRowsPlan#SOURCE_FILE},
   * {@link LatestRowsPlan#SOURCE_ROW}, as {@link dev.quiver.core.offline.OfflineEngine#sourceRowsWithPositions}):
   * a stream's batch twin, whose files' offsets the rebuilt rows record.
   */
  boolean positions();

  /**
   * A writer for one part of the rows, writing into {@code table} of {@code store} in batches.
   *
   * @param types the types of the rows' columns, as the engine's {@code sourceRows} reports them
   */
  Part part(List<ValueType> types, OnlineStore store, String table);

  /** One part's writer; not thread-safe. */
  interface Part {
    /** Adds a row (columns as {@code sourceRows} gives them); writes a batch of keys when one is full. */
    void add(Object[] row);

    /** Writes what is left and says what the part did. */
    Counts finish();
  }

  /**
   * What a part (or a whole run) did.
   *
   * @param keysWritten tile rows rebuilt and swapped in
   * @param keysSkipped tile rows left as they were because an online write (a push, a stream batch)
   *     changed them after the run's scan started ({@link Materializer.ViewResult#keysSkippedConcurrent()})
   */
  record Counts(long keysWritten, long keysSkipped) {}
}
