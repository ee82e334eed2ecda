package dev.quiver.core.diff;

import java.util.List;

/**
 * A change to what an existing online feature means (its column, aggregation, expression, type,
 * source or keys) within the same view version. Applying it would silently change the values that
 * models trained on the old meaning receive; give the view a new version instead.
 *
 * @param view the view, {@code name@vN}
 * @param feature the feature whose meaning changes
 * @param reasons each changed attribute, e.g. {@code aggregate.window: 30d -> 7d}
 * @param consumers the feature services ({@code name@vN}) that read the feature
 */
public record BreakingChange(String view, String feature, List<String> reasons, List<String> consumers) {
  public BreakingChange {
    reasons = List.copyOf(reasons);
    consumers = List.copyOf(consumers);
  }
}
