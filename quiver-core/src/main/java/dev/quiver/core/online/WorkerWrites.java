package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.offline.TileRowsWriter;
import dev.quiver.core.online.Materializer.Listener;
import java.nio.file.Path;

/**
 * The writes of a materialization that the offline engine's own workers make ({@link
 * LatestRowsWriter}, {@link TileRowsWriter}), each opening the online store with {@code opener}:
 * their counts are added to the run's, and a failure says the watermark did not move.
 */
final class WorkerWrites {
  private final Path repoRoot;
  private final OnlineStoreOpener opener;

  WorkerWrites(Path repoRoot, OnlineStoreOpener opener) {
    this.repoRoot = repoRoot;
    this.opener = opener;
  }

  /**
   * Latest rows written by the engine's workers ({@link LatestRowsWriter}); adds (rows read, rows
   * written) to {@code totals}, and {@code newest[0]} becomes the newest event time read (micros).
   */
  void written(LatestRowsWriter workers, LatestRowsPlan plan, String table, boolean replaceEqual, Listener listener,
      long[] totals, long[] newest) {
    long read = totals[0];
    long wrote = totals[1];
    LatestRowsWriter.Written done;
    try {
      done = workers.writeLatestRows(plan, repoRoot, opener, table, replaceEqual,
          (r, w) -> listener.batchWritten(plan.view(), read + r, wrote + w));
    } catch (SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    } catch (QuiverException e) {
      throw new QuiverException("materialization of " + plan.view() + " failed on the offline engine's workers: "
          + e.getMessage() + "; its watermark did not move, run it again", e);
    }
    totals[0] += done.rowsRead();
    totals[1] += done.rowsWritten();
    if (done.newest() != null) {
      newest[0] = Timestamps.toMicros(done.newest());
    }
    listener.batchWritten(plan.view(), totals[0], totals[1]);
  }

  /**
   * Tile rows rebuilt and written by the engine's workers ({@link TileRowsWriter}); adds the rows
   * written to {@code totals} and returns the rows left to concurrent online writers.
   */
  long tilesWritten(TileRowsWriter workers, TileRowsJob job, String view, String table, Listener listener,
      long[] totals) {
    long read = totals[0];
    long wrote = totals[1];
    TileRowsJob.Counts done;
    try {
      done = workers.writeTileRows(job, repoRoot, opener, table, (r, w) -> listener.batchWritten(view, read, wrote + w));
    } catch (SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    } catch (QuiverException e) {
      throw new QuiverException("materialization of " + view + " failed on the offline engine's workers rebuilding its tile"
          + " rows: " + e.getMessage() + "; its watermark did not move, run it again", e);
    }
    totals[1] += done.keysWritten();
    listener.batchWritten(view, totals[0], totals[1]);
    return done.keysSkipped();
  }
}
