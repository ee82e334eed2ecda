package dev.quiver.core.monitor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One feature's skew in one run, as the registry store keeps it ({@link SkewLog}).
 *
 * @param time when the run compared
 * @param service the feature service
 * @param feature the logged column, {@code view__feature}
 * @param since the compared range's start (null: none)
 * @param until the compared range's end (null: none)
 * @param rowsCompared logged rows compared
 * @param mismatches rows whose served value was not the offline one
 * @param examples a few mismatches, as text ({@link SkewExample#describe})
 */
public record SkewResult(Instant time, String service, String feature, Instant since, Instant until, long rowsCompared,
    long mismatches, List<String> examples) {
  public SkewResult {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(feature, "feature");
    examples = List.copyOf(examples);
    if (rowsCompared < 0 || mismatches < 0 || mismatches > rowsCompared) {
      throw new IllegalArgumentException("need 0 <= mismatches <= rows compared, not " + mismatches + " of " + rowsCompared);
    }
  }

  /** {@link #mismatches()} over {@link #rowsCompared()}; 0 when nothing was compared. */
  public double mismatchRate() {
    return rowsCompared == 0 ? 0 : (double) mismatches / rowsCompared;
  }
}
