package dev.quiver.server;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where and how the server writes its feature log (quiver.yaml's {@code feature_logging} section;
 * docs/monitoring.md "Feature logging"). Which services are logged, and how often, is each feature
 * service's {@code logging: {sample_rate: ...}}.
 *
 * <pre>{@code
 * feature_logging:
 *   path: feature_logs     # folder of the log, relative to the repo (default feature_logs)
 *   roll_every: 5m         # a file is closed at most this long after its first row (default 5m)
 *   roll_rows: 100000      # ... or once it holds this many rows (default 100000)
 *   queue: 10000           # requests waiting for the writer; past it, requests are dropped, counted (default 10000)
 *   writer_priority: low   # low: the writer's threads yield to serving (Linux nice 19); idle: they run only on a CPU
 *                          # nothing else wants (SCHED_IDLE, nice 19 where that fails); normal (default low)
 * }</pre>
 *
 * @param path the log's folder (absolute)
 * @param rollEvery the longest a file stays open
 * @param rollRows the most rows a file holds
 * @param queue the most sampled requests waiting for the writer
 * @param priority the CPU priority of the writer's threads ({@link ThreadPriority})
 */
record FeatureLogSettings(Path path, Duration rollEvery, int rollRows, int queue, WriterPriority priority) {
  static final List<String> KEYS = List.of("path", "roll_every", "roll_rows", "queue", "writer_priority");

  /** Settings with the writer at low priority (the default). */
  FeatureLogSettings(Path path, Duration rollEvery, int rollRows, int queue) {
    this(path, rollEvery, rollRows, queue, WriterPriority.LOW);
  }

  /** How the feature log's writer and roll threads compete with the serving threads for CPU. */
  enum WriterPriority {
    /** As every other thread. */
    NORMAL,
    /** Linux nice 19: a weight of 15 against 1,024 for the serving threads. */
    LOW,
    /** Linux {@code SCHED_IDLE}: runs only when no other thread wants the CPU; nice 19 where that cannot be set. */
    IDLE
  }
  static final String DEFAULT_PATH = "feature_logs";

  /**
   * The settings of quiver.yaml's section; defaults for what it leaves out.
   *
   * @throws QuiverException naming the key, the value and what it must be
   */
  static FeatureLogSettings of(Map<String, Object> section, Path root) {
    for (String key : section.keySet()) {
      if (!KEYS.contains(key)) {
        throw new QuiverException("quiver.yaml feature_logging: unknown key '" + key + "'; the keys are "
            + String.join(", ", KEYS) + " (docs/server.md)");
      }
    }
    String p = text(section, "path", DEFAULT_PATH);
    if (p.isBlank()) {
      throw new QuiverException("quiver.yaml feature_logging.path is empty; give a folder (relative to the repo), e.g. feature_logs");
    }
    Duration every = Durations.parse(text(section, "roll_every", "5m")).filter(d -> d.compareTo(Duration.ofSeconds(1)) >= 0)
        .orElseThrow(() -> new QuiverException("quiver.yaml feature_logging.roll_every must be a duration of at least 1s"
            + " (30s, 5m, 1h), not '" + text(section, "roll_every", "") + "'"));
    int rows = positive(section, "roll_rows", 100_000, 10_000_000, "rows per file");
    int queue = positive(section, "queue", 10_000, 1_000_000, "requests waiting for the writer");
    String priority = text(section, "writer_priority", "low");
    WriterPriority level = switch (priority) {
      case "low" -> WriterPriority.LOW;
      case "idle" -> WriterPriority.IDLE;
      case "normal" -> WriterPriority.NORMAL;
      default -> throw new QuiverException("quiver.yaml feature_logging.writer_priority must be low (the writer yields"
          + " the CPU to the serving threads; the default), idle (it runs only on a CPU they leave idle) or normal (it"
          + " competes with them), not '" + priority + "'");
    };
    return new FeatureLogSettings(root.resolve(p).toAbsolutePath().normalize(), every, rows, queue, level);
  }

  private static String text(Map<String, Object> section, String key, String defaultValue) {
    Object v = section.get(key);
    return v == null ? defaultValue : String.valueOf(v).strip();
  }

  private static int positive(Map<String, Object> section, String key, int defaultValue, int max, String what) {
    String s = text(section, key, String.valueOf(defaultValue));
    try {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw new QuiverException("quiver.yaml feature_logging." + key + " must be a whole number from 1 to " + max
        + " (" + what + "), not '" + s + "'");
  }
}
