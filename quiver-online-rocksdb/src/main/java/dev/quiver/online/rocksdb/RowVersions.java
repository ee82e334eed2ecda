package dev.quiver.online.rocksdb;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Write counters by (table, key hash), for compare-and-set without a second read: every write of
 * {@link RocksDbOnlineStore} bumps the slot of each key it wrote <em>after</em> the write and before
 * it releases the key's stripe, and {@link RocksDbOnlineStore#readForSwap} reads a key's slot
 * <em>before</em> reading the key. So when a swap, holding the key's stripe, finds the slot as it
 * was read, no write of that key finished after the read, and the bytes read are the bytes stored;
 * when the slot moved (that key, or another sharing its slot, was written), the swap reads the key
 * again and compares bytes. One process owns the directory (RocksDB locks it), so every write is
 * counted here. Slots are finer than the stripes (the same hash, more bits): a key's slot lies in
 * its stripe. Thread-safe.
 */
final class RowVersions {
  private final AtomicLongArray slots;
  private final int mask;

  /** {@code count} slots; a power of two. */
  RowVersions(int count) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("slots must be a power of two, not " + count);
    }
    slots = new AtomicLongArray(count);
    mask = count - 1;
  }

  /** The slot of a key, given its table's {@link String#hashCode()}. */
  int slot(byte[] key, int tableHash) {
    return slotOf(KeyRef.hash(key), tableHash);
  }

  /** The slot of a key given its {@link KeyRef#hash}, with {@link KeyStripes#stripe}'s mixing. */
  int slotOf(int keyHash, int tableHash) {
    int h = keyHash * 31 + tableHash;
    h ^= h >>> 16;
    h *= 0x45d9f3b;
    h ^= h >>> 16;
    return h & mask;
  }

  /** The count of writes finished in {@code slot}. */
  long get(int slot) {
    return slots.get(slot);
  }

  /** Counts a finished write in {@code slot}; the caller holds the stripe of the key written. Returns the new count. */
  long bump(int slot) {
    return slots.incrementAndGet(slot);
  }

  /** Counts a write in every slot (a table dropped: its rows are gone without a write of their own). */
  void bumpAll() {
    for (int i = 0; i < slots.length(); i++) {
      slots.incrementAndGet(i);
    }
  }
}
