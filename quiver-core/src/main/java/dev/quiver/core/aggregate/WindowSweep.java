package dev.quiver.core.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Computes one aggregate at many query times of one entity in a single pass: the offline engines'
 * sorted sweep. Rows and query times are fed interleaved in time order — before asking for the
 * value at t, add exactly the rows with {@code event_ts < t} — and the sweep keeps per-hop tile
 * states (the same partials the online tiles hold), a queue of whole tiles in the window (two
 * stacks, so each tile is merged a constant number of times however long the window), and the head
 * tile's state. Each value is then the kernel's merge of the window's tiles and head, which by the
 * order-independence of {@link Aggregator} is bit for bit what the online path produces.
 *
 * <p>Cost: O(rows + queries) merges per entity; memory: the tiles of one window. Not thread-safe;
 * {@link #reset()} between entities.
 */
public final class WindowSweep {
  private final Aggregator aggregator;
  private final WindowSpec window;

  /** Whole tiles, oldest first, not yet in the front stack; their states and merged state. */
  private final List<AggregateState> back = new ArrayList<>();
  private long[] backTiles = new long[16];
  private AggregateState backMerged;
  /** The front stack: top (last) is the oldest tile; each entry holds the merge of it and every newer front tile. */
  private long[] frontTiles = new long[16];
  private AggregateState[] frontSuffix = new AggregateState[16];
  private int frontSize;

  private AggregateState head;
  private Object empty;
  private boolean emptyKnown;
  private long headTile;
  private long lastEvent = Long.MIN_VALUE;
  private boolean started;

  public WindowSweep(Aggregator aggregator, WindowSpec window) {
    this.aggregator = aggregator;
    this.window = window;
  }

  /** Forgets every row: the next rows belong to another entity. */
  public void reset() {
    back.clear();
    backMerged = null;
    Arrays.fill(frontSuffix, 0, frontSize, null);
    frontSize = 0;
    head = null;
    lastEvent = Long.MIN_VALUE;
    started = false;
  }

  /**
   * Adds a row of the entity; event times must not decrease across calls.
   *
   * @param createdMicros {@link Long#MIN_VALUE} when the row has no created time
   * @throws IllegalStateException when rows come out of time order or after a later query time
   */
  public void add(long eventMicros, long createdMicros, Object value) {
    if (started && eventMicros < lastEvent) {
      throw new IllegalStateException("rows must come in event time order: " + eventMicros + " after " + lastEvent);
    }
    started = true;
    lastEvent = eventMicros;
    long tile = window.tile(eventMicros);
    if (head != null && tile != headTile) {
      closeHead();
    }
    if (head == null) {
      head = aggregator.newState();
      headTile = tile;
    }
    aggregator.add(head, value, eventMicros, createdMicros);
  }

  /**
   * The aggregate over the added rows in the window at t. Query times must not decrease between
   * {@link #reset()}s, and every added row must have {@code event_ts < t}.
   */
  public Object valueAt(long t) {
    if (started && lastEvent >= t) {
      throw new IllegalStateException("a row at " + lastEvent + " was added before the query at " + t
          + "; add only rows before the query time");
    }
    long tile = window.tile(t);
    if (head != null && headTile < tile) {
      closeHead();
    }
    if (!window.lifetime()) {
      evictBefore(window.firstTile(t));
    }
    // finish is pure: a window of one piece finishes that piece; only more pieces need a merged state
    AggregateState front = frontSize > 0 ? frontSuffix[frontSize - 1] : null;
    int pieces = (front != null ? 1 : 0) + (backMerged != null ? 1 : 0) + (head != null ? 1 : 0);
    if (pieces == 0) {
      if (!emptyKnown) {
        empty = aggregator.finish(aggregator.newState());
        emptyKnown = true;
      }
      return empty;
    }
    if (pieces == 1) {
      return aggregator.finish(front != null ? front : backMerged != null ? backMerged : head);
    }
    AggregateState result = aggregator.newState();
    if (front != null) {
      aggregator.merge(result, front);
    }
    if (backMerged != null) {
      aggregator.merge(result, backMerged);
    }
    if (head != null) {
      aggregator.merge(result, head);
    }
    return aggregator.finish(result);
  }

  private void closeHead() {
    if (backMerged == null) {
      backMerged = aggregator.copy(head);
    } else {
      aggregator.merge(backMerged, head);
    }
    if (!window.lifetime()) {
      // a lifetime window never evicts, so it keeps only the merged state
      if (back.size() == backTiles.length) {
        backTiles = Arrays.copyOf(backTiles, backTiles.length * 2);
      }
      backTiles[back.size()] = headTile;
      back.add(head);
    }
    head = null;
  }

  /** Drops the tiles before {@code first}, moving the back stack to the front when the front runs dry. */
  private void evictBefore(long first) {
    while (frontSize > 0 && frontTiles[frontSize - 1] < first) {
      frontSuffix[--frontSize] = null;
    }
    if (frontSize > 0 || back.isEmpty() || backTiles[0] >= first) {
      return;
    }
    // flip: the back tiles still in the window become the front stack, newest at the bottom
    int n = back.size();
    if (frontTiles.length < n) {
      frontTiles = new long[n];
      frontSuffix = new AggregateState[n];
    }
    AggregateState suffix = null;
    for (int i = n - 1; i >= 0 && backTiles[i] >= first; i--) {
      suffix = suffix == null ? back.get(i) : merged(suffix, back.get(i));
      frontTiles[frontSize] = backTiles[i];
      frontSuffix[frontSize++] = suffix;
    }
    back.clear();
    backMerged = null;
  }

  private AggregateState merged(AggregateState newer, AggregateState older) {
    AggregateState s = aggregator.copy(older);
    aggregator.merge(s, newer);
    return s;
  }
}
