package dev.quiver.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The feature log's bounded ring between the request threads and the single writer: {@code capacity}
 * places ({@link FeatureLogSlot}), each with a recycled byte array, made once. A request thread claims
 * the next free place with one compare-and-set, encodes its request into it and publishes it; the
 * writer reads places in claim order and releases them. Nothing waits: a claim on a full ring fails
 * at once (the request is dropped and counted), and the writer stops at a place that is claimed but
 * not yet published (a request thread preempted while encoding) and finds it on its next pass, while
 * other request threads keep claiming the places after it. (D. Vyukov's bounded queue, its cells
 * holding the data itself.) Per request nothing is allocated; in particular nothing that waits in the
 * ring is a young object that a collection would copy.
 *
 * <p>Memory: a place's array is made at its first use and kept while it is at most {@link #keptBytes()}
 * ({@value #KEPT_TOTAL} bytes over the places, between {@value FeatureLogSlot#FIRST_BYTES} bytes and 16 KB a
 * place); a larger one, for a request of many entity rows, is one of the ring's {@link FeatureLogSpares} (at most
 * {@value FeatureLogSpares#COUNT} of {@value FeatureLogSpares#MAX_BYTES} bytes), given back once the writer has read
 * it, or made for the request and dropped when none is free.
 */
final class FeatureLogRing {
  /** The bytes the places keep between requests, together (each keeps a share, see {@link #keptBytes()}). */
  static final int KEPT_TOTAL = 64 << 20;
  private static final int MAX_KEPT = 16 * 1024;
  private final FeatureLogSlot[] slots;
  private final int keptBytes;
  private final int capacity;
  private final AtomicLong tail = new AtomicLong();
  /** The next position the writer reads; written by the writer alone. */
  private volatile long head;

  FeatureLogRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity + " < 1");
    }
    this.capacity = capacity;
    this.keptBytes = Math.clamp(KEPT_TOTAL / capacity, FeatureLogSlot.FIRST_BYTES, MAX_KEPT);
    this.slots = new FeatureLogSlot[capacity];
    FeatureLogSpares spares = new FeatureLogSpares();
    for (int i = 0; i < capacity; i++) {
      slots[i] = new FeatureLogSlot(i, keptBytes, spares);
    }
  }

  /**
   * The next free place, now owned by the caller, who must {@link #publish} it (also when encoding
   * fails); null when the ring is full. Never blocks.
   */
  FeatureLogSlot claim() {
    long pos = tail.get();
    while (true) {
      FeatureLogSlot s = slots[(int) (pos % capacity)];
      long dif = s.sequence - pos;
      if (dif == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          s.position = pos;
          s.startWriting();
          return s;
        }
        pos = tail.get();
      } else if (dif < 0) {
        return null; // the place still holds a record of the last round: full
      } else {
        pos = tail.get(); // another producer took it
      }
    }
  }

  /** Hands a claimed place to the writer. */
  void publish(FeatureLogSlot s) {
    s.finishWriting();
    s.sequence = s.position + 1;
  }

  /** The oldest published place, if the next one in order is published; null otherwise. Writer only. */
  FeatureLogSlot peek() {
    long h = head;
    FeatureLogSlot s = slots[(int) (h % capacity)];
    return s.sequence == h + 1 ? s : null;
  }

  /** Frees the place {@link #peek} returned for a claim of the next round. Writer only. */
  void release(FeatureLogSlot s) {
    s.clear();
    head = s.position + 1;
    s.sequence = s.position + capacity;
  }

  /** Places claimed and not yet released (those being encoded included). */
  int size() {
    return (int) Math.max(0, tail.get() - head);
  }

  int capacity() {
    return capacity;
  }

  /** The largest array a place keeps between requests: 64 MB over the places, from 1 KB to 16 KB each. */
  int keptBytes() {
    return keptBytes;
  }
}
