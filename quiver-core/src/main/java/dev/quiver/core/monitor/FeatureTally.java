package dev.quiver.core.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts one feature's comparisons and keeps its first mismatches. Not thread-safe. */
final class FeatureTally {
  final String feature;
  private long compared;
  private long servedNullOnly;
  private long offlineNullOnly;
  private long valuesDiffer;
  private final List<SkewExample> examples = new ArrayList<>();

  FeatureTally(String feature) {
    this.feature = feature;
  }

  /** One logged row: the value counts as served only with status PRESENT (or none). */
  void add(LoggedRows.Row row, List<String> inputs, String status, Object logged, Object offline) {
    compared++;
    Object served = ServedValues.served(status) ? logged : null;
    if (served == null && offline == null) {
      return;
    }
    if (served == null) {
      servedNullOnly++;
    } else if (offline == null) {
      offlineNullOnly++;
    } else if (ServedValues.equal(served, offline)) {
      return;
    } else {
      valuesDiffer++;
    }
    if (examples.size() < FeatureSkew.EXAMPLES) {
      Map<String, String> keys = new LinkedHashMap<>();
      inputs.forEach(k -> keys.put(k, ServedValues.text(row.value(k))));
      examples.add(new SkewExample(keys, row.servedAt(), status == null ? "-" : status, ServedValues.text(logged),
          ServedValues.text(offline)));
    }
  }

  FeatureSkew result() {
    return new FeatureSkew(feature, compared, servedNullOnly, offlineNullOnly, valuesDiffer, examples);
  }
}
