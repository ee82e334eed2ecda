package dev.quiver.core.monitor;

import dev.quiver.core.model.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@code quiver serve} checks skew on a schedule: {@code monitoring: {skew: {...}}} in {@code
 * quiver.yaml} (docs/monitoring.md, "Skew").
 *
 * @param every how often a run starts (after the previous one ends)
 * @param lookback each run compares the rows served in {@code [now - lookback, now)}
 * @param services the feature services checked; empty for every service with a log folder
 * @param logs the feature-log folder, relative to the repo (or absolute); the server defaults it to
 *     {@code feature_logging.path}
 * @param sample at most this many rows per service and run ({@link SkewRequest#sample})
 */
public record SkewSchedule(Duration every, Duration lookback, List<String> services, String logs, int sample) {
  private static final Set<String> KEYS = Set.of("every", "lookback", "services", "logs", "sample");

  public SkewSchedule {
    if (every.isNegative() || every.isZero() || lookback.isNegative() || lookback.isZero()) {
      throw new IllegalArgumentException("every and lookback must be positive durations");
    }
    services = List.copyOf(services);
    if (sample < 1) {
      throw new IllegalArgumentException("sample must be at least 1, not " + sample);
    }
  }

  /**
   * Reads the settings of {@code monitoring.skew} (values as {@code quiver.yaml} spells them): {@code
   * every} (default 1h), {@code lookback} (default: {@code every}), {@code services} (comma-separated),
   * {@code logs} (default {@code feature_logs}), {@code sample} (default {@link SkewRequest#DEFAULT_SAMPLE}).
   *
   * @throws IllegalArgumentException naming the setting and the fix
   */
  public static SkewSchedule of(Map<?, ?> settings) {
    for (Object k : settings.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown setting '" + k + "'; the settings are every, lookback, services, logs, sample");
      }
    }
    Duration every = duration(settings, "every", Duration.ofHours(1));
    Duration lookback = duration(settings, "lookback", every);
    Object s = settings.get("services");
    List<String> services = s == null || String.valueOf(s).isBlank() ? List.of()
        : Arrays.stream(String.valueOf(s).split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    Object logs = settings.get("logs");
    Object sample = settings.get("sample");
    int n;
    try {
      n = sample == null ? SkewRequest.DEFAULT_SAMPLE : Integer.parseInt(String.valueOf(sample).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sample '" + sample + "' is not a whole number of rows");
    }
    return new SkewSchedule(every, lookback, services, logs == null ? "feature_logs" : String.valueOf(logs), n);
  }

  private static Duration duration(Map<?, ?> settings, String key, Duration otherwise) {
    Object v = settings.get(key);
    if (v == null) {
      return otherwise;
    }
    Duration d = Durations.parse(String.valueOf(v).strip()).orElseThrow(() -> new IllegalArgumentException(
        key + " '" + v + "' is not a duration; write it as 90s, 15m, 1h or 7d"));
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be positive, not " + v);
    }
    return d;
  }
}
