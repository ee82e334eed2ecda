package dev.quiver.online.rocksdb;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Rows this process wrote, by (table, key), so a write's next read of its key needs no RocksDB read:
 * the bytes one kind of writer needs again (whole tile rows for {@link RowSwaps}, order headers for
 * {@link NewestWinsWrites}). An entry, while it stands, holds what RocksDB stores for its key: every
 * write of the store (of any kind) records or {@linkplain #forget forgets} its keys' entries under the
 * keys' stripes, after its RocksDB write and <em>before</em> it bumps their write counters
 * ({@link RowVersions}); a dropped table {@linkplain #clear clears} them. So a reader that reads a
 * key's counter and then its entry gets the row stored at that counter or a later one, as from
 * RocksDB. The store starts empty (a restart reads from RocksDB).
 *
 * <p>Two-way set-associative: a key may sit in one of two neighbouring places of a fixed array, and a
 * key written where both are taken evicts one (evicting is always safe: a missing entry is read from
 * RocksDB). Only writers of a key (holding its stripe, so one at a time) create its entries, so no
 * older entry of a key outlives a newer one. Bounded: a row is not kept (its key's entry is
 * forgotten) while the kept bytes (keys, rows and about 64 bytes of overhead each) would pass {@code
 * budget}'s bound, shared by the store's two instances. Thread-safe.
 */
final class WrittenRows {
  /** What an entry costs beyond its key and bytes (the entry object, the arrays' headers, its place), about. */
  static final int OVERHEAD = 64;

  /** One key's row: immutable, so a reader sees it whole; size: what it counts against the bound. */
  private record Known(int hash, String table, byte[] key, byte[] bytes, int size) {
    boolean is(int h, String t, byte[] k) {
      return hash == h && Arrays.equals(key, k) && table.equals(t);
    }
  }

  private final AtomicReferenceArray<Known> entries;
  private final int mask;
  private final Budget budget;

  /** The bytes kept by the instances sharing it, and their bound. */
  static final class Budget {
    private final long maxBytes;
    private final AtomicLong kept = new AtomicLong();

    /** At most {@code maxBytes} kept; 0 keeps nothing. */
    Budget(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    /** The bytes kept now (keys, rows, overhead). */
    long kept() {
      return kept.get();
    }

    long max() {
      return maxBytes;
    }
  }

  /** {@code count} places (a power of two, at least 2) kept within {@code budget}. */
  WrittenRows(int count, Budget budget) {
    if (Integer.bitCount(count) != 1 || count < 2) {
      throw new IllegalArgumentException("places must be a power of two from 2, not " + count);
    }
    entries = new AtomicReferenceArray<>(count);
    mask = count - 1;
    this.budget = budget;
  }

  /** The hash entries are placed by, of a key's {@link KeyRef#hash} and its table's {@link String#hashCode()}. */
  static int hash(int keyHash, int tableHash) {
    int h = keyHash * 31 + tableHash;
    h ^= h >>> 15;
    h *= 0x2c1b3c6d;
    h ^= h >>> 12;
    return h;
  }

  /**
   * The bytes recorded for {@code key}'s stored row, or null. The caller must not change them.
   *
   * @param hash {@link #hash} of the key and table
   */
  byte[] at(int hash, String table, byte[] key) {
    int i = hash & mask;
    Known k = entries.get(i);
    if (k != null && k.is(hash, table, key)) {
      return k.bytes;
    }
    k = entries.get(i ^ 1);
    return k != null && k.is(hash, table, key) ? k.bytes : null;
  }

  /** Drops every entry (a dropped table: its rows are gone); the caller excludes every writer and reader. */
  void clear() {
    long freed = 0;
    for (int i = 0; i < entries.length(); i++) {
      Known old = entries.getAndSet(i, null);
      freed += old == null ? 0 : old.size();
    }
    budget.kept.addAndGet(-freed);
  }

  /** A recording of the rows one write call stored; {@link Recording#close} counts their bytes at once. */
  Recording recording() {
    return new Recording();
  }

  /**
   * The rows one write call stored (or deleted), recorded as it goes; their bytes are counted against
   * the bound when it closes (once per call, not per row: the bound may be passed by about one call's
   * rows). The caller holds the stripes of the keys it records, and records each after its RocksDB
   * write and before bumping its write counter. Not thread-safe: one per call.
   */
  final class Recording implements AutoCloseable {
    private long added;

    private Recording() {}

    /** Records {@code bytes} (kept as they are: the caller hands them over) as {@code key}'s stored row. */
    void wrote(int hash, String table, byte[] key, byte[] bytes) {
      int size = OVERHEAD + key.length + bytes.length;
      int i = hash & mask;
      Known a = entries.get(i);
      Known b = entries.get(i ^ 1);
      int at;
      if (a != null && a.is(hash, table, key)) {
        at = i;
      } else if (b != null && b.is(hash, table, key)) {
        at = i ^ 1;
      } else if (a == null || b != null && (hash & (mask + 1)) == 0) {
        at = i; // a free place, or the evicted one: one of the two by another bit of the hash
      } else {
        at = i ^ 1;
      }
      Known old = at == i ? a : b;
      if (budget.kept.get() + added + size - (old == null ? 0 : old.size()) > budget.maxBytes) {
        forget(hash, table, key); // full: the key's old row may not stay
        return;
      }
      old = entries.getAndSet(at, new Known(hash, table, key.clone(), bytes, size));
      added += size - (old == null ? 0 : old.size());
    }

    /** Forgets {@code key}'s entry (its row was deleted, or written by a kind of write that keeps other bytes). */
    void forget(int hash, String table, byte[] key) {
      int i = hash & mask;
      forgetAt(i, hash, table, key);
      forgetAt(i ^ 1, hash, table, key);
    }

    private void forgetAt(int p, int hash, String table, byte[] key) {
      Known k = entries.get(p);
      if (k != null && k.is(hash, table, key) && entries.compareAndSet(p, k, null)) {
        added -= k.size();
      }
    }

    @Override
    public void close() {
      if (added != 0) {
        budget.kept.addAndGet(added);
      }
    }
  }

  /** The bytes kept now by every instance sharing the budget (keys, rows, overhead), for tests. */
  long keptBytes() {
    return budget.kept();
  }
}
