package dev.quiver.core.model;

import java.time.Instant;

/** Quiver timestamps are UTC instants with microsecond precision; these convert to and from micros. */
public final class Timestamps {
  private Timestamps() {}

  /** Microseconds since the epoch; sub-microsecond digits are dropped (rounding toward the past). */
  public static long toMicros(Instant t) {
    long seconds = t.getEpochSecond();
    int micros = t.getNano() / 1_000;
    if (seconds < 0 && micros > 0) { // so that ofMicros(Long.MIN_VALUE) converts back
      return Math.addExact(Math.multiplyExact(seconds + 1, 1_000_000L), micros - 1_000_000L);
    }
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
  }

  public static Instant ofMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** The instant truncated to microseconds. */
  public static Instant truncate(Instant t) {
    return ofMicros(toMicros(t));
  }
}
