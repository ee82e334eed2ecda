package dev.quiver.core.repo;

import dev.quiver.core.load.ConfiguredOnlineStore;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.online.Freshness;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.online.TileRows;
import dev.quiver.core.online.TimeBounds;
import dev.quiver.core.registry.RegistryStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A feature repo's materializations (full, incremental, rebuild) over the registry's latest version.
 * They run one at a time (they drop and rebuild tables the others write): a second one waits for the
 * first to end; and each drops the cached watermarks ({@link ServingCache#watermarksChanged()}) before
 * it returns, failed or not. Thread-safe.
 */
final class Materializations {
  /** The instant rebuilds materialize from: every source row is read. */
  private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

  private final RepoConfig config;
  private final RegistryStore registry;
  private final RepoPlugins plugins;
  private final ServingCache serving;
  private final Clock clock;
  /** One materialization at a time. */
  private final ReentrantLock materializing = new ReentrantLock();

  Materializations(RepoConfig config, RegistryStore registry, RepoPlugins plugins, ServingCache serving, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.plugins = plugins;
    this.serving = serving;
    this.clock = clock;
  }

  /** See {@link FeatureRepo#materialize}. */
  List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end,
      Materializer.Listener listener, String author) {
    return exclusively(() -> materializer(author).materialize(views, start, end, listener));
  }

  /** See {@link FeatureRepo#materializeTargets}. */
  List<String> targets(List<String> views) {
    return materializer("").targets(views);
  }

  /** See {@link FeatureRepo#materializeIncremental}; {@code bounds} tells which watermarks are in the future. */
  List<Materializer.ViewResult> incremental(List<String> views, Instant end, Materializer.Listener listener,
      String author, TimeBounds bounds) {
    return exclusively(() -> {
      Materializer m = materializer(author);
      for (String view : m.targets(views)) {
        registry.watermark(view).filter(w -> bounds.isFuture(w.end())).ifPresent(w -> registry.resetWatermark(view));
      }
      return m.materializeIncremental(views, end, listener);
    });
  }

  /** See {@link FeatureRepo#rebuild}. */
  List<Materializer.ViewResult> rebuild(List<String> views, Instant end, Materializer.Listener listener,
      String author) {
    return exclusively(() -> {
      Materializer m = materializer(author);
      List<String> targets = m.targets(views);
      Definitions defs = serving.applied().definitions();
      OnlineStore store = plugins.onlineStore();
      for (String target : targets) {
        registry.resetWatermark(target); // first: a crash after it leaves a view to rebuild, never stale rows marked done
        FeatureView view = defs.views().stream().filter(v -> v.qualifiedName().equals(target))
            .findFirst().orElseThrow();
        store.dropTable(OnlineTables.of(defs.project(), view));
        store.dropTable(TileRows.table(defs.project(), view));
      }
      Freshness.reset(store, defs.project(), targets);
      return targets.isEmpty() ? List.<Materializer.ViewResult>of() : m.materialize(targets, BEGINNING, end, listener);
    });
  }

  /** Runs one materialization at a time, and drops the cached watermarks before it returns, failed or not. */
  private <T> T exclusively(Supplier<T> run) {
    materializing.lock();
    try {
      return run.get();
    } finally {
      serving.watermarksChanged();
      materializing.unlock();
    }
  }

  private Materializer materializer(String author) {
    OnlineStore store = plugins.onlineStore();
    // an engine that writes from its own workers (Spark) opens the store there with this
    return new Materializer(serving.applied(), plugins.offlineEngine(), store, registry, config.root(), clock, author,
        ConfiguredOnlineStore.of(config, store));
  }
}
