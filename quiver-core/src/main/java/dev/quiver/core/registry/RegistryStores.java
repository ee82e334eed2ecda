package dev.quiver.core.registry;

import dev.quiver.core.QuiverException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/** Opens a {@link RegistryStore} from a {@code registry} section, through the installed providers. */
public final class RegistryStores {
  private RegistryStores() {}

  /**
   * Opens the store of {@code options.type} (default {@code file}).
   *
   * @param options a {@code registry} section
   * @param root the feature repo relative paths resolve against
   * @throws QuiverException naming the installed types when no provider has that type, or the
   *     provider's own error
   */
  public static RegistryStore open(Map<String, Object> options, Path root) {
    Objects.requireNonNull(options, "options");
    String type = String.valueOf(options.getOrDefault("type", "file"));
    List<String> known = new ArrayList<>();
    for (RegistryStoreProvider p : ServiceLoader.load(RegistryStoreProvider.class)) {
      if (p.type().equals(type)) {
        return p.open(options, root);
      }
      known.add(p.type());
    }
    throw new QuiverException("no registry store of type '" + type + "' is installed"
        + (known.isEmpty() ? "" : " (installed: " + String.join(", ", known) + ")"));
  }
}
