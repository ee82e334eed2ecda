package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.OfflineEngineProvider;
import java.util.Map;
import java.util.Set;

/**
 * Opens the DuckDB offline engine ({@code offline: {engine: duckdb}}). Options: {@code memory_limit}
 * (DuckDB's spelling, e.g. {@code 8GB}; default DuckDB's, 80% of RAM) and {@code threads} (default:
 * all cores).
 */
public final class DuckDbEngineProvider implements OfflineEngineProvider {
  private static final Set<String> OPTIONS = Set.of("engine", "memory_limit", "threads");

  /** Used by {@link java.util.ServiceLoader}. */
  public DuckDbEngineProvider() {}

  @Override
  public String name() {
    return "duckdb";
  }

  @Override
  public OfflineEngine open(Map<String, Object> options) {
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new QuiverException("quiver.yaml: unknown offline option '" + key + "' for duckdb (known: memory_limit, threads)");
      }
    }
    Object memory = options.get("memory_limit");
    int threads = 0;
    if (options.containsKey("threads")) {
      try {
        threads = Integer.parseInt(String.valueOf(options.get("threads")).strip());
      } catch (NumberFormatException e) {
        throw new QuiverException("quiver.yaml: offline.threads must be a whole number, not '" + options.get("threads") + "'");
      }
    }
    return new DuckDbOfflineEngine(memory == null ? null : String.valueOf(memory), threads);
  }
}
