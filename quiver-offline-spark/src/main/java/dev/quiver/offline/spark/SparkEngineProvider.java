package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.OfflineEngineProvider;
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
 * </ul>
 *
 * <p>Engines opened with the same master and settings share one {@code SparkSession} per JVM; closing
 * an engine leaves it running for the next, and it stops when the JVM exits.
 */
public final class SparkEngineProvider implements OfflineEngineProvider {
  private static final Set<String> OPTIONS = Set.of("engine", "master", "conf");

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
        throw new QuiverException("quiver.yaml: unknown offline option '" + key + "' for spark (known: master, conf)");
      }
    }
    Object master = options.get("master");
    if (master != null && (!(master instanceof String s) || s.isBlank())) {
      throw new QuiverException("quiver.yaml: offline.master must be a Spark master URL such as local[*] or"
          + " spark://host:7077, not '" + master + "'");
    }
    Map<String, String> conf = new LinkedHashMap<>();
    Object given = options.get("conf");
    if (given != null) {
      if (!(given instanceof Map<?, ?> map)) {
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
    String m = master == null ? SparkSessions.DEFAULT_MASTER : ((String) master).strip();
    return new SparkOfflineEngine(SparkSessions.session(m, conf));
  }
}
