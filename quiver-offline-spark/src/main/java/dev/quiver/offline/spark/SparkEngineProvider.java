package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.OfflineEngineProvider;
import dev.quiver.core.model.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens the Apache Spark offline engine ({@code offline: {engine: spark}}). Options:
 *
 * <ul>
 *   <li>{@code master}: where Spark runs, as {@code spark-submit --master} spells it; default {@code
 *       local[*]} (in this JVM, one thread per core). Under {@code spark-submit} the master it was
 *       given wins (see docs/spark.md).
 *   <li>{@code conf}: Spark settings, e.g. {@code {spark.executor.memory: 4g}}; they override
 *       Quiver's defaults ({@link SparkSessions}).
 *   <li>{@code connect_timeout}: how long a cluster master may take to accept a connection before
 *       the engine refuses to start ({@link SparkMasters}); default 10s.
 * </ul>
 *
 * <p>Engines opened with the same master and settings share one {@code SparkSession} per JVM; closing
 * an engine leaves it running for the next, and it stops when the JVM exits.
 */
public final class SparkEngineProvider implements OfflineEngineProvider {
  private static final Set<String> OPTIONS = Set.of("engine", "master", "conf", "connect_timeout");

  /** Used by {@link java.util.ServiceLoader}. */
  public SparkEngineProvider() {}

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public OfflineEngine open(Map<String, Object> options) {
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new QuiverException("quiver.yaml: unknown offline option '" + key + "' for spark (known: master, conf, connect_timeout)");
      }
    }
    Object master = options.get("master");
    if (master != null && (!(master instanceof String s) || s.isBlank())) {
      throw new QuiverException("quiver.yaml: offline.master must be a Spark master URL such as local[*] or"
          + " spark://host:7077, not '" + master + "'");
    }
    Map<String, String> conf = new LinkedHashMap<>();
    Object settings = options.get("conf");
    if (settings != null) {
      if (!(settings instanceof Map<?, ?> map)) {
        throw new QuiverException("quiver.yaml: offline.conf must be a map of Spark settings, e.g. conf: {spark.executor.memory: 4g}");
      }
      for (var e : map.entrySet()) {
        if (e.getValue() == null || e.getValue() instanceof Map || e.getValue() instanceof Iterable) {
          throw new QuiverException("quiver.yaml: offline.conf." + e.getKey() + " must be a single value (a string, number"
              + " or boolean), not '" + e.getValue() + "'");
        }
        conf.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
    }
    Duration timeout = SparkMasters.DEFAULT_TIMEOUT;
    Object given = options.get("connect_timeout");
    if (given != null) {
      timeout = Durations.parse(String.valueOf(given)).filter(d -> !d.isZero() && !d.isNegative()).orElseThrow(() ->
          new QuiverException("quiver.yaml: offline.connect_timeout '" + given + "' is not a duration; write e.g. 10s or 1m"));
    }
    String m = master == null ? SparkSessions.DEFAULT_MASTER : ((String) master).strip();
    return new SparkOfflineEngine(SparkSessions.session(m, conf, timeout));
  }
}
