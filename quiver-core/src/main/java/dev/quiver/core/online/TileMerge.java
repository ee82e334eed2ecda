package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.TileRebuild.KeyRows;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The rules of a tile rebuild ({@link TileRebuild}) that need no offline engine: folding one key's
 * sorted source rows into its offline part ({@link Fold}), merging that with the stored row and
 * swapping it in with compare-and-set ({@link #write}). Serializable, so a distributed engine's
 * workers run exactly these rules ({@link TileJob}); the view travels as its aggregate features,
 * which are all a {@link TileLayout} reads.
 */
final class TileMerge implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String viewName;
  private final int viewVersion;
  private final ArrayList<AggregateFeature> aggregates;
  private final long endMicros;
  private final boolean fromBeginning;
  private final long sinceMicros;
  private final long skewMicros;
  /** The stream's identity when the view's source is a stream ({@link dev.quiver.core.model.StreamSource#streamId}), else null. */
  private final String streamId;
  private transient FeatureView view;

  /** Pushed files oldest first (then by name), the order a row remembers its pushes in. */
  private static final java.util.Comparator<PushedFile> PUSHED_ORDER =
      java.util.Comparator.comparingLong(PushedFile::stampMicros).thenComparing(PushedFile::name);

  TileMerge(FeatureView view, Instant end, boolean fromBeginning, long sinceMicros, long skewMicros, String streamId) {
    this.view = view;
    this.viewName = view.name();
    this.viewVersion = view.version();
    this.aggregates = new ArrayList<>();
    view.features().forEach(f -> {
      if (f instanceof AggregateFeature a) {
        aggregates.add(a);
      }
    });
    this.endMicros = Timestamps.toMicros(end);
    this.fromBeginning = fromBeginning;
    this.sinceMicros = sinceMicros;
    this.skewMicros = skewMicros;
    this.streamId = streamId;
  }

  /** The view, or on a worker the view rebuilt from its aggregates (the same tile layout). */
  FeatureView view() {
    if (view == null) {
      view = new FeatureView(viewName, viewVersion, List.of(), "-", null, true, List.copyOf(aggregates), null);
    }
    return view;
  }

  long endMicros() {
    return endMicros;
  }

  boolean fromBeginning() {
    return fromBeginning;
  }

  String streamId() {
    return streamId;
  }

  /** The view's tile layout with the source's types of the columns it reads. */
  TileLayout layout(Function<String, ValueType> types) {
    return TileLayout.of(view(), types);
  }

  /** The columns the tiles read, from a layout whose types do not matter yet (filters compile later). */
  List<String> columns() {
    return TileLayout.of(view(), c -> ScalarType.FLOAT64).columns();
  }

  /** What {@link #write} did with a batch: rows swapped in, rows left to the online writers. */
  record Written(int written, int skipped) {}

  /**
   * Merges each key's offline part with its stored row and swaps it in, leaving alone the rows an
   * online write changed since the scan started.
   */
  Written write(OnlineStore store, String table, List<KeyRows> batch) {
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
    return new Written(batch.size() - n, n);
  }

  /** The row a key gets: the offline part before the horizon, the stored row's part from it on. */
  byte[] merge(KeyRows part, byte[] storedBytes) {
    return merge(part, stored(part.layout(), storedBytes));
  }

  private byte[] merge(KeyRows part, EntityTiles stored) {
    long horizon = EntityTiles.horizon(endMicros, stored);
    boolean tail = part.events().length > 0 && part.events()[0] < horizon;
    if (!tail && part.twinLast().isEmpty() && part.basePushed().isEmpty()
        && (stored == null || EntityTiles.nothingNewer(stored, horizon))) {
      return part.base();
    }
    EntityTiles row = EntityTiles.decode(part.layout(), part.base());
    java.util.TreeSet<PushedFile> pushed = new java.util.TreeSet<>(PUSHED_ORDER);
    pushed.addAll(part.basePushed());
    int r = 0;
    for (; r < part.events().length && part.events()[r] < horizon; r++) {
      row.add(part.events()[r], part.created()[r], part.values()[r]);
      if (part.pushed()[r] != null) {
        pushed.add(part.pushed()[r]);
      }
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
    // the pushed files this row took offline, so a push of one that writes online after this swap skips
    // the row; files pushed before the pushed-file window cannot still be writing and are not recorded
    for (PushedFile f : pushed) {
      if (f.stampMicros() >= sinceMicros - EntityTiles.PUSHED_FILE_MICROS) {
        row.recordPush(f.key(), f.stampMicros());
      }
    }
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

  /**
   * Folds source rows sorted by key, then the tie order (as {@link dev.quiver.core.offline.OfflineEngine#sourceRows}
   * gives them: keys, event time, created time, the tile columns, and with {@code twin} the row's
   * source file), into one {@link KeyRows} per key; keys are compared by their encoded bytes.
   */
  final class Fold {
    private final TileLayout layout;
    private final List<ScalarType> keyTypes;
    private final int columns;
    /** The column of the row's file name, or -1 when the rows carry none (no twin or pushed files). */
    private final int fileColumn;
    private final Map<String, Optional<TwinFile>> twinFiles = new HashMap<>();
    private final Map<String, Optional<PushedFile>> pushedFiles = new HashMap<>();
    private KeyBuilder current;

    /** @param positions whether the rows carry their file (twin or pushed files among the source's) */
    Fold(TileLayout layout, List<ScalarType> keyTypes, boolean positions) {
      this.layout = layout;
      this.keyTypes = keyTypes;
      this.columns = layout.columns().size();
      this.fileColumn = positions ? keyTypes.size() + 2 + columns : -1;
    }

    /** Adds a row; returns the previous key's part when the row starts a new key, else null. */
    KeyRows add(Object[] r) {
      int keyCount = keyTypes.size();
      byte[] key = KeyEncoding.encode(keyTypes, Arrays.asList(r).subList(0, keyCount));
      KeyRows done = null;
      if (current == null || !Arrays.equals(key, current.key)) {
        done = current == null ? null : current.done();
        current = new KeyBuilder(layout, key);
      }
      Instant created = (Instant) r[keyCount + 1];
      String path = fileColumn < 0 ? null : (String) r[fileColumn];
      TwinFile twin = path == null || streamId == null ? null : twinFiles.computeIfAbsent(path, TwinFile::of).orElse(null);
      PushedFile pushed = path == null ? null : pushedFiles.computeIfAbsent(path, PushedFile::of).orElse(null);
      current.add(Timestamps.toMicros((Instant) r[keyCount]), created == null ? Long.MIN_VALUE : Timestamps.toMicros(created),
          Arrays.copyOfRange(r, keyCount + 2, keyCount + 2 + columns), twin, pushed);
      return done;
    }

    /** The last key's part, or null when no row was added since the last call. */
    KeyRows finish() {
      KeyRows done = current == null ? null : current.done();
      current = null;
      return done;
    }
  }

  /** One key's rows as they stream: up to END into a row, after END kept aside; the twin files' last offsets noted. */
  private final class KeyBuilder {
    final byte[] key;
    final EntityTiles tiles;
    final List<long[]> times = new ArrayList<>();
    final List<Object[]> after = new ArrayList<>();
    final List<TwinFile> afterTwins = new ArrayList<>();
    final List<PushedFile> afterPushed = new ArrayList<>();
    java.util.Set<PushedFile> basePushed = java.util.Set.of();
    Map<Integer, Long> twinLast = Map.of();

    KeyBuilder(TileLayout layout, byte[] key) {
      this.key = key;
      this.tiles = new EntityTiles(layout);
    }

    /**
     * @param twin the row's twin file, or null for a row of another file
     * @param pushed the row's pushed file, or null for a row of another file
     */
    void add(long event, long created, Object[] values, TwinFile twin, PushedFile pushed) {
      if (twin != null) {
        if (twinLast.isEmpty()) {
          twinLast = new TreeMap<>();
        }
        twinLast.merge(twin.partition(), twin.last(), Math::max);
      }
      if (pushed != null && pushed.stampMicros() < sinceMicros - EntityTiles.PUSHED_FILE_MICROS) {
        pushed = null; // pushed before the pushed-file window: its push wrote online long ago, nothing to record
      }
      if (event <= endMicros) {
        tiles.add(event, created, values);
        if (pushed != null) {
          if (basePushed.isEmpty()) {
            basePushed = new java.util.LinkedHashSet<>();
          }
          basePushed.add(pushed);
        }
      } else {
        times.add(new long[] {event, created});
        after.add(values);
        afterTwins.add(twin);
        afterPushed.add(pushed);
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
          afterTwins.toArray(TwinFile[]::new), twinLast, List.copyOf(basePushed), afterPushed.toArray(PushedFile[]::new));
    }
  }
}
