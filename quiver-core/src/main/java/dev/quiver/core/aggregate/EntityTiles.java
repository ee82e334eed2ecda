package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The online aggregation state of one entity in one view (DESIGN §3, window aggregates): per
 * {@link TileLayout.Family}, one kernel state per hop tile {@code [i·H, (i+1)·H)}, and a raw
 * <em>head</em> of per-event-time states for the newest events.
 *
 * <p><b>Exactness.</b> Events older than the <em>boundary</em> {@code B} (the newest event time
 * minus {@link #HEAD_MICROS}) are merged into their tiles; newer ones stay in the head, one state
 * per distinct event time. The window at t is {@code [align(t − W, H), t)}: whole tiles from the
 * window's first tile on (compacted events are all {@code < B}, so for {@code t >= B} every tile
 * from there is inside the window), plus the head events in the window. For every {@code t >= B}
 * — in particular at any time after the newest event, and a little before it, so rows that arrive
 * with a clock slightly ahead are still split exactly — the value equals the offline value bit for
 * bit, because every kernel is order-independent. Before {@code B} the tile holding t cannot be
 * split and is left out.
 *
 * <p><b>Size.</b> Tiles older than the longest fixed window at {@code B} are dropped, or, when a
 * family has a lifetime window, merged into one "rest" state; so a row holds about {@code W / H}
 * tiles per family whatever the number of events; a fixed-window {@code last} family keeps none older
 * than its newest tile with a value, which every window that could read them also reads ({@link
 * ShadowedTiles}).
 *
 * <p>Rows may arrive in any order (late rows update their tile); a row older than every tile a
 * window can still read is dropped, and {@link #add} says so. Adding a row twice counts it twice:
 * callers make writes idempotent — the row records what it took ({@link #appliedOffset}, {@link
 * #appliedPush}) so a replayed stream offset or push is recognised, and a rebuild from the offline
 * store keeps what is newer than its horizon ({@link #keepNewer}). Not thread-safe.
 */
public final class EntityTiles {
  /** The format version of {@link #encode()}; rows of formats 1 and 2 are read too ({@link TileRowHeader}). */
  public static final int FORMAT = 3;

  /** How far behind the newest event the head reaches (system property {@code quiver.tiles.head-seconds}, default 60). */
  public static final long HEAD_MICROS = Long.getLong("quiver.tiles.head-seconds", 60) * 1_000_000L;

  /** The tile index of a lifetime family's merged old part. */
  static final long REST = Long.MIN_VALUE;

  private final TileLayout layout;
  final TreeMap<Long, TileState>[] tiles;
  /** Per family with a {@link TileLayout.Family#coarseSpan() coarse span} m: block c holds tiles [c·m, (c+1)·m). */
  final TreeMap<Long, TileState>[] coarse;
  final TreeMap<Long, AggregateState[]> head = new TreeMap<>();
  long maxEvent = Long.MIN_VALUE;
  long boundary = Long.MIN_VALUE;
  final AppliedWrites applied = new AppliedWrites();

  @SuppressWarnings("unchecked")
  public EntityTiles(TileLayout layout) {
    this.layout = layout;
    this.tiles = new TreeMap[layout.families().size()];
    this.coarse = new TreeMap[layout.families().size()];
    for (int f = 0; f < tiles.length; f++) {
      tiles[f] = new TreeMap<>();
      coarse[f] = new TreeMap<>();
    }
  }

  public TileLayout layout() {
    return layout;
  }

  /** The newest event time added, UTC microseconds; {@link Long#MIN_VALUE} when empty. */
  public long maxEvent() {
    return maxEvent;
  }

  /** Events before this time are in tiles; reads at or after it are exact. */
  public long boundary() {
    return boundary;
  }

  public boolean isEmpty() {
    return maxEvent == Long.MIN_VALUE;
  }

  /**
   * Adds one source row.
   *
   * @param values the row's values of {@link TileLayout#columns()}, aligned; nulls are skipped
   * @param createdMicros {@link Long#MIN_VALUE} when the row has no created time
   * @return false when the row was dropped as late: older than every tile any window read at or
   *     after the boundary includes (it could never be read)
   */
  public boolean add(long eventMicros, long createdMicros, Object[] values) {
    advance(eventMicros);
    int families = tiles.length;
    if (eventMicros < boundary && tooOld(eventMicros)) {
      return false;
    }
    if (eventMicros >= boundary) {
      AggregateState[] states = head.get(eventMicros);
      if (states == null) {
        states = new AggregateState[families];
        for (int f = 0; f < families; f++) {
          states[f] = layout.families().get(f).aggregator().newState();
        }
        head.put(eventMicros, states);
      }
      for (int f = 0; f < families; f++) {
        if (layout.keeps(f, values)) {
          layout.families().get(f).aggregator().add(states[f], value(values, f), eventMicros, createdMicros);
        }
      }
      return true;
    }
    for (int f = 0; f < families; f++) {
      if (!layout.keeps(f, values)) {
        continue;
      }
      Aggregator agg = layout.families().get(f).aggregator();
      Object v = value(values, f);
      AggregateState s = tileFor(f, eventMicros);
      if (s != null) {
        agg.add(s, v, eventMicros, createdMicros);
        AggregateState c = coarseFor(f, eventMicros);
        if (c != null) {
          agg.add(c, v, eventMicros, createdMicros);
        }
      }
    }
    return true;
  }

  /** Moves the newest event and the boundary for an event added at {@code eventMicros}. */
  private void advance(long eventMicros) {
    if (eventMicros > maxEvent) {
      maxEvent = eventMicros;
      long b = eventMicros - HEAD_MICROS;
      if (b > boundary) {
        moveBoundary(b);
      }
    }
  }

  /** True when no family keeps a tile for an event this old (before the boundary). */
  private boolean tooOld(long eventMicros) {
    for (TileLayout.Family fam : layout.families()) {
      if (fam.lifetime() || fam.tile(eventMicros) >= firstKept(fam)) {
        return false;
      }
    }
    return true;
  }

  /** Merges one head entry (a state per family at one event time) in, as {@link #add} adds a row. */
  private void addStates(long eventMicros, AggregateState[] states) {
    advance(eventMicros);
    if (eventMicros >= boundary) {
      AggregateState[] into = head.get(eventMicros);
      if (into == null) {
        into = new AggregateState[tiles.length];
        for (int f = 0; f < tiles.length; f++) {
          into[f] = layout.families().get(f).aggregator().copy(states[f]);
        }
        head.put(eventMicros, into);
        return;
      }
      for (int f = 0; f < tiles.length; f++) {
        layout.families().get(f).aggregator().merge(into[f], states[f]);
      }
      return;
    }
    for (int f = 0; f < tiles.length; f++) {
      AggregateState s = tileFor(f, eventMicros);
      if (s != null) {
        layout.families().get(f).aggregator().merge(s, states[f]);
        AggregateState c = coarseFor(f, eventMicros);
        if (c != null) {
          layout.families().get(f).aggregator().merge(c, states[f]);
        }
      }
    }
  }

  /**
   * The horizon of a rebuild to {@code endMicros} over a stored row (DESIGN §3, backfills never
   * regress): one microsecond after END, or the stored row's boundary when that is later (its tiles
   * before the boundary cannot be split, so the rebuild takes everything before it from the
   * offline store). {@code stored} may be null.
   */
  public static long horizon(long endMicros, EntityTiles stored) {
    long h = endMicros + 1;
    return stored == null ? h : Math.max(h, stored.boundary);
  }

  /**
   * Completes a row rebuilt from offline rows with event times before {@code horizon} with what the
   * stored row holds from the horizon on — its head entries at or after it (pushes, stream events,
   * earlier runs newer than the rebuild) — and with every record of what the stored row took
   * ({@link #appliedOffset}, {@link #appliedPush}). {@code horizon} must be at or after the stored
   * row's boundary ({@link #horizon}), so every contribution at or after it is in the head, exactly.
   *
   * @param stored a row of the same layout
   */
  public void keepNewer(EntityTiles stored, long horizon) {
    if (horizon < stored.boundary) {
      throw new IllegalArgumentException("horizon " + horizon + " is before the stored row's boundary " + stored.boundary);
    }
    for (Map.Entry<Long, AggregateState[]> e : stored.head.tailMap(horizon, true).entrySet()) {
      addStates(e.getKey(), e.getValue());
    }
    applied.mergeFrom(stored.applied);
  }

  /** True when nothing of {@link #keepNewer keepNewer(stored, horizon)} would change this row. */
  public static boolean nothingNewer(EntityTiles stored, long horizon) {
    return stored.applied.isEmpty() && stored.head.ceilingKey(horizon) == null;
  }

  // ---- what the row took: stream offsets and push idempotency keys ---------------------------

  /** The highest offset of a stream partition this row took, or -1 when none. */
  public long appliedOffset(String stream, int partition) {
    return applied.offset(stream, partition);
  }

  /** Records that the row took a stream partition's events up to {@code offset} (keeps the highest). */
  public void recordOffset(String stream, int partition, long offset) {
    applied.recordOffset(stream, partition, offset);
  }

  /**
   * How long a row remembers a pushed file a rebuild read ({@code file:<name>} among its push keys), in
   * micros ({@code quiver.tiles.pushed-file-minutes}, default 10 min).
   */
  public static final long PUSHED_FILE_MICROS = AppliedWrites.FILE_KEY_MICROS;

  /** True when the row took the push with this idempotency key (within the remembered window). */
  public boolean appliedPush(String idempotencyKey) {
    return applied.hasPush(idempotencyKey);
  }

  /**
   * Records that the row took the push with this idempotency key at {@code nowMicros}. A row
   * remembers keys for {@code quiver.tiles.push-key-hours} (default 24) and at most {@code
   * quiver.tiles.push-keys} (default 256) of them, forgetting the oldest first.
   */
  public void recordPush(String idempotencyKey, long nowMicros) {
    applied.recordPush(idempotencyKey, nowMicros);
  }

  /**
   * Records that the row takes an online write (a push, a stream batch) now: {@code wallMicros} is
   * the wall-clock time (UTC micros) after the write's offline append, if any. Kept through rebuilds
   * ({@link #keepNewer}); see {@link #writtenOnlineSince}.
   */
  public void recordOnlineWrite(long wallMicros) {
    applied.recordOnlineWrite(wallMicros);
  }

  /**
   * True when the row took an online write at or after {@code sinceMicros} (wall-clock UTC micros of
   * this process), or, for a write another process stamped (or several did), at or after {@code
   * sinceMicros - skewMicros}: a materialization whose offline scan started at {@code sinceMicros}
   * may not hold what that write appended offline, so it must not rebuild the row.
   */
  public boolean writtenOnlineSince(long sinceMicros, long skewMicros) {
    return applied.writtenOnlineSince(sinceMicros, skewMicros);
  }

  /** The coarse block of a kept (not REST) old event, created if needed; null without a coarse level. */
  private AggregateState coarseFor(int family, long eventMicros) {
    TileLayout.Family fam = layout.families().get(family);
    int m = fam.coarseSpan();
    if (m == 0) {
      return null;
    }
    long block = Math.floorDiv(fam.tile(eventMicros), m);
    long first = firstKept(fam);
    // a block that starts before the first kept tile is never read (and with a lifetime window its
    // older tiles are also in REST): keep none
    if (first != Long.MIN_VALUE && block * m < first) {
      return null;
    }
    return coarse[family].computeIfAbsent(block, i -> TileState.of(fam.aggregator().newState())).state(fam.aggregator());
  }

  private Object value(Object[] values, int family) {
    int c = layout.columnIndex(family);
    return c < 0 ? null : values[c];
  }

  /** The state of the tile holding an old event, created if needed; null when the event is too old to matter. */
  private AggregateState tileFor(int family, long eventMicros) {
    TileLayout.Family fam = layout.families().get(family);
    long index = fam.tile(eventMicros);
    if (index < firstKept(fam)) {
      if (!fam.lifetime()) {
        return null;
      }
      index = REST;
    }
    return tiles[family].computeIfAbsent(index, i -> TileState.of(fam.aggregator().newState())).state(fam.aggregator());
  }

  /** The oldest tile a window at a time {@code >= boundary} can include (older ones merge into REST or go). */
  private long firstKept(TileLayout.Family fam) {
    return boundary == Long.MIN_VALUE ? Long.MIN_VALUE : fam.tile(boundary - fam.longestMicros());
  }

  /** Moves head events before {@code b} into their tiles, then drops or merges tiles out of every window. */
  private void moveBoundary(long b) {
    boundary = b;
    for (Iterator<Map.Entry<Long, AggregateState[]>> it = head.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, AggregateState[]> e = it.next();
      if (e.getKey() >= b) {
        break;
      }
      for (int f = 0; f < tiles.length; f++) {
        AggregateState s = tileFor(f, e.getKey());
        if (s != null) {
          layout.families().get(f).aggregator().merge(s, e.getValue()[f]);
          AggregateState c = coarseFor(f, e.getKey());
          if (c != null) {
            layout.families().get(f).aggregator().merge(c, e.getValue()[f]);
          }
        }
      }
      it.remove();
    }
    for (int f = 0; f < tiles.length; f++) {
      TileLayout.Family fam = layout.families().get(f);
      long first = firstKept(fam);
      int m = fam.coarseSpan();
      if (m > 0) {
        // a block that starts before the first kept tile is never read again (see coarseFor)
        while (!coarse[f].isEmpty() && coarse[f].firstKey() * m < first) {
          coarse[f].pollFirstEntry();
        }
      }
      TreeMap<Long, TileState> t = tiles[f];
      for (Long k = t.higherKey(REST); k != null && k < first; k = t.higherKey(REST)) {
        TileState old = t.remove(k);
        if (fam.lifetime()) {
          TileState rest = t.get(REST);
          if (rest == null) {
            t.put(REST, old);
          } else {
            fam.aggregator().merge(rest.state(fam.aggregator()), old.state(fam.aggregator()));
          }
        }
      }
    }
  }

  // ---- the byte format --------------------------------------------------------------------------

  /**
   * The row as bytes: format byte, the layout's signature and fingerprint, the newest event and the
   * boundary, the head (newest first: event time, one state per family), then per family a
   * length-prefixed section of its tiles, newest first, then what the row took (stream offsets,
   * push idempotency keys; see docs/online-encoding.md).
   */
  public byte[] encode() {
    EncodeScratch scratch = ENCODE_SCRATCH.get();
    StateCodec.Sink out = scratch.out;
    out.reset(EncodeScratch.MAX_KEPT);
    out.u8(FORMAT);
    out.bytes(layout.signatureBytes());
    out.be64(layout.fingerprint());
    out.zigzag(maxEvent);
    out.zigzag(boundary);
    out.varint(head.size());
    for (Map.Entry<Long, AggregateState[]> e : head.descendingMap().entrySet()) {
      out.zigzag(e.getKey());
      for (int f = 0; f < tiles.length; f++) {
        layout.families().get(f).aggregator().write(e.getValue()[f], out);
      }
    }
    out.varint(tiles.length);
    StateCodec.Sink section = scratch.section;
    section.reset(EncodeScratch.MAX_KEPT);
    StateCodec.Sink one = scratch.one;
    one.reset(EncodeScratch.MAX_KEPT);
    for (int f = 0; f < tiles.length; f++) {
      Aggregator agg = layout.families().get(f).aggregator();
      ShadowedTiles.drop(this, f);
      section.reset();
      section.varint(layout.families().get(f).coarseSpan());
      section.varint(coarse[f].size());
      long previous = 0;
      boolean first = true;
      for (Map.Entry<Long, TileState> e : coarse[f].descendingMap().entrySet()) {
        section.zigzag(first ? e.getKey() : previous - e.getKey());
        previous = e.getKey();
        first = false;
        e.getValue().writeSized(agg, section, one);
      }
      section.varint(tiles[f].size());
      previous = 0;
      first = true;
      for (Map.Entry<Long, TileState> e : tiles[f].descendingMap().entrySet()) {
        long index = e.getKey();
        if (index == REST) {
          section.u8(1);
        } else {
          section.u8(0);
          section.zigzag(first ? index : previous - index);
          previous = index;
          first = false;
        }
        e.getValue().writeSized(agg, section, one);
      }
      out.bytes(section);
    }
    applied.write(out);
    return out.toByteArray();
  }

  /**
   * The buffers {@link #encode} writes into, one set per thread and reused: a consumer encodes a
   * row per key and batch, and growing fresh buffers to a row's size each time showed in its
   * profile. The result is copied out, so nothing refers to them after an encode.
   */
  private static final class EncodeScratch {
    static final int MAX_KEPT = 1 << 20;
    final StateCodec.Sink out = new StateCodec.Sink();
    final StateCodec.Sink section = new StateCodec.Sink();
    final StateCodec.Sink one = new StateCodec.Sink();
  }

  private static final ThreadLocal<EncodeScratch> ENCODE_SCRATCH = ThreadLocal.withInitial(EncodeScratch::new);

  /**
   * Reads a row that {@link #encode()} wrote for the same layout (see {@link TileRowHeader#fits}).
   * The head is decoded at once; each tile and coarse block only when a change reaches it (until
   * then {@link #encode()} copies its bytes), so folding a few events into a long row stays cheap.
   *
   * @throws QuiverException when the row was written for other input types, other families or in
   *     an unknown format, or its structure is corrupt (a tile's state bytes are checked when it is
   *     first changed)
   */
  public static EntityTiles decode(TileLayout layout, byte[] bytes) {
    TileLayout written = TileRowBytes.writtenWith(layout, bytes);
    if (written != layout) {
      return UnsharedRows.shared(layout, decode(written, bytes));
    }
    StateCodec.Source in = new StateCodec.Source(bytes);
    int format = TileRowBytes.header(layout, in);
    EntityTiles row = new EntityTiles(layout);
    row.maxEvent = in.zigzag();
    row.boundary = in.zigzag();
    int families = layout.families().size();
    int heads = in.count(1);
    for (int h = 0; h < heads; h++) {
      long event = in.zigzag();
      AggregateState[] states = new AggregateState[families];
      for (int f = 0; f < families; f++) {
        states[f] = layout.families().get(f).aggregator().read(in);
      }
      row.head.put(event, states);
    }
    TileRowBytes.checkFamilies(layout, in.count(1));
    for (int f = 0; f < families; f++) {
      in.varint(); // the section's length
      TileRowBytes.checkSpan(layout, f, (int) in.varint());
      int blocks = in.count(1);
      long previous = 0;
      for (int i = 0; i < blocks; i++) {
        long d = in.zigzag();
        long index = i == 0 ? d : previous - d;
        previous = index;
        row.coarse[f].put(index, stored(bytes, in));
      }
      int n = in.count(1);
      TileRowBytes.TileIndexes indexes = new TileRowBytes.TileIndexes();
      for (int i = 0; i < n; i++) {
        long index = indexes.next(in);
        row.tiles[f].put(index, stored(bytes, in));
      }
    }
    if (format >= 3) {
      row.applied.read(in);
    }
    in.end();
    return row;
  }

  /** The sized state {@code in} is at, left undecoded ({@link TileState}); moves past it. */
  private static TileState stored(byte[] bytes, StateCodec.Source in) {
    int length = (int) in.varint();
    int offset = in.position();
    in.skip(length);
    return TileState.stored(bytes, offset, length);
  }

  /**
   * The value of every slot of the layout at time t, straight from a row's bytes (the serving
   * path): per family one pass over the head and the tiles, newest first, merging each piece once
   * into a running state and finishing each slot when the pass leaves its window, so the cost is one
   * merge per tile of the family's longest window requested. Aligned with {@link TileLayout#slots()}.
   */
  public static Object[] read(TileLayout layout, byte[] bytes, long t) {
    return TileRowBytes.read(layout, bytes, t);
  }
}
