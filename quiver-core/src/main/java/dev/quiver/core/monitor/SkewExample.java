package dev.quiver.core.monitor;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One logged row whose served value differs from the value recomputed offline.
 *
 * @param keys the row's entity keys and request data, by column, as text
 * @param servedAt when it was served (the time the offline value is computed at)
 * @param status the logged status ({@code PRESENT}, {@code NOT_FOUND}, ...)
 * @param served the served value as text ({@code null} for none)
 * @param offline the recomputed value as text ({@code null} for none)
 */
public record SkewExample(Map<String, String> keys, Instant servedAt, String status, String served, String offline) {
  public SkewExample {
    keys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keys));
    Objects.requireNonNull(servedAt, "servedAt");
  }

  /** {@code user_id=7 at 2026-03-01T10:00:00Z: served 12.5 (PRESENT), offline 13.0}. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    keys.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
    return b + " at " + servedAt + ": served " + served + " (" + status + "), offline " + offline;
  }
}
