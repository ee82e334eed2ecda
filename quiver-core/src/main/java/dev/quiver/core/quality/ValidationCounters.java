package dev.quiver.core.quality;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Totals of every rule checked in this process since it started, per (view, feature, rule): rows
 * checked and rows failed. Every entry path adds its results ({@link #add}); a server exports them
 * as {@code quiver_validation_rows_checked_total} and {@code quiver_validation_rows_failed_total}.
 * Thread-safe.
 */
public final class ValidationCounters {
  /** The labels of one series; {@code feature} is empty for a view rule. */
  public record Key(String view, String feature, String rule) {}

  /** One series' totals. */
  public record Totals(long rowsChecked, long rowsFailed) {}

  private static final Map<Key, LongAdder[]> TOTALS = new ConcurrentHashMap<>();

  private ValidationCounters() {}

  /** Adds one run's results. */
  public static void add(List<RuleResult> results) {
    for (RuleResult r : results) {
      LongAdder[] a = TOTALS.computeIfAbsent(new Key(r.view(), r.feature() == null ? "" : r.feature(), r.rule()),
          k -> new LongAdder[] {new LongAdder(), new LongAdder()});
      a[0].add(r.rowsChecked());
      a[1].add(r.rowsFailed());
    }
  }

  /** One series' totals; zeros for a series never added to. */
  public static Totals totals(Key key) {
    LongAdder[] a = TOTALS.get(key);
    return a == null ? new Totals(0, 0) : new Totals(a[0].sum(), a[1].sum());
  }

  /** A snapshot of every series. */
  public static Map<Key, Totals> snapshot() {
    Map<Key, Totals> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Key::view)
        .thenComparing(Key::feature).thenComparing(Key::rule));
    TOTALS.forEach((k, a) -> out.put(k, new Totals(a[0].sum(), a[1].sum())));
    return out;
  }
}
