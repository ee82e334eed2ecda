package dev.quiver.core.monitor;

import java.util.List;
import java.util.Objects;

/**
 * How one served feature compares with its offline recomputation over the logged rows.
 *
 * @param feature the logged column, {@code view__feature}
 * @param rowsCompared logged rows compared
 * @param servedNullOnly rows served without a value (null, or a status other than PRESENT) where the
 *     offline value is not null
 * @param offlineNullOnly rows served with a value where the offline value is null
 * @param valuesDiffer rows where both have a value and they differ ({@link ServedValues#equal})
 * @param examples the first few mismatching rows, in log order
 */
public record FeatureSkew(String feature, long rowsCompared, long servedNullOnly, long offlineNullOnly, long valuesDiffer,
    List<SkewExample> examples) {
  /** How many examples a feature keeps. */
  public static final int EXAMPLES = 5;

  public FeatureSkew {
    Objects.requireNonNull(feature, "feature");
    examples = List.copyOf(examples);
  }

  /** Rows whose served value is not the offline one. */
  public long mismatches() {
    return servedNullOnly + offlineNullOnly + valuesDiffer;
  }

  /** {@link #mismatches()} over {@link #rowsCompared()}; 0 when nothing was compared. */
  public double mismatchRate() {
    return rowsCompared == 0 ? 0 : (double) mismatches() / rowsCompared;
  }
}
