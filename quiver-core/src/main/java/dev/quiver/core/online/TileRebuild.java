package dev.quiver.core.online;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One view's tile rows rebuilt by {@code materialize START END} (DESIGN §3, backfills never
 * regress). Per entity key the offline scan yields, the stored row is read and the new row is:
 * the offline rows with event times before the row's <em>horizon</em> {@code H = max(END + 1 µs,
 * stored boundary)} ({@link EntityTiles#horizon}), plus the stored head entries at or after H
 * (pushes, stream events, earlier runs newer than what this run rebuilds), plus every record of what
 * the stored row took (stream offsets, push idempotency keys) — written with compare-and-set
 * against the bytes read, and merged again from the offline part when another writer changed the
 * row meanwhile ({@link TileRows#swap}).
 *
 * <p><b>Concurrent online writes.</b> A push or stream batch that appends its rows offline after this
 * rebuild's scan listed the source's files, then writes them online, is in neither the scan nor (for
 * event times before H) the part of the stored row kept: rebuilt, the row would lose it. So the scan
 * notes the wall-clock time {@code since} before it starts, every online write stamps the row after
 * its offline append ({@link EntityTiles#recordOnlineWrite}), and a stored row stamped at or after
 * {@code since} (less the clock skew allowed for a write from another process) is left exactly as
 * the writers made it and counted ({@link #skipped()}): nothing is lost and nothing counted twice;
 * the row lacks at most what the source gained offline only, which the next run that rebuilds it
 * brings in. The other order — a push whose file the scan read, writing online only after this
 * rebuild swapped the row — is caught by the push: the rebuilt row records the pushed files its rows
 * came from ({@link PushedFile}, for files pushed in the 10 minutes before the run, {@code
 * quiver.tiles.pushed-file-minutes}) among the pushes it took,
 * and the push skips a row that took its file.
 *
 * <p><b>A stream's batch twin.</b> A stream consumer appends a batch to the twin ({@link TwinFile})
 * before it writes the batch online, and may be killed in between; its restart writes the same
 * offsets online. So, for a view over a stream source, the rows of the twin's files are taken exactly
 * once: a twin row of a file whose first offset is above what the stored row took from that partition
 * ({@link EntityTiles#appliedOffset}) is not in the stored row and is added whatever its event time
 * (after END too), one at or below it is there already (the consumer writes every offset of a file
 * in one online write per key, and a rebuild takes a file's rows all at once), and the rebuilt row
 * records, per partition, the last offset of every twin file it holds rows of: the restarted
 * consumer skips those offsets as applied. The same events counted once, whatever the order of the
 * crash, the rebuild and the restart.
 *
 * <p>The scan reads every source row from the oldest a window at END can reach on, with no upper
 * bound, because a stored row's horizon may lie after END; rows are grouped by their encoded key
 * bytes (so {@code bytes} keys group by content). {@link #scan} runs on the materialization's reader
 * thread and {@link #write} on its writer; the batches between them are the only shared state.
 */
final class TileRebuild {
  /** No upper bound for the scan: the latest time the offline engines take. */
  private static final Instant NO_END = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

  /**
   * One key's part from the offline store: its row built from the rows up to END, and the rows
   * after END (event, created, values, and the twin file of each, null for a row of another file),
   * which a stored row's horizon decides on; per partition the last offset of the twin files
   * holding rows of the key (empty when none); and the pushed files ({@link PushedFile}) of the
   * rows up to END, and of each row after END (null for a row of another file).
   */
  record KeyRows(TileLayout layout, byte[] key, byte[] base, long[] events, long[] created, Object[][] values,
      TwinFile[] twins, Map<Integer, Long> twinLast, List<PushedFile> basePushed, PushedFile[] pushed) {
    KeyRows(TileLayout layout, byte[] key, byte[] base, long[] events, long[] created, Object[][] values) {
      this(layout, key, base, events, created, values, new TwinFile[events.length], Map.of());
    }

    KeyRows(TileLayout layout, byte[] key, byte[] base, long[] events, long[] created, Object[][] values,
        TwinFile[] twins, Map<Integer, Long> twinLast) {
      this(layout, key, base, events, created, values, twins, twinLast, List.of(), new PushedFile[events.length]);
    }
  }

  private final OfflineEngine engine;
  private final Path repoRoot;
  private final LatestRowsPlan base;
  /** The rules the rows are merged and written by, which a distributed engine's workers run too ({@link #job}). */
  private final TileMerge merge;
  private long skipped;

  /**
   * @param base the view's offline read (keys and source) as {@link Materializer#plan} builds it
   * @param fromBeginning the tile families changed: read from the source's first row, and replace
   *     stored rows that do not name the view's families exactly
   * @param sinceMicros wall-clock time ({@link TileRows#wallMicros}) taken before {@link #scan} starts
   * @param skewMicros the clock skew allowed between this process and another online writer
   * @param streamId the stream's identity when the view's source is a stream source (its base source
   *     is then the batch twin), else null
   */
  TileRebuild(OfflineEngine engine, Path repoRoot, LatestRowsPlan base, FeatureView view, Instant end, boolean fromBeginning,
      long sinceMicros, long skewMicros, String streamId) {
    this.engine = engine;
    this.repoRoot = repoRoot;
    this.base = base;
    this.merge = new TileMerge(view, end, fromBeginning, sinceMicros, skewMicros, streamId);
  }

  /**
   * What {@link #scan} reads: the keys, event and created time and the columns the tiles read, from
   * the oldest row a window at END can reach (the beginning when rebuilding from it) on, with no end.
   */
  LatestRowsPlan scanPlan() {
    FileSource source = base.source();
    List<LatestValue> values = merge.columns().stream()
        .map(c -> new LatestValue(new FeatureRef(merge.view().name(), merge.view().version(), c), source.rawColumn(c), c, null))
        .toList();
    TileLayout untyped = TileLayout.of(merge.view(), c -> ScalarType.FLOAT64);
    long oldest = merge.fromBeginning() ? Long.MIN_VALUE : untyped.oldestNeeded(merge.endMicros());
    Instant from = oldest == Long.MIN_VALUE ? BEGINNING : Timestamps.ofMicros(Math.max(oldest, Timestamps.toMicros(BEGINNING)));
    return new LatestRowsPlan(base.view(), source, base.keys(), values, from, NO_END);
  }

  /**
   * True when the scan's rows must carry their file: a stream's batch twin files (whose offsets the
   * rebuilt rows record) or files pushes added ({@link PushedFile}, which the rebuilt rows record).
   * Neither exists in a source this machine does not read (an Iceberg table, files at a URI): pushes
   * and stream appends write local files only.
   */
  private boolean positions() {
    if (!base.source().isLocal()) {
      return false;
    }
    return SourceFiles.resolve(base.source(), repoRoot).stream().map(f -> f.getFileName().toString())
        .anyMatch(f -> (merge.streamId() != null && TwinFile.of(f).isPresent()) || PushedFile.of(f).isPresent());
  }

  /** This rebuild for a distributed engine's workers ({@link dev.quiver.core.offline.TileRowsWriter}). */
  TileRowsJob job() {
    return new TileJob(merge, scanPlan(), positions());
  }

  /** Streams the source rows sorted by key and time and hands one {@link KeyRows} per key to the sink. */
  void scan(BatchTransfer.Sink<KeyRows> sink) throws InterruptedException {
    LatestRowsPlan plan = scanPlan();
    List<ScalarType> keyTypes = plan.keys().stream().map(KeyBinding::type).toList();
    int keyCount = keyTypes.size();
    List<String> columns = merge.columns();
    boolean positions = positions();
    try (HistoricalRows rows = positions ? engine.sourceRowsWithPositions(plan, repoRoot) : engine.sourceRows(plan, repoRoot)) {
      Map<String, ValueType> types = new HashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        types.put(columns.get(c), rows.columns().get(keyCount + 2 + c).type());
      }
      TileMerge.Fold fold = merge.new Fold(merge.layout(types::get), keyTypes, positions);
      List<KeyRows> batch = new ArrayList<>(Materializer.BATCH);
      while (rows.hasNext()) {
        KeyRows done = fold.add(rows.next());
        if (done != null) {
          batch.add(done);
          if (batch.size() == Materializer.BATCH) {
            sink.accept(batch, 0); // the scan reaches back before START for the windows: rows read count the range only
            batch = new ArrayList<>(Materializer.BATCH);
          }
        }
      }
      KeyRows last = fold.finish();
      if (last != null) {
        batch.add(last);
      }
      if (!batch.isEmpty()) {
        sink.accept(batch, 0);
      }
    }
  }

  /**
   * Merges each key's offline part with its stored row and swaps it in, leaving alone the rows an
   * online write changed since the scan started ({@link #skipped()}); returns the rows rebuilt.
   */
  int write(OnlineStore store, String table, List<KeyRows> batch) {
    TileMerge.Written w = merge.write(store, table, batch);
    skipped += w.skipped();
    return w.written();
  }

  /** The rows {@link #write} left as they were because an online write changed them since the scan started. */
  long skipped() {
    return skipped;
  }

  /** The row a key gets: the offline part before the horizon, the stored row's part from it on. */
  byte[] merge(KeyRows part, byte[] storedBytes) {
    return merge.merge(part, storedBytes);
  }
}
