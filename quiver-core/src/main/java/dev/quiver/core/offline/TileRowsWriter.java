package dev.quiver.core.offline;

import dev.quiver.core.online.OnlineStoreOpener;
import dev.quiver.core.online.TileRowsJob;
import java.nio.file.Path;

/**
 * An optional capability of an {@link OfflineEngine}, beside {@link LatestRowsWriter}: rebuilding a
 * view's window-aggregate tile rows where the data is (a distributed engine's workers) and writing
 * them into the online store from there, instead of streaming the source rows through the calling
 * process. The rules are the core's ({@link TileRowsJob}), so the online state is the same.
 */
public interface TileRowsWriter {
  /**
   * Runs {@code job} over its scan: every row of a key in one part, sorted as {@code sourceRows}
   * sorts them, each part opening the store with {@code store} and writing into {@code table}.
   * Returns once every part has finished. When a part fails the call fails; what was written stays,
   * and since each row is swapped in by compare-and-set from the same offline part, running it again
   * reaches the state of one clean run.
   *
   * @param progress called on the calling thread from time to time with (0, tile rows written so far)
   * @throws dev.quiver.core.SourceDataException when the source cannot be read
   * @throws dev.quiver.core.QuiverException when writing fails, naming the store
   */
  TileRowsJob.Counts writeTileRows(TileRowsJob job, Path repoRoot, OnlineStoreOpener store, String table,
      LatestRowsWriter.Progress progress);

  /** As {@link LatestRowsWriter#writesTo}: when false, the materializer rebuilds tiles in this process. */
  boolean writesTo(OnlineStoreOpener store);
}
