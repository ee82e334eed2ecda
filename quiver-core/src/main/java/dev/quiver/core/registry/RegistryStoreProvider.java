package dev.quiver.core.registry;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens a {@link RegistryStore} of one type ({@code file}, later {@code postgres}); found with {@link
 * java.util.ServiceLoader} by the {@code registry.type} of {@code quiver.yaml}.
 */
public interface RegistryStoreProvider {

  /** The type name used in {@code quiver.yaml}. */
  String type();

  /**
   * Opens the store.
   *
   * @param options the {@code registry} section of {@code quiver.yaml} (e.g. {@code path})
   * @param repoRoot relative paths resolve against it
   */
  RegistryStore open(Map<String, Object> options, Path repoRoot);
}
