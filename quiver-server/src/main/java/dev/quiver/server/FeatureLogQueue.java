package dev.quiver.server;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The feature log's bounded queue between the request threads and the writer, without a lock: an
 * offer is a counter increment and a CAS on a linked queue, so a request thread never waits for the
 * writer, even when the writer runs at low priority and is preempted in the middle of taking a batch
 * (an {@link java.util.concurrent.ArrayBlockingQueue} shares one lock between both sides: a preempted
 * low-priority writer holding it would stall every request that offers). The bound is the count of
 * offered and not yet taken elements; it may be passed by at most the number of racing offers, never more.
 *
 * @param <T> the queued elements
 */
final class FeatureLogQueue<T> {
  private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int capacity;

  FeatureLogQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity + " < 1");
    }
    this.capacity = capacity;
  }

  /** Adds {@code item} unless the queue is full; never blocks. */
  boolean offer(T item) {
    if (size.get() >= capacity) {
      return false;
    }
    size.incrementAndGet();
    items.offer(item);
    return true;
  }

  /** Moves up to {@code max} elements, oldest first, to {@code to}; returns how many. */
  int drainTo(List<T> to, int max) {
    int n = 0;
    T item;
    while (n < max && (item = items.poll()) != null) {
      size.decrementAndGet();
      to.add(item);
      n++;
    }
    return n;
  }

  /** Elements offered and not yet taken. */
  int size() {
    return size.get();
  }

  boolean isEmpty() {
    return items.isEmpty();
  }
}
