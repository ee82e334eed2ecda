package dev.quiver.core.online;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/** The push sequence of this JVM ({@link RowPosition#nextPushes}). Thread-safe. */
final class PushSequence {
  private static final AtomicLong LAST = new AtomicLong();

  private PushSequence() {}

  /** The first of {@code n} reserved numbers: above every earlier one, and at least the time in microseconds. */
  static long next(int n) {
    long now = Clock.systemUTC().millis() * 1000;
    return LAST.accumulateAndGet(n, (last, k) -> Math.max(last, now - 1) + k) - n + 1;
  }
}
