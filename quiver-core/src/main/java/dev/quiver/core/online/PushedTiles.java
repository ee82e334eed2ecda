package dev.quiver.core.online;

import dev.quiver.core.ConflictException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of one push for one view's tile rows ({@link TileRows}), grouped by entity, and how each
 * stored row takes them (the rule is on {@link Pusher}): in the layout the row names ({@link
 * TileRowHeader}) — the view's, or {@link Target#earlier}, the one the view was last materialized
 * with — or afresh; else the push is refused with a {@link ConflictException}. Not thread-safe; one
 * per push.
 */
final class PushedTiles {
  /**
   * One view's tile table and the layouts its stored rows may have.
   *
   * @param earlier the layout of the definition the view was last materialized under, when its tile
   *     families differ from the view's (rows not rebuilt since have it); null otherwise
   * @param rebuilt the view was last materialized for the tile families it has now ({@link
   *     ServingVersions#tilesRebuilt}): a stored row in another layout is one that run left
   */
  record Target(FeatureView view, String table, TileLayout layout, TileLayout earlier, boolean rebuilt) {}

  private final Target target;
  /** A column {@code earlier} reads that the pushed rows lack (then rows in that layout are refused); else null. */
  private final String earlierMissing;
  /** The union of both layouts' columns: what {@link #values} holds, per row. */
  private final List<String> columns;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<String> keyTexts = new ArrayList<>();
  private final List<List<Integer>> rowsOfKey = new ArrayList<>();
  private final Object[][] values;
  private final long[] events;
  private final long[] created;
  private int[] atLayout;
  private int[] atEarlier;
  /** The rows {@link #check} read, which {@link #apply} swaps against first (then null); null before a check. */
  private OnlineStore.VersionedRows checked;

  private PushedTiles(Target target, String earlierMissing, List<String> columns, int rows) {
    this.target = target;
    this.earlierMissing = earlierMissing;
    this.columns = columns;
    this.values = new Object[rows][];
    this.events = new long[rows];
    this.created = new long[rows];
  }

  /**
   * Checks and groups the pushed rows (column-major, names as definitions use them).
   *
   * @param keys the view's join keys, in entity order
   * @param encoded the rows' values of those keys and their encodings
   * @param created null when the rows have no created time
   * @throws dev.quiver.core.InvalidRequestException when a column the view's layout reads is missing
   *     or a value does not fit its type
   */
  static PushedTiles prepare(Target target, List<JoinKey> keys, PushedKeys.EncodedKeys encoded, Map<String, List<Object>> pushed,
      int rows, List<Instant> events, List<Instant> created) {
    TileLayout layout = target.layout();
    List<String> columns = new ArrayList<>(layout.columns());
    String earlierMissing = null;
    if (target.earlier() != null) {
      for (String c : target.earlier().columns()) {
        if (!pushed.containsKey(c)) {
          earlierMissing = earlierMissing == null ? c : earlierMissing;
        } else if (!columns.contains(c)) {
          columns.add(c);
        }
      }
    }
    PushedTiles u = new PushedTiles(target, earlierMissing, List.copyOf(columns), rows);
    List<List<Object>> valueColumns = new ArrayList<>();
    List<ValueType> valueTypes = new ArrayList<>();
    for (String c : columns) {
      valueColumns.add(PushedColumns.column(pushed, c, target.view()));
      valueTypes.add(layout.columns().contains(c) ? layout.columnType(c) : target.earlier().columnType(c));
    }
    Map<ByteBuffer, Integer> keyIndex = new LinkedHashMap<>();
    for (int r = 0; r < rows; r++) {
      byte[] key = encoded.encoded().get(r);
      Integer index = keyIndex.get(ByteBuffer.wrap(key));
      if (index == null) {
        index = u.keys.size();
        keyIndex.put(ByteBuffer.wrap(key), index);
        u.keys.add(key);
        u.keyTexts.add(keyText(keys, encoded.values().get(r)));
        u.rowsOfKey.add(new ArrayList<>());
      }
      u.rowsOfKey.get(index).add(r);
      Object[] rowValues = new Object[valueColumns.size()];
      for (int c = 0; c < rowValues.length; c++) {
        rowValues[c] = PushValues.coerce(valueTypes.get(c), valueColumns.get(c).get(r), columns.get(c), r);
      }
      u.values[r] = rowValues;
      u.events[r] = Timestamps.toMicros(events.get(r));
      Instant c = created == null ? null : created.get(r);
      u.created[r] = c == null ? Long.MIN_VALUE : Timestamps.toMicros(c);
    }
    return u;
  }

  /**
   * Reads the stored rows once, so that a push one of them cannot take is refused before anything is
   * written.
   *
   * @throws ConflictException naming the first such row's key
   */
  void check(OnlineStore store) {
    OnlineStore.VersionedRows stored = store.readForSwap(target.table(), keys);
    for (int i = 0; i < keys.size(); i++) {
      foldInto(i, stored.rows().get(i));
    }
    checked = stored;
  }

  /**
   * What folding a push into tile rows did, summed over its keys.
   *
   * @param applied rows folded into a tile row
   * @param duplicates rows skipped because the row had taken them already (a repeated idempotency
   *     key, a replayed stream offset)
   * @param late rows dropped as older than every tile a window can still read
   */
  record Counts(long applied, long duplicates, long late) {
    static final Counts NONE = new Counts(0, 0, 0);

    Counts plus(Counts o) {
      return new Counts(applied + o.applied, duplicates + o.duplicates, late + o.late);
    }
  }

  /**
   * Folds the rows into their keys' tile rows with compare-and-set ({@link TileRows#swap}), skipping
   * what a row took already from {@code origin}, and records the origin and the wall-clock time of
   * the write ({@link EntityTiles#recordOnlineWrite}) in each row written. Call it after the push's
   * offline append, if any.
   *
   * @param nowMicros the wall-clock time recorded with a push's idempotency key
   * @param appended the file the push added offline, or null: a row a materialization rebuilt from
   *     that file's rows already ({@link PushedFile}) is left as it is
   */
  Counts apply(OnlineStore store, Origin origin, long nowMicros, PushedFile appended) {
    store.createTable(target.table());
    long[][] counts = new long[keys.size()][]; // per key, from the attempt that was written
    OnlineStore.VersionedRows read = checked;
    checked = null;
    TileRows.swap(store, target.table(), keys, read, (i, stored) -> {
      TileLayout into = foldInto(i, stored);
      EntityTiles tiles = into == null ? new EntityTiles(target.layout()) : EntityTiles.decode(into, stored);
      long[] c = new long[3];
      counts[i] = c;
      List<Integer> rows = rowsOfKey.get(i);
      if (origin instanceof Origin.Push(String key) && key != null && tiles.appliedPush(key)
          || appended != null && tiles.appliedPush(appended.key())) {
        c[1] = rows.size();
        return null; // taken already (online, or by a rebuild that read the pushed file): the row stays as it is
      }
      long high = origin instanceof Origin.Stream st ? tiles.appliedOffset(st.stream(), st.partition()) : -1;
      int[] at = positions(into == null ? target.layout() : into);
      Object[] rowValues = new Object[at.length];
      for (int r : rows) {
        if (origin instanceof Origin.Stream st && st.offsets()[r] <= high) {
          c[1]++;
          continue;
        }
        for (int k = 0; k < at.length; k++) {
          rowValues[k] = values[r][at[k]];
        }
        c[tiles.add(events[r], created[r], rowValues) ? 0 : 2]++;
      }
      switch (origin) {
        case Origin.Push(String key) when key != null -> tiles.recordPush(key, nowMicros);
        case Origin.Stream st -> tiles.recordOffset(st.stream(), st.partition(), st.offsets()[rows.getLast()]);
        default -> { }
      }
      if (c[1] == rows.size()) {
        return null;
      }
      // stamped after the push's offline append (apply runs after it): a materialization that started
      // its scan before this time leaves the row alone (TileRebuild)
      tiles.recordOnlineWrite(TileRows.wallMicros());
      return tiles.encode();
    });
    Counts total = Counts.NONE;
    for (long[] c : counts) {
      total = total.plus(new Counts(c[0], c[1], c[2]));
    }
    return total;
  }

  /** Where each column of {@code layout} is among {@link #columns}, for the view's layout and the earlier one. */
  private int[] positions(TileLayout layout) {
    if (layout == target.layout()) {
      return atLayout == null ? atLayout = layout.columns().stream().mapToInt(columns::indexOf).toArray() : atLayout;
    }
    return atEarlier == null ? atEarlier = layout.columns().stream().mapToInt(columns::indexOf).toArray() : atEarlier;
  }

  /**
   * The layout to decode key i's stored row with and fold the pushed rows into; null to start the
   * row afresh (none stored, or one the view's last rebuild left).
   *
   * @throws ConflictException when no layout here fits the stored row
   */
  private TileLayout foldInto(int i, byte[] stored) {
    if (stored == null) {
      return null;
    }
    TileRowHeader header;
    try {
      header = TileRowHeader.of(stored);
    } catch (QuiverException e) {
      throw conflict(i, "is in a format this Quiver does not read");
    }
    TileLayout layout = target.layout();
    TileLayout earlier = target.earlier();
    // a format 1 row names only its input types: try the layout materialization wrote it with first
    TileLayout first = header.exact() || earlier == null ? layout : earlier;
    TileLayout second = first == layout ? earlier : layout;
    if (header.fits(first)) {
      return checked(i, first);
    }
    if (second != null && header.fits(second)) {
      return checked(i, second);
    }
    if (header.exact() && header.fingerprint().getAsLong() != layout.fingerprint() && target.rebuilt()) {
      return null; // left by the view's last rebuild, which had no source rows of its key: rebuilt, it is empty
    }
    throw conflict(i, "was written for other window aggregates (or column types) than the view has now"
        + " and has not been rebuilt since");
  }

  private TileLayout checked(int i, TileLayout into) {
    if (into == target.earlier() && earlierMissing != null) {
      throw conflict(i, "still holds aggregates of column '" + earlierMissing + "' (as the view was last materialized),"
          + " which the pushed rows lack");
    }
    return into;
  }

  private ConflictException conflict(int i, String why) {
    String view = target.view().qualifiedName();
    return new ConflictException("the online tile row of " + view + " for " + keyTexts.get(i) + " " + why
        + "; materialize " + view + " (quiver materialize, or POST /materialize) to rebuild its tiles, then push again;"
        + " nothing was written");
  }

  private static String keyText(List<JoinKey> keys, List<Object> values) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < keys.size(); k++) {
      b.append(k == 0 ? "" : ", ").append(keys.get(k).name()).append('=').append(values.get(k));
    }
    return b.toString();
  }
}
