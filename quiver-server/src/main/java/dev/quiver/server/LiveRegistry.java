package dev.quiver.server;

import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.security.Authorizer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The registry version the server answers from. A background thread checks the registry head every
 * poll interval, and at once when the store reports a new version ({@link RegistryStore#onNewVersion}:
 * the PostgreSQL registry does, within milliseconds; the poll stays as the fallback), and, when a new
 * version was applied, <em>loads</em> it — decodes it, loads its custom
 * transforms and compiles every derived feature ({@link DerivedFeatures#compileAll}) — and swaps it in
 * with one reference write: a request reads {@link #current()} once and sees one whole version, never
 * a mix. The views' watermarks are read at the same poll: they say which versions are materialized,
 * so which version an unpinned ref reads ({@link dev.quiver.core.online.ServingVersions}). Each
 * loaded version carries the {@link Authorizer} of its permissions, so a newly applied permission
 * takes effect with the version, without a restart.
 *
 * <p>A version that cannot be loaded (a transform class missing from this server's classpath, a
 * version that does not decode or compile) is not served: the last version that loaded keeps being
 * served (a server that starts with such a head serves the newest earlier version that loads), {@link
 * State#error()} says why (readiness turns 503) and the log says it once per version, not every
 * poll. The version is tried again at each poll; once it or a later one loads, the error clears.
 * Thread-safe.
 */
final class LiveRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LiveRegistry.class.getName());

  /**
   * What a request is answered from.
   *
   * @param snapshot the version served; empty until one was applied and loaded (its derived features
   *     compile with the server's transform classpath)
   * @param error why the server is not serving the registry head (null when it is)
   * @param authorizer decides over the served version's permissions (everything is allowed without any)
   */
  record State(Optional<RegistrySnapshot> snapshot, List<Watermark> watermarks, Instant checked, String error,
      Authorizer authorizer) {
    State(Optional<RegistrySnapshot> snapshot, List<Watermark> watermarks, Instant checked, String error) {
      this(snapshot, watermarks, checked, error,
          Authorizer.of(snapshot.map(s -> s.definitions().permissions()).orElse(List.of())));
    }

    /** The same version and authorizer, checked again. */
    State with(List<Watermark> watermarks, Instant checked, String error) {
      return new State(snapshot, watermarks, checked, error, authorizer);
    }
  }

  private final RegistryStore registry;
  private final ClassLoader transforms;
  private final AtomicReference<State> state = new AtomicReference<>();
  private final ScheduledExecutorService poller;
  private final RegistryStore.Subscription notified;
  /** Earlier versions' definitions (versions are immutable, so each is read once), at most 64. */
  private final Map<Long, Definitions> earlier = new ConcurrentHashMap<>();
  /** The last problem logged, so a problem that persists is logged once, not every poll. */
  private String logged;

  LiveRegistry(RegistryStore registry, Duration poll, ClassLoader transforms) {
    this.registry = registry;
    this.transforms = transforms;
    this.state.set(new State(Optional.empty(), List.of(), Instant.EPOCH, "the registry has not been read yet"));
    refresh();
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("quiver-registry-poll").unstarted(r));
    long millis = Math.max(10, poll.toMillis());
    poller.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
    this.notified = registry.onNewVersion(this::refreshSoon);
  }

  /** Refreshes on the poll thread, now (the store's listener thread must not wait for it). */
  private void refreshSoon() {
    try {
      poller.execute(this::refresh);
    } catch (RejectedExecutionException closing) {
      // the server is stopping
    }
  }

  State current() {
    return state.get();
  }

  /** The class loader custom transforms are loaded with (the server's transform classpath). */
  ClassLoader transforms() {
    return transforms;
  }

  /** Reads the head now; a failure keeps the version being served and is reported by readiness. */
  synchronized void refresh() {
    State before = state.get();
    Optional<VersionInfo> head;
    List<Watermark> watermarks;
    try {
      head = registry.head();
      watermarks = registry.watermarks();
    } catch (RuntimeException e) {
      String error = "reading the registry failed: " + e.getMessage();
      logOnce(error, e);
      state.set(before.with(before.watermarks(), before.checked(), error));
      return;
    }
    long served = before.snapshot().map(s -> s.info().version()).orElse(0L);
    if (head.isEmpty() || head.get().version() == served) {
      state.set(before.with(watermarks, Instant.now(), null));
      logged = null;
      return;
    }
    long version = head.get().version();
    State loaded;
    try {
      loaded = load(version, watermarks);
    } catch (RuntimeException e) {
      String reason = "registry version " + version + " cannot be served: " + e.getMessage();
      State keep = served != 0 ? before : newestLoadableBefore(version, watermarks);
      String error = reason + "; " + (keep == null ? "nothing is served until a version loads"
          : "serving version " + keep.snapshot().orElseThrow().info().version() + " instead");
      logOnce(error, e);
      keep = keep == null ? before : keep;
      state.set(keep.with(watermarks, Instant.now(), error));
      return;
    }
    LOG.info(() -> "serving registry version " + version);
    logged = null;
    state.set(loaded);
  }

  /**
   * Reads, decodes and compiles one version; throws when any of it fails. Serving compiles again per
   * serving rule ({@code DerivedFeatures.cached}); this checks that it can.
   */
  private State load(long version, List<Watermark> watermarks) {
    RegistrySnapshot snapshot = registry.read(version);
    DerivedFeatures.of(snapshot.definitions(), transforms).compileAll();
    return new State(Optional.of(snapshot), watermarks, Instant.now(), null);
  }

  /**
   * With nothing served yet (a server started after an unloadable version was applied), the newest
   * earlier version that loads, so reads keep being answered; null when none does.
   */
  private State newestLoadableBefore(long version, List<Watermark> watermarks) {
    for (long v = version - 1; v >= 1; v--) {
      try {
        return load(v, watermarks);
      } catch (RuntimeException olderFailsToo) {
        // try the one before
      }
    }
    return null;
  }

  private void logOnce(String error, RuntimeException e) {
    if (!Objects.equals(error, logged)) {
      logged = error;
      LOG.log(Level.WARNING, error, e);
    }
  }

  /** An earlier registry version's definitions (versions are immutable, so each is read once). */
  Definitions definitionsAt(long version) {
    Definitions d = earlier.get(version);
    if (d == null) {
      d = registry.read(version).definitions();
      if (earlier.size() < 64) {
        earlier.put(version, d);
      }
    }
    return d;
  }

  @Override
  public void close() {
    notified.close();
    poller.shutdownNow();
  }
}
