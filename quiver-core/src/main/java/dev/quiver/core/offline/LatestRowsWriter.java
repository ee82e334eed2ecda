package dev.quiver.core.offline;

import dev.quiver.core.online.OnlineStoreOpener;
import java.nio.file.Path;
import java.time.Instant;

/**
 * An optional capability of an {@link OfflineEngine}: computing a {@link LatestRowsPlan} and writing
 * its rows into the online store where the data is (a distributed engine's workers), instead of
 * streaming them through the calling process. {@link dev.quiver.core.online.Materializer} uses it for
 * column features when the engine implements it and it was given an {@link OnlineStoreOpener}; the
 * rows, their encoding ({@link dev.quiver.core.online.LatestRowEncoder}) and the write rule are the
 * same as on the driver path, so the online state is too.
 */
public interface LatestRowsWriter {
  /**
   * Writes, per key, the latest row of {@code plan} into {@code table} of the store {@code store}
   * opens (each worker opens its own), with {@link dev.quiver.core.online.OnlineStore#multiPutIfNewer}
   * — or {@link dev.quiver.core.online.OnlineStore#multiPutIfNotOlder} when {@code replaceEqual} —
   * encoded by {@link dev.quiver.core.online.LatestRowEncoder}. Returns once every part of the work
   * has finished. When a part fails the call fails; what was written stays, and since writes are
   * newest-wins, running it again reaches the state of one clean run.
   *
   * @param progress called on the calling thread from time to time with the totals so far
   * @throws dev.quiver.core.SourceDataException when the source cannot be read
   * @throws dev.quiver.core.QuiverException when writing fails, naming the store
   */
  Written writeLatestRows(LatestRowsPlan plan, Path repoRoot, OnlineStoreOpener store, String table, boolean replaceEqual,
      Progress progress);

  /**
   * True when this engine's workers can write into the store {@code store} opens: always for a
   * {@linkplain OnlineStoreOpener#shared() shared} store, and for an embedded one only when the
   * workers run in this process. When false, the materializer streams the rows through this process.
   */
  boolean writesTo(OnlineStoreOpener store);

  /** Totals so far of a {@link #writeLatestRows} run. */
  @FunctionalInterface
  interface Progress {
    void update(long rowsRead, long rowsWritten);
  }

  /**
   * What a run did.
   *
   * @param rowsRead the source rows in range (the sum of {@link LatestRowsPlan#SOURCE_ROWS})
   * @param rowsWritten entries that replaced an older row or were new
   * @param newest the greatest event time of the rows read, or null when none was
   */
  record Written(long rowsRead, long rowsWritten, Instant newest) {}
}
