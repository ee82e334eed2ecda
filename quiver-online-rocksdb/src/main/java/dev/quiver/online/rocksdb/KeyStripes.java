package dev.quiver.online.rocksdb;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lock stripes by (table, key hash): every write of {@link RocksDbOnlineStore} that reads before it
 * writes, or that must not slip between another's read and write, holds the stripes of its keys.
 * Stripes are taken in ascending order, so two writers never wait on each other in a cycle. Reads
 * take none. Thread-safe.
 */
final class KeyStripes {
  private final ReentrantLock[] locks;

  /** {@code count} stripes; a power of two. */
  KeyStripes(int count) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two, not " + count);
    }
    locks = new ReentrantLock[count];
    for (int i = 0; i < count; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The locks themselves, for callers that pick their stripes with {@link #stripe}. */
  ReentrantLock[] locks() {
    return locks;
  }

  /** The stripe of a key, given its {@link KeyRef#hash} and its table's {@link String#hashCode()}. */
  int stripe(int keyHash, int tableHash) {
    int h = keyHash * 31 + tableHash;
    h ^= h >>> 16;
    h *= 0x45d9f3b;
    h ^= h >>> 16;
    return h & (locks.length - 1);
  }

  /** Locks the stripes of {@code keys} in {@code table}, ascending; returns them for {@link #unlock}. */
  int[] lock(String table, List<byte[]> keys) {
    BitSet set = new BitSet(locks.length);
    int tableHash = table.hashCode();
    for (byte[] key : keys) {
      set.set(stripe(KeyRef.hash(key), tableHash));
    }
    int[] held = set.stream().toArray();
    int taken = 0;
    try {
      for (int s : held) {
        locks[s].lock();
        taken++;
      }
    } finally {
      if (taken < held.length) {
        unlock(Arrays.copyOf(held, taken));
      }
    }
    return held;
  }

  /** Unlocks what {@link #lock} returned, in reverse order. */
  void unlock(int[] held) {
    for (int i = held.length - 1; i >= 0; i--) {
      locks[held[i]].unlock();
    }
  }
}
