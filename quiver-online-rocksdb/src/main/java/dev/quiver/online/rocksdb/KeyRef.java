package dev.quiver.online.rocksdb;

import java.util.Arrays;
import java.util.Comparator;

/**
 * A key with content equality, for finding the entries of one key in a batch. Not thread-safe: one
 * per write call.
 */
final class KeyRef {
  final byte[] bytes;
  /** {@link #hash(byte[])} of the bytes, as {@link KeyStripes} and {@link RowVersions} take it. */
  final int hash;
  /** The first 8 bytes, big-endian, zero-padded: compared unsigned, they order keys as their bytes do, up to ties. */
  private final long prefix;
  /** Its index among the distinct keys of the batch, once sorted. */
  int slot;

  /**
   * Keys in RocksDB's order (unsigned bytes, a prefix first): by {@link #prefix}, and by the whole
   * bytes only when those tie, so sorting a batch's keys mostly compares two longs.
   */
  static final Comparator<KeyRef> ORDER = (a, b) -> {
    int c = Long.compareUnsigned(a.prefix, b.prefix);
    return c != 0 ? c : Arrays.compareUnsigned(a.bytes, b.bytes);
  };

  KeyRef(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
    this.prefix = prefix(bytes);
  }

  /**
   * The first 8 bytes of a key as an unsigned big-endian long, zero-padded. Where two keys' prefixes
   * differ, they differ at a byte both keys have (or at one the shorter lacks, which a zero pads and
   * the other's non-zero byte beats), so they order as the keys do.
   */
  static long prefix(byte[] key) {
    long p = 0;
    int n = Math.min(8, key.length);
    for (int i = 0; i < n; i++) {
      p |= (key[i] & 0xFFL) << (56 - 8 * i);
    }
    return p;
  }

  /**
   * The hash of a key that stripes and write-counter slots are picked by (FNV-1a, 32 bits). Not
   * {@link Arrays#hashCode(byte[])}: its sums of small multiples collide for keys that differ in
   * their last two bytes (encoded ids 31 and 256 hash alike), which put nearly half of 500
   * consecutive ids in shared slots.
   */
  static int hash(byte[] key) {
    int h = 0x811c9dc5;
    for (byte b : key) {
      h = (h ^ (b & 0xFF)) * 0x01000193;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRef k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
