package dev.quiver.online.rocksdb;

import java.util.Arrays;

/**
 * A key with content equality, for finding the entries of one key in a batch. Not thread-safe: one
 * per write call.
 */
final class KeyRef {
  final byte[] bytes;
  /** {@link Arrays#hashCode(byte[])} of the bytes, as {@link KeyStripes} and {@link RowVersions} take it. */
  final int hash;
  /** Its index among the distinct keys of the batch, once sorted. */
  int slot;

  KeyRef(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
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
