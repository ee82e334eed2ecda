package dev.quiver.online.rocksdb;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What a kind of write last stored, so its next write of a key skips reading the row from RocksDB:
 * per {@link RowVersions} slot (several slots share an entry), the table, the key and the bytes the
 * writer needs again (a whole tile row for {@link RowSwaps}, an order header for {@link
 * NewestWinsWrites}) of the row the last such write of that slot stored, and the slot's write counter
 * just after that write. An entry answers for its key only while the slot's counter is still that
 * value: any later write of the slot (of any kind, of any key in it, a dropped table) moves the
 * counter, and the row is read from RocksDB again. Entries are recorded under the key's stripe,
 * right after the write's counter bump, so no other write of the slot lies between the two.
 *
 * <p>Bounded: at most {@code entries} entries, and a row is not kept while the kept bytes (keys,
 * rows and about 64 bytes of overhead each) would pass {@code maxBytes}. Thread-safe.
 */
final class WrittenRows {
  /** What an entry costs beyond its key and bytes (the entry, the arrays' headers), about. */
  private static final int OVERHEAD = 64;

  /** One slot's last row: immutable, so a reader sees it whole; size: what it counts against the bound. */
  private record Known(int slot, long version, String table, byte[] key, byte[] bytes, int size) {}

  private final AtomicReferenceArray<Known> entries;
  private final int mask;
  private final long maxBytes;
  private final AtomicLong kept = new AtomicLong();

  /** {@code count} entries (a power of two) of at most {@code maxBytes} together. */
  WrittenRows(int count, long maxBytes) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("entries must be a power of two, not " + count);
    }
    entries = new AtomicReferenceArray<>(count);
    mask = count - 1;
    this.maxBytes = maxBytes;
  }

  /**
   * The bytes recorded for {@code key}'s stored row, when the last write of its slot recorded here
   * wrote it and the slot's counter is still {@code version} (read by the caller before this call);
   * else null. The caller must not change them.
   */
  byte[] at(int slot, long version, String table, byte[] key) {
    Known k = entries.get(slot & mask);
    if (k == null || k.slot != slot || k.version != version || !Arrays.equals(k.key, key) || !k.table.equals(table)) {
      return null;
    }
    return k.bytes;
  }

  /** A recording of the rows one write call stored; {@link Recording#close} counts their bytes at once. */
  Recording recording() {
    return new Recording();
  }

  /**
   * The rows one write call stored, recorded as it goes; their bytes are counted against the bound
   * when it closes (once per call, not per row: the bound may be passed by about one call's rows).
   * Not thread-safe: one per call.
   */
  final class Recording implements AutoCloseable {
    private long added;

    private Recording() {}

    /**
     * Records {@code bytes} (kept as they are: the caller hands them over) for {@code key}'s row;
     * the caller holds the key's stripe and has just bumped its slot to {@code version}.
     */
    void wrote(int slot, long version, String table, byte[] key, byte[] bytes) {
      int size = OVERHEAD + key.length + bytes.length;
      int i = slot & mask;
      Known old = entries.get(i);
      int delta = size - (old == null ? 0 : old.size());
      if (delta > 0 && kept.get() + added + delta > maxBytes) {
        return; // full: the old entry stays, and answers nothing once its slot moves
      }
      old = entries.getAndSet(i, new Known(slot, version, table, key.clone(), bytes, size));
      added += size - (old == null ? 0 : old.size());
    }

    @Override
    public void close() {
      kept.addAndGet(added);
    }
  }

  /** The bytes kept now (keys, rows, overhead), for tests. */
  long keptBytes() {
    return kept.get();
  }
}
