package dev.quiver.server;

import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The registry version the server answers from. A background thread checks the registry head every
 * poll interval and, when a new version was applied, decodes it and swaps it in with one reference
 * write: a request reads {@link #current()} once and sees one whole version, never a mix. Watermarks
 * (for freshness metrics) are refreshed on the same schedule. Thread-safe.
 */
final class LiveRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LiveRegistry.class.getName());

  /** What a request is answered from; {@code snapshot} is empty until something was applied. */
  record State(Optional<RegistrySnapshot> snapshot, List<Watermark> watermarks, Instant checked, String error) {}

  private final RegistryStore registry;
  private final AtomicReference<State> state = new AtomicReference<>();
  private final ScheduledExecutorService poller;

  LiveRegistry(RegistryStore registry, Duration poll) {
    this.registry = registry;
    this.state.set(new State(Optional.empty(), List.of(), Instant.EPOCH, "the registry has not been read yet"));
    refresh();
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("quiver-registry-poll").unstarted(r));
    long millis = Math.max(10, poll.toMillis());
    poller.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
  }

  State current() {
    return state.get();
  }

  /** Reads the head now; a failure keeps the version being served and is reported by readiness. */
  void refresh() {
    State before = state.get();
    try {
      Optional<VersionInfo> head = registry.head();
      Optional<RegistrySnapshot> snapshot = before.snapshot();
      if (head.isPresent() && (snapshot.isEmpty() || snapshot.get().info().version() != head.get().version())) {
        snapshot = Optional.of(registry.read(head.get().version()));
        LOG.info(() -> "serving registry version " + head.get().version());
      }
      state.set(new State(snapshot, registry.watermarks(), Instant.now(), null));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reading the registry failed; still serving the version read before", e);
      state.set(new State(before.snapshot(), before.watermarks(), before.checked(),
          "reading the registry failed: " + e.getMessage()));
    }
  }

  /** An earlier registry version's definitions (versions are immutable, so each is read once). */
  dev.quiver.core.model.Definitions definitionsAt(long version) {
    dev.quiver.core.model.Definitions d = earlier.get(version);
    if (d == null) {
      d = registry.read(version).definitions();
      if (earlier.size() < 64) {
        earlier.put(version, d);
      }
    }
    return d;
  }

  private final java.util.Map<Long, dev.quiver.core.model.Definitions> earlier = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
