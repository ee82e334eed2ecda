package dev.quiver.core.quality;

import java.time.Instant;
import java.util.List;

/**
 * The validation results a registry store keeps ({@code quiver validate results}). Append-only,
 * thread-safe and safe from several processes; appended results are durable when {@link #append}
 * returns. Each implementation passes the registry-store contract suite.
 */
public interface ValidationLog {
  /**
   * Appends one run's results.
   *
   * @throws dev.quiver.core.QuiverException when they cannot be recorded
   */
  void append(List<RuleResult> results);

  /**
   * Results at or after {@code since}, oldest first, at most {@code limit} (the oldest ones).
   *
   * @param view a view name ({@code user_txn}, all versions) or {@code name@vN}; null for every view
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  List<RuleResult> read(Instant since, String view, int limit);

  /** True when {@code result} is of {@code view} (null: any), a name or {@code name@vN}. */
  static boolean matches(RuleResult result, String view) {
    return view == null || result.view().equals(view) || result.view().startsWith(view + "@v");
  }
}
