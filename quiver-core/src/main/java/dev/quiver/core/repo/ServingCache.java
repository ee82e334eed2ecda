package dev.quiver.core.repo;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.online.ServingVersions;
import dev.quiver.core.registry.EarlierDefinitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What online reads, pushes and materializations read of the registry, cached: the latest version,
 * decoded once per version, and the {@link ServingVersions} its watermarks give, read again after a
 * second or after {@link #watermarksChanged()}. Thread-safe without locks: a state computed before the
 * watermarks changed is never cached after it.
 */
final class ServingCache {
  /** How long online reads reuse the watermarks they read (materializations by other processes show up after it). */
  private static final long SERVING_REFRESH_NANOS = 1_000_000_000L;

  private record ServingState(long registryVersion, long generation, long checkedNanos, ServingVersions versions) {}

  private final RegistryStore registry;
  private final EarlierDefinitions earlierDefinitions;
  /** Bumped when watermarks change through this repo: a serving state computed before is not cached. */
  private final AtomicLong servingGeneration = new AtomicLong();
  private volatile RegistrySnapshot appliedCache;
  private volatile ServingState servingCache;

  ServingCache(RegistryStore registry) {
    this.registry = registry;
    this.earlierDefinitions = new EarlierDefinitions(registry);
  }

  /**
   * The registry's latest version, decoded once per version: each call only checks which version is
   * the head, so online reads do not re-read the registry.
   *
   * @throws NotFoundException when nothing was applied yet
   */
  RegistrySnapshot applied() {
    long head = registry.head().orElseThrow(() ->
        new NotFoundException("the registry is empty: run 'quiver apply' first")).version();
    RegistrySnapshot s = appliedCache;
    if (s == null || s.info().version() != head) {
      s = registry.read(head);
      appliedCache = s;
    }
    return s;
  }

  /** How online reads resolve the view versions of {@code s} now. */
  ServingVersions servingVersions(RegistrySnapshot s) {
    ServingState cached = servingCache;
    long generation = servingGeneration.get(); // before the watermarks are read
    long now = System.nanoTime();
    if (cached != null && cached.registryVersion() == s.info().version() && cached.generation() == generation
        && now - cached.checkedNanos() < SERVING_REFRESH_NANOS) {
      return cached.versions();
    }
    ServingVersions versions = ServingVersions.of(s.definitions(), registry.watermarks(), earlierDefinitions);
    if (cached != null && cached.versions().equals(versions)) {
      versions = cached.versions(); // the same instance: compiled plans stay cached
    }
    // a state read before a materialization moved the watermarks carries the old generation, so a
    // racing read that stores it late cannot serve the old watermarks after the materialization returned
    servingCache = new ServingState(s.info().version(), generation, now, versions);
    return versions;
  }

  /** Drops the cached watermarks, and makes any state computed before this call stale. */
  void watermarksChanged() {
    servingGeneration.incrementAndGet();
    servingCache = null;
  }
}
