package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
 * brings in.
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
   * which a stored row's horizon decides on; and per partition the last offset of the twin files
   * holding rows of the key (empty when none).
   */
  record KeyRows(TileLayout layout, byte[] key, byte[] base, long[] events, long[] created, Object[][] values,
      TwinFile[] twins, Map<Integer, Long> twinLast) {
    KeyRows(TileLayout layout, byte[] key, byte[] base, long[] events, long[] created, Object[][] values) {
      this(layout, key, base, events, created, values, new TwinFile[events.length], Map.of());
    }
  }

  private final OfflineEngine engine;
  private final Path repoRoot;
  private final LatestRowsPlan base;
  private final FeatureView view;
  private final long endMicros;
  private final boolean fromBeginning;
  private final long sinceMicros;
  private final long skewMicros;
  /** The stream's identity when the view's source is a stream ({@link dev.quiver.core.model.StreamSource#streamId}), else null. */
  private final String streamId;
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
    this.streamId = streamId;
    this.sinceMicros = sinceMicros;
    this.skewMicros = skewMicros;
    this.engine = engine;
    this.repoRoot = repoRoot;
    this.base = base;
    this.view = view;
    this.endMicros = Timestamps.toMicros(end);
    this.fromBeginning = fromBeginning;
  }

  /** Streams the source rows sorted by key and time and hands one {@link KeyRows} per key to the sink. */
  void scan(Materializer.Sink<KeyRows> sink) throws InterruptedException {
    FileSource source = base.source();
    // the columns the tiles read, from a layout whose types do not matter yet (filters compile later)
    TileLayout untyped = TileLayout.of(view, c -> ScalarType.FLOAT64);
    List<String> columns = untyped.columns();
    List<LatestValue> values = columns.stream()
        .map(c -> new LatestValue(new FeatureRef(view.name(), view.version(), c), source.rawColumn(c), c, null))
        .toList();
    long oldest = fromBeginning ? Long.MIN_VALUE : untyped.oldestNeeded(endMicros);
    Instant from = oldest == Long.MIN_VALUE ? BEGINNING : Timestamps.ofMicros(Math.max(oldest, Timestamps.toMicros(BEGINNING)));
    LatestRowsPlan plan = new LatestRowsPlan(base.view(), source, base.keys(), values, from, NO_END);
    List<ScalarType> keyTypes = plan.keys().stream().map(KeyBinding::type).toList();
    int keyCount = keyTypes.size();
    boolean twin = streamId != null && SourceFiles.resolve(source, repoRoot).stream()
        .anyMatch(f -> TwinFile.of(f.getFileName().toString()).isPresent());
    int fileColumn = keyCount + 2 + columns.size();
    Map<String, Optional<TwinFile>> twinFiles = new HashMap<>();
    try (HistoricalRows rows = twin ? engine.sourceRowsWithPositions(plan, repoRoot) : engine.sourceRows(plan, repoRoot)) {
      Map<String, ValueType> types = new HashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        types.put(columns.get(c), rows.columns().get(keyCount + 2 + c).type());
      }
      TileLayout layout = TileLayout.of(view, types::get);
      KeyBuilder current = null;
      List<KeyRows> batch = new ArrayList<>(Materializer.BATCH);
      while (rows.hasNext()) {
        Object[] r = rows.next();
        byte[] key = KeyEncoding.encode(keyTypes, Arrays.asList(r).subList(0, keyCount));
        if (current == null || !Arrays.equals(key, current.key)) {
          if (current != null) {
            batch.add(current.done());
            if (batch.size() == Materializer.BATCH) {
              sink.accept(batch, 0); // the scan reaches back before START for the windows: rows read count the range only
              batch = new ArrayList<>(Materializer.BATCH);
            }
          }
          current = new KeyBuilder(layout, key, columns.size());
        }
        Instant created = (Instant) r[keyCount + 1];
        TwinFile file = twin ? twinFiles.computeIfAbsent((String) r[fileColumn], TwinFile::of).orElse(null) : null;
        current.add(Timestamps.toMicros((Instant) r[keyCount]), created == null ? Long.MIN_VALUE : Timestamps.toMicros(created),
            Arrays.copyOfRange(r, keyCount + 2, keyCount + 2 + columns.size()), file);
      }
      if (current != null) {
        batch.add(current.done());
      }
      if (!batch.isEmpty()) {
        sink.accept(batch, 0);
      }
    }
  }

  /** One key's rows as they stream: up to END into a row, after END kept aside; the twin files' last offsets noted. */
  private final class KeyBuilder {
    final byte[] key;
    final EntityTiles tiles;
    final List<long[]> times = new ArrayList<>();
    final List<Object[]> after = new ArrayList<>();
    final List<TwinFile> afterTwins = new ArrayList<>();
    Map<Integer, Long> twinLast = Map.of();

    KeyBuilder(TileLayout layout, byte[] key, int columns) {
      this.key = key;
      this.tiles = new EntityTiles(layout);
    }

    /** @param twin the row's twin file, or null for a row of another file */
    void add(long event, long created, Object[] values, TwinFile twin) {
      if (twin != null) {
        if (twinLast.isEmpty()) {
          twinLast = new TreeMap<>();
        }
        twinLast.merge(twin.partition(), twin.last(), Math::max);
      }
      if (event <= endMicros) {
        tiles.add(event, created, values);
      } else {
        times.add(new long[] {event, created});
        after.add(values);
        afterTwins.add(twin);
      }
    }

    KeyRows done() {
      long[] events = new long[times.size()];
      long[] created = new long[times.size()];
      for (int i = 0; i < events.length; i++) {
        events[i] = times.get(i)[0];
        created[i] = times.get(i)[1];
      }
      return new KeyRows(tiles.layout(), key, tiles.encode(), events, created, after.toArray(Object[][]::new),
          afterTwins.toArray(TwinFile[]::new), twinLast);
    }
  }

  /**
   * Merges each key's offline part with its stored row and swaps it in, leaving alone the rows an
   * online write changed since the scan started ({@link #skipped()}); returns the rows rebuilt.
   */
  int write(OnlineStore store, String table, List<KeyRows> batch) {
    List<byte[]> keys = batch.stream().map(KeyRows::key).toList();
    boolean[] left = new boolean[batch.size()]; // decided again on each compare-and-set round
    TileRows.swap(store, table, keys, (i, storedBytes) -> {
      EntityTiles stored = stored(batch.get(i).layout(), storedBytes);
      left[i] = stored != null && stored.writtenOnlineSince(sinceMicros, skewMicros);
      return left[i] ? null : merge(batch.get(i), stored);
    });
    int n = 0;
    for (boolean l : left) {
      n += l ? 1 : 0;
    }
    skipped += n;
    return batch.size() - n;
  }

  /** The rows {@link #write} left as they were because an online write changed them since the scan started. */
  long skipped() {
    return skipped;
  }

  /** The row a key gets: the offline part before the horizon, the stored row's part from it on. */
  byte[] merge(KeyRows part, byte[] storedBytes) {
    return merge(part, stored(part.layout(), storedBytes));
  }

  private byte[] merge(KeyRows part, EntityTiles stored) {
    long horizon = EntityTiles.horizon(endMicros, stored);
    boolean tail = part.events().length > 0 && part.events()[0] < horizon;
    if (!tail && part.twinLast().isEmpty() && (stored == null || EntityTiles.nothingNewer(stored, horizon))) {
      return part.base();
    }
    EntityTiles row = EntityTiles.decode(part.layout(), part.base());
    int r = 0;
    for (; r < part.events().length && part.events()[r] < horizon; r++) {
      row.add(part.events()[r], part.created()[r], part.values()[r]);
    }
    if (stored != null) {
      row.keepNewer(stored, horizon);
    }
    // twin rows from the horizon on that the stored row never took (a consumer killed between its twin
    // append and its online write): added after the stored head, as the consumer would add them
    for (; r < part.events().length; r++) {
      TwinFile twin = part.twins()[r];
      if (twin != null && twin.first() > (stored == null ? -1 : stored.appliedOffset(streamId, twin.partition()))) {
        row.add(part.events()[r], part.created()[r], part.values()[r]);
      }
    }
    part.twinLast().forEach((partition, last) -> row.recordOffset(streamId, partition, last));
    return row.encode();
  }

  /**
   * The stored row, when it can be merged with: in the view's layout (a format 1 row, which does not
   * name its families, only when they did not change). Any other row is replaced, as before.
   */
  private EntityTiles stored(TileLayout layout, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      TileRowHeader header = TileRowHeader.of(bytes);
      if (!header.fits(layout) || (fromBeginning && !header.exact())) {
        return null;
      }
      return EntityTiles.decode(layout, bytes);
    } catch (QuiverException e) {
      return null; // unreadable: rebuilt from the offline store alone
    }
  }
}
