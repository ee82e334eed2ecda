package dev.quiver.core.offline.sweep;

/**
 * One view join's query rows as slots sorted by (key id, t), and for each slot the greatest source
 * row {@code (event, created, position)} whose event time falls in {@code (t of the previous slot
 * of the key, t]}. The row a query row picks is the greatest over its slot and the key's earlier
 * slots ({@link #pickInto}): the latest row with {@code event <= t}, ties broken by created time,
 * then position, exactly as DESIGN §3 orders rows. Source rows can be offered in any order and no
 * source row is kept, so memory is a few dozen bytes per query row whatever the source's size.
 *
 * <p>Finding a row's slot starts from the slot its key's previous row found, so a source in (or
 * near) time order, as event logs are, costs a comparison or two per row instead of a binary
 * search. The tie order and the TTL bound are {@link PointInTimeRules}'. Not thread-safe: one
 * thread offers.
 *
 * <p>This is the embedded engine's hash ASOF join (one machine, the query side in memory, the
 * source streamed in any order); a distributed engine that sorts by key runs {@link JoinSweep}.
 */
public final class JoinSlots {
  private static final long NONE = -1;

  private final int[] offsets;
  private final long[] times;
  private final int[] rows;
  /**
   * Per key ({@value #STRIDE} longs, so mostly one cache line), where its previous row's search
   * ended: the time of the slot before (or {@link Long#MIN_VALUE}), the slot's time (or {@link
   * Long#MAX_VALUE} past the last), the slot ({@code -1 - slot} past the last), then that slot's
   * best row so far (event, created, position). A row between the two times belongs to that slot,
   * and updates the best row here; {@link #best} receives it when the cursor moves.
   */
  private final long[] cursor;
  private static final int STRIDE = 6;
  /** Per slot: event, created, position; position {@value #NONE} when no row was offered. */
  private final long[] best;
  private final long ttlMicros;

  /**
   * @param keys how many key ids there are
   * @param kid per query row (in ascending t order), its key id, or -1 when it matches nothing
   * @param t per query row, its time in µs
   * @param row per query row, its position in the query input
   * @param n how many query rows the arrays hold
   * @param ttlMicros the view's TTL in µs ({@link PointInTimeRules#ttlMicros}), or -1 for none
   */
  public JoinSlots(int keys, int[] kid, long[] t, int[] row, int n, long ttlMicros) {
    this.ttlMicros = ttlMicros;
    offsets = new int[keys + 1];
    for (int i = 0; i < n; i++) {
      if (kid[i] >= 0) {
        offsets[kid[i] + 1]++;
      }
    }
    for (int k = 0; k < keys; k++) {
      offsets[k + 1] += offsets[k];
    }
    int slots = offsets[keys];
    times = new long[slots];
    rows = new int[slots];
    int[] fill = new int[keys];
    System.arraycopy(offsets, 0, fill, 0, keys);
    // a stable counting sort by key id: the input is in t order, so each key's slots are too
    for (int i = 0; i < n; i++) {
      int k = kid[i];
      if (k >= 0) {
        int s = fill[k]++;
        times[s] = t[i];
        rows[s] = row[i];
      }
    }
    best = new long[3 * slots];
    for (int s = 0; s < slots; s++) {
      best[3 * s + 2] = NONE;
    }
    cursor = new long[STRIDE * keys];
    for (int k = 0; k < keys; k++) {
      moveTo(k, offsets[k]);
    }
  }

  /** Written by {@link #touch} so that the loads it makes are not optimized away. */
  private long touched;

  /**
   * Loads the cursor of each key in {@code kid[from, to)} (ids below 0 skipped) in a loop that does
   * nothing else, so that their cache misses overlap; the {@link #offer}s that follow then find them
   * in cache.
   */
  public void touch(int[] kid, int from, int to) {
    long sum = 0;
    for (int i = from; i < to; i++) {
      int k = kid[i];
      if (k >= 0) {
        sum += cursor[STRIDE * k];
      }
    }
    touched += sum;
  }

  /**
   * Offers a source row of key {@code kid}.
   *
   * @param created the created time, or {@link PointInTimeRules#NO_CREATED}
   * @param position the row's place in the source (files in sorted path order, rows in file order)
   */
  public void offer(int kid, long event, long created, long position) {
    int at = STRIDE * kid;
    if (!(cursor[at] < event && event <= cursor[at + 1])) {
      long found = cursor[at + 2];
      park(kid);
      moveTo(kid, search(offsets[kid], offsets[kid + 1], (int) (found < 0 ? -1 - found : found), event));
    }
    if (cursor[at + 2] < 0) {
      return; // after every query time of the key
    }
    long p = cursor[at + 5];
    if (p == NONE || PointInTimeRules.later(event, created, position, cursor[at + 3], cursor[at + 4], p)) {
      cursor[at + 3] = event;
      cursor[at + 4] = created;
      cursor[at + 5] = position;
    }
  }

  /** Stores the best row of the key's cursor slot in {@link #best}. */
  private void park(int kid) {
    int at = STRIDE * kid;
    long slot = cursor[at + 2];
    if (slot >= 0) {
      int b = 3 * (int) slot;
      best[b] = cursor[at + 3];
      best[b + 1] = cursor[at + 4];
      best[b + 2] = cursor[at + 5];
    }
  }

  /** Points the key's cursor at {@code slot}, taking up that slot's best row so far. */
  private void moveTo(int kid, int slot) {
    int at = STRIDE * kid;
    boolean past = slot == offsets[kid + 1];
    cursor[at] = slot == offsets[kid] ? Long.MIN_VALUE : times[slot - 1];
    cursor[at + 1] = past ? Long.MAX_VALUE : times[slot];
    cursor[at + 2] = past ? -1 - slot : slot;
    if (!past) {
      int b = 3 * slot;
      cursor[at + 3] = best[b];
      cursor[at + 4] = best[b + 1];
      cursor[at + 5] = best[b + 2];
    }
  }

  /** The first slot in {@code [start, end)} whose time is at or after {@code event}, galloping from {@code c}. */
  private int search(int start, int end, int c, long event) {
    int lo;
    int hi;
    if (c < end && times[c] < event) {
      lo = c + 1;
      hi = c + 1;
      for (int step = 1; hi < end && times[hi] < event; step <<= 1) {
        lo = hi + 1;
        hi += step;
      }
      hi = Math.min(hi, end);
    } else {
      hi = c;
      lo = c;
      for (int step = 1; lo > start && times[lo - 1] >= event; step <<= 1) {
        hi = lo - 1;
        lo -= step;
      }
      lo = Math.max(lo, start);
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < event) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Every query row's pick — the greatest row over its key's slots up to its own, within the TTL —
   * into {@code picked[row]}, clearing {@code none[row]}; rows without a pick are left alone.
   */
  public void pickInto(long[] picked, boolean[] none) {
    for (int k = 0; k + 1 < offsets.length; k++) {
      park(k);
    }
    for (int k = 0; k + 1 < offsets.length; k++) {
      long event = 0;
      long created = 0;
      long position = NONE;
      for (int s = offsets[k]; s < offsets[k + 1]; s++) {
        int b = 3 * s;
        long p = best[b + 2];
        if (p != NONE && (position == NONE || PointInTimeRules.later(best[b], best[b + 1], p, event, created, position))) {
          event = best[b];
          created = best[b + 1];
          position = p;
        }
        if (position != NONE && PointInTimeRules.ttlAdmits(event, times[s], ttlMicros)) {
          picked[rows[s]] = position;
          none[rows[s]] = false;
        }
      }
    }
  }
}
