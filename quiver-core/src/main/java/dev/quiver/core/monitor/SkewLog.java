package dev.quiver.core.monitor;

import java.time.Instant;
import java.util.List;

/**
 * The skew results a registry store keeps ({@code quiver monitor skew results}), so skew can be
 * followed over time. Append-only, thread-safe and safe from several processes; appended results are
 * durable when {@link #append} returns. Each implementation passes the registry-store contract suite.
 */
public interface SkewLog {
  /**
   * Appends one run's results, all or none.
   *
   * @throws dev.quiver.core.QuiverException when they cannot be recorded
   */
  void append(List<SkewResult> results);

  /**
   * Results at or after {@code since}, oldest first, at most {@code limit} (the oldest ones).
   *
   * @param service a feature service name; null for every service
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  List<SkewResult> read(Instant since, String service, int limit);
}
