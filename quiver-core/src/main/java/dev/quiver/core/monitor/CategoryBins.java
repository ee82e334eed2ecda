package dev.quiver.core.monitor;

import java.util.List;

/**
 * A categorical feature's counts on both sides over the same bins ({@link DriftStatistics#categoryBins}).
 *
 * @param labels the bins: categories, then {@link DriftStatistics#OTHER} when it is not empty
 * @param baseline the baseline's count per label
 * @param current the current side's count per label
 * @param unseen categories of the current side the baseline never holds, sorted
 */
public record CategoryBins(List<String> labels, long[] baseline, long[] current, List<String> unseen) {
  public CategoryBins {
    labels = List.copyOf(labels);
    baseline = baseline.clone();
    current = current.clone();
    unseen = List.copyOf(unseen);
  }
}
