package dev.quiver.core.model;

import java.time.Instant;

/** Quiver timestamps are UTC instants with microsecond precision; these convert to and from micros. */
public final class Timestamps {
  private Timestamps() {}

  /** The first instant requests may name (pushed rows, request data, materialization times). */
  public static final Instant FIRST_SUPPORTED = Instant.parse("0001-01-01T00:00:00Z");
  /** The first instant after those requests may name: years 1 to 9999, as ISO-8601 writes them. */
  public static final Instant END_OF_SUPPORTED = Instant.parse("+10000-01-01T00:00:00Z");

  /**
   * Whether a request may carry {@code t}: years 1 to 9999. Far wider instants fit in microseconds
   * but are typos in practice (a row in year 10000 would shadow every real update of its key).
   */
  public static boolean supported(Instant t) {
    return !t.isBefore(FIRST_SUPPORTED) && t.isBefore(END_OF_SUPPORTED);
  }

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
