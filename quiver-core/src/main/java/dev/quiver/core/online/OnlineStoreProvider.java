package dev.quiver.core.online;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens an {@link OnlineStore} of one type ({@code rocksdb}, {@code redis}); found with {@link
 * java.util.ServiceLoader} by the {@code online.type} of {@code quiver.yaml}.
 */
public interface OnlineStoreProvider {
  /** The type name used in {@code quiver.yaml}. */
  String type();

  /**
   * @param options the {@code online} section of {@code quiver.yaml}
   * @param repoRoot relative paths resolve against it
   * @throws dev.quiver.core.QuiverException for unknown or malformed options, naming them
   */
  OnlineStore open(Map<String, Object> options, Path repoRoot);
}
