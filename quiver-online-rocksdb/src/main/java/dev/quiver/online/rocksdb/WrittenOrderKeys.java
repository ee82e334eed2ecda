package dev.quiver.online.rocksdb;

import dev.quiver.core.online.RowEncoding;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the newest-wins writes last stored, so their next write of a key skips reading its row: per
 * {@link RowVersions} slot (several slots share an entry), the table, key and order header ({@link
 * RowEncoding#orderHeader}) of the row the last newest-wins write of that slot stored, and the slot's
 * write counter just after that write. An entry answers for a key only while the slot's counter is
 * still that value: any later write of the slot (of any kind, of any key in it, a dropped table)
 * moves the counter, and the row is read from RocksDB again. Entries are recorded under the key's
 * stripe, right after the write's counter bump, so no other write of the slot lies between them.
 * Bounded: {@code entries} entries of a key and an order header each. Thread-safe.
 */
final class WrittenOrderKeys {
  /** One slot's last newest-wins row: immutable, so a reader sees it whole. */
  private record Known(int slot, long version, String table, byte[] key, byte[] header) {}

  private final AtomicReferenceArray<Known> entries;
  private final int mask;

  /** {@code count} entries; a power of two. */
  WrittenOrderKeys(int count) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("entries must be a power of two, not " + count);
    }
    entries = new AtomicReferenceArray<>(count);
    mask = count - 1;
  }

  /**
   * The order header of {@code key}'s stored row, when the last newest-wins write of its slot wrote
   * it and the slot's counter is still {@code version} (read by the caller before this call); else null.
   */
  byte[] headerAt(int slot, long version, String table, byte[] key) {
    Known k = entries.get(slot & mask);
    if (k == null || k.slot != slot || k.version != version || !Arrays.equals(k.key, key) || !k.table.equals(table)) {
      return null;
    }
    return k.header;
  }

  /**
   * Records that {@code row} is now stored for {@code key}; the caller holds the key's stripe and has
   * just bumped its slot to {@code version}.
   */
  void wrote(int slot, long version, String table, byte[] key, byte[] row) {
    entries.set(slot & mask, new Known(slot, version, table, key.clone(), RowEncoding.orderHeader(row)));
  }
}
