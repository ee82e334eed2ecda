package dev.quiver.server;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few large byte arrays that the feature log's ring places share for requests too large for the array a
 * place keeps ({@link FeatureLogRing#keptBytes()}): a place that grows past its bound takes one (any
 * request thread), the writer gives it back when it has read the record. Without them every such request
 * (100 entities &times; 50 features is about 48 KB, against 6.5 KB a place keeps at {@code queue: 10000})
 * made a new array on the request thread and dropped it, about 15 &micro;s of its CPU and 50 KB of garbage
 * per request. Bounded: at most {@value #COUNT} arrays of at most {@value #MAX_BYTES} bytes; a larger one, or
 * one for which no place is free, is dropped. Lock-free; never blocks.
 */
final class FeatureLogSpares {
  static final int COUNT = 8;
  static final int MAX_BYTES = 1 << 20;
  private final AtomicReferenceArray<byte[]> arrays = new AtomicReferenceArray<>(COUNT);

  /** A spare array of at least {@code bytes}, now the caller's; null when none is free. */
  byte[] take(int bytes) {
    for (int i = 0; i < COUNT; i++) {
      byte[] b = arrays.get(i);
      if (b != null && b.length >= bytes && arrays.compareAndSet(i, b, null)) {
        return b;
      }
    }
    return null;
  }

  /** Keeps {@code b} for a later {@link #take} when it is at most {@value #MAX_BYTES} bytes and a place is free. */
  void give(byte[] b) {
    if (b.length > MAX_BYTES) {
      return;
    }
    for (int i = 0; i < COUNT; i++) {
      if (arrays.get(i) == null && arrays.compareAndSet(i, null, b)) {
        return;
      }
    }
  }
}
