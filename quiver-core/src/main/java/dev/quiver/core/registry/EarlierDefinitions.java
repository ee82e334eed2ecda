package dev.quiver.core.registry;

import dev.quiver.core.model.Definitions;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * The definitions of earlier registry versions, each read from the registry store once: recorded
 * versions never change, so what was read stays right. What {@link
 * dev.quiver.core.online.ServingVersions#of} asks for (the definitions a watermark was written
 * under), for every process that serves. Keeps up to {@value #KEPT} versions; beyond that it reads
 * again. Thread-safe.
 */
public final class EarlierDefinitions implements LongFunction<Definitions> {
  /** How many versions are kept. */
  static final int KEPT = 64;

  private final RegistryStore registry;
  private final Map<Long, Definitions> read = new ConcurrentHashMap<>();

  /** @param registry where versions are read from; never null */
  public EarlierDefinitions(RegistryStore registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * The definitions of registry version {@code version}.
   *
   * @throws dev.quiver.core.NotFoundException when the version does not exist
   * @throws dev.quiver.core.QuiverException when the stored version is damaged
   */
  @Override
  public Definitions apply(long version) {
    Definitions d = read.get(version);
    if (d == null) {
      d = registry.read(version).definitions();
      if (read.size() < KEPT) {
        read.put(version, d);
      }
    }
    return d;
  }
}
