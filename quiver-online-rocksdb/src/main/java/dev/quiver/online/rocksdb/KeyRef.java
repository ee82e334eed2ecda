package dev.quiver.online.rocksdb;

import java.util.Arrays;

/**
 * A key with content equality, for finding the entries of one key in a batch. Not thread-safe: one
 * per write call.
 */
final class KeyRef {
  final byte[] bytes;
  /** {@link #hash(byte[])} of the bytes, as {@link KeyStripes} and {@link RowVersions} take it. */
  final int hash;
  /** Its index among the distinct keys of the batch, once sorted. */
  int slot;

  KeyRef(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
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
