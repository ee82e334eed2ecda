package dev.quiver.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code fn(column)} over a window, evaluated at time t on the rows with {@code event_ts} in
 * {@code [align(t - window, hop), t)} (DESIGN §3).
 *
 * @param column the input column; null only for {@code count} of rows
 * @param hop the alignment of the window start; null means the default for the window length
 *     ({@link #effectiveHop()})
 * @param where an optional row filter in the expression language; null when absent
 * @param k the number of values {@code last_k} keeps; 0 for other functions
 * @param percentile the percentile in (0, 1) for {@code approx_percentile}; 0 for other functions
 */
public record Aggregation(
    AggregateFunction function,
    String column,
    Window window,
    Duration hop,
    String where,
    int k,
    double percentile) implements java.io.Serializable {
  public Aggregation {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(window, "window");
  }

  public static Aggregation of(AggregateFunction function, String column, Window window) {
    return new Aggregation(function, column, window, null, null, 0, 0);
  }

  /** The same aggregation aligned to {@code newHop}. */
  public Aggregation withHop(Duration newHop) {
    return new Aggregation(function, column, window, newHop, where, k, percentile);
  }

  /** The same aggregation over rows matching {@code condition} (an expression over source columns). */
  public Aggregation where(String condition) {
    return new Aggregation(function, column, window, hop, condition, k, percentile);
  }

  /** The same aggregation keeping {@code count} values ({@code last_k}). */
  public Aggregation withK(int count) {
    return new Aggregation(function, column, window, hop, where, count, percentile);
  }

  /** The same aggregation at percentile {@code p} ({@code approx_percentile}). */
  public Aggregation withPercentile(double p) {
    return new Aggregation(function, column, window, hop, where, k, p);
  }

  /** The hop: as declared, else 5 min for windows up to 1 d, 1 h up to 30 d, 1 d beyond and for lifetime. */
  public Duration effectiveHop() {
    if (hop != null) {
      return hop;
    }
    return defaultHop(window);
  }

  /** The default hop of DESIGN §3 for a window. */
  public static Duration defaultHop(Window window) {
    return switch (window) {
      case Window.Lifetime l -> Duration.ofDays(1);
      case Window.Fixed f when f.length().compareTo(Duration.ofDays(1)) <= 0 -> Duration.ofMinutes(5);
      case Window.Fixed f when f.length().compareTo(Duration.ofDays(30)) <= 0 -> Duration.ofHours(1);
      case Window.Fixed f -> Duration.ofDays(1);
    };
  }
}
