package dev.quiver.core.offline;

import java.util.Map;

/**
 * Opens an {@link OfflineEngine}; found with {@link java.util.ServiceLoader} by the {@code
 * offline.engine} of {@code quiver.yaml} ({@code duckdb} by default).
 */
public interface OfflineEngineProvider {
  /** The engine name used in {@code quiver.yaml}. */
  String name();

  /** @param options the {@code offline} section of {@code quiver.yaml} */
  OfflineEngine open(Map<String, Object> options);
}
