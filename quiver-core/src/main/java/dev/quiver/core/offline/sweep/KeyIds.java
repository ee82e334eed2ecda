package dev.quiver.core.offline.sweep;

/**
 * Dense ids for tuples of {@code width} longs (a join's integer key columns): an open-addressing
 * hash table with linear probing, each slot's key and id side by side in one array so that a
 * lookup touches one cache line, and a bit filter in front of it (about a byte per key, so it
 * stays in cache) that turns away most tuples that were never added without touching the table.
 * Ids are given in order of first {@link #add}, from 0. Once every tuple is added, {@link #seal}
 * replaces the table of single longs that lie densely in a range (row ids, user ids) with an array
 * indexed by the value itself, no larger than the table, so a lookup is one load with no hashing
 * or probing. Lookups ({@link #find1}, {@link #find2}, {@link #find}) are
 * safe from several threads once adding has finished; adding and sealing are not thread-safe.
 *
 * <p>An engine numbers integer key columns with it (int32 and int64 values alike, as longs: keys
 * compare by value); {@link JoinSlots} then works on the ids.
 */
public final class KeyIds {
  private static final long EMPTY = -1;

  private final int width;
  private final int stride;
  /** Per slot: the key's {@code width} longs, then its id ({@value #EMPTY}: free). */
  private long[] table;
  private int mask;
  private long[] filter;
  private int filterMask;
  private int size;
  /** After {@link #seal}, for dense single longs: the id of {@link #base} + i at i, or -1. */
  private int[] direct;
  private long base;

  /**
   * @param width how many longs a tuple has (the join's key columns), at least 1
   * @param expected about how many distinct tuples will be added: the table is sized for them
   */
  public KeyIds(int width, int expected) {
    if (width < 1) {
      throw new IllegalArgumentException("width " + width);
    }
    this.width = width;
    this.stride = width + 1;
    allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
  }

  private void allocate(int capacity) {
    table = new long[capacity * stride];
    for (int s = 0; s < capacity; s++) {
      table[s * stride + width] = EMPTY;
    }
    mask = capacity - 1;
    // 4 bits per slot, at most half the slots full: 8 or more bits per key
    filter = new long[Math.max(1, capacity * 4 / 64)];
    filterMask = filter.length * 64 - 1;
  }

  /** How many distinct tuples were added. */
  public int size() {
    return size;
  }

  /**
   * Ends adding. For width 1 with values filling at least an eighth of their range, lookups then
   * index an array of ids by value (4 bytes per value in the range, at most the table's 32–64
   * bytes per tuple) and the table is dropped.
   */
  public void seal() {
    if (width != 1 || size == 0 || direct != null) {
      return;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int s = 0; s <= mask; s++) {
      if (table[2 * s + 1] != EMPTY) {
        min = Math.min(min, table[2 * s]);
        max = Math.max(max, table[2 * s]);
      }
    }
    long range = max - min + 1; // overflows (<= 0) only for a range beyond any array
    if (range <= 0 || range > 8L * size || range > Integer.MAX_VALUE - 8) { // - 8: the largest array a JVM allows
      return;
    }
    int[] ids = new int[(int) range];
    java.util.Arrays.fill(ids, -1);
    for (int s = 0; s <= mask; s++) {
      if (table[2 * s + 1] != EMPTY) {
        ids[(int) (table[2 * s] - min)] = (int) table[2 * s + 1];
      }
    }
    base = min;
    direct = ids;
    table = null;
    filter = null;
  }

  /** Whether {@link #seal} chose the array indexed by value. */
  public boolean indexedByValue() {
    return direct != null;
  }

  /** The id of {@code key[0..width)}, adding it when new. */
  public int add(long[] key) {
    if (table == null) {
      throw new IllegalStateException("sealed");
    }
    long h = hash(key);
    int slot = slot(key, h);
    long id = table[slot * stride + width];
    if (id != EMPTY) {
      return (int) id;
    }
    if ((size + 1) * 2 > mask + 1) {
      grow();
      slot = slot(key, h);
    }
    System.arraycopy(key, 0, table, slot * stride, width);
    table[slot * stride + width] = size;
    mark(h);
    return size++;
  }

  /** The id of {@code key[0..width)}, or -1. */
  public int find(long[] key) {
    if (width == 1) {
      return find1(key[0]);
    }
    long h = hash(key);
    if (!maybe(h)) {
      return -1;
    }
    return (int) table[slot(key, h) * stride + width];
  }

  /** {@link #find} for width 1. */
  public int find1(long a) {
    if (direct != null) {
      // unsigned: below base wraps to a huge value; a - base is exact whenever it is in range
      long i = a - base;
      return Long.compareUnsigned(i, direct.length) < 0 ? direct[(int) i] : -1;
    }
    long h = mix(a);
    if (!maybe(h)) {
      return -1;
    }
    int at = ((int) h & mask) * 2;
    while (true) {
      long id = table[at + 1];
      if (id == EMPTY || table[at] == a) {
        return (int) id;
      }
      at = (at + 2) & (2 * mask + 1);
    }
  }

  /** {@link #find} for width 2. */
  public int find2(long a, long b) {
    long h = mix(a * 0x9E3779B97F4A7C15L + b);
    if (!maybe(h)) {
      return -1;
    }
    int slot = (int) h & mask;
    while (true) {
      int at = slot * 3;
      long id = table[at + 2];
      if (id == EMPTY || (table[at] == a && table[at + 1] == b)) {
        return (int) id;
      }
      slot = (slot + 1) & mask;
    }
  }

  private void mark(long h) {
    int bit = (int) (h >>> 32) & filterMask;
    filter[bit >>> 6] |= 1L << bit;
  }

  private boolean maybe(long h) {
    int bit = (int) (h >>> 32) & filterMask;
    return (filter[bit >>> 6] & (1L << bit)) != 0;
  }

  /** The slot holding {@code key}, or the free slot where it would go. */
  private int slot(long[] key, long h) {
    int slot = (int) h & mask;
    while (table[slot * stride + width] != EMPTY && !equalAt(slot, key)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private boolean equalAt(int slot, long[] key) {
    for (int i = 0; i < width; i++) {
      if (table[slot * stride + i] != key[i]) {
        return false;
      }
    }
    return true;
  }

  /** The same hash as {@link #find1} and {@link #find2} use, for any width. */
  private long hash(long[] key) {
    if (width == 1) {
      return mix(key[0]);
    }
    long h = key[0];
    for (int i = 1; i < width; i++) {
      h = h * 0x9E3779B97F4A7C15L + key[i];
    }
    return mix(h);
  }

  private void grow() {
    long[] old = table;
    int oldCapacity = mask + 1;
    allocate(oldCapacity * 2);
    long[] key = new long[width];
    for (int s = 0; s < oldCapacity; s++) {
      long id = old[s * stride + width];
      if (id != EMPTY) {
        System.arraycopy(old, s * stride, key, 0, width);
        long h = hash(key);
        int slot = slot(key, h);
        System.arraycopy(key, 0, table, slot * stride, width);
        table[slot * stride + width] = id;
        mark(h);
      }
    }
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
