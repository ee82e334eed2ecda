package dev.quiver.server;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.online.Freshness;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/** {@link ServerOperations} over a feature repo and the live registry version. Thread-safe. */
final class LocalOperations implements ServerOperations {
  private static final Logger LOG = Logger.getLogger(LocalOperations.class.getName());

  private final FeatureRepo repo;
  private final LiveRegistry live;
  private final OnlineStore store;
  private final ServerMetrics metrics;
  private final ReentrantLock materializing = new ReentrantLock();

  LocalOperations(FeatureRepo repo, LiveRegistry live, OnlineStore store, ServerMetrics metrics) {
    this.repo = repo;
    this.live = live;
    this.store = store;
    this.metrics = metrics;
  }

  @Override
  public Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to) {
    RegistrySnapshot snapshot = LocalServing.applied(live);
    return new Pusher(snapshot.definitions(), store, repo.offline(), repo.config().root())
        .push(source, columns, to);
  }

  @Override
  public List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end) {
    if (!end.isAfter(start)) {
      throw new InvalidRequestException("'end_ts' (" + end + ") must be after 'start_ts' (" + start + ")");
    }
    return exclusively(() -> repo.materialize(views, start, end, listener(), "quiver-server"));
  }

  @Override
  public List<Materializer.ViewResult> materializeIncremental(List<String> views, Instant end) {
    return exclusively(() -> repo.materializeIncremental(views, end, listener(), "quiver-server"));
  }

  private List<Materializer.ViewResult> exclusively(java.util.function.Supplier<List<Materializer.ViewResult>> run) {
    if (!materializing.tryLock()) {
      throw new InvalidRequestException("a materialization is already running on this server; try again when it is done");
    }
    try {
      List<Materializer.ViewResult> r = run.get();
      live.refresh();
      return r;
    } finally {
      materializing.unlock();
    }
  }

  private static Materializer.Listener listener() {
    return new Materializer.Listener() {
      @Override
      public void batchWritten(String view, long rowsRead, long rowsWritten) {}

      @Override
      public void viewDone(Materializer.ViewResult r) {
        LOG.info(() -> "materialized " + r.view() + ": " + r.rowsRead() + " rows read, " + r.rowsWritten() + " written in "
            + r.took().toMillis() + " ms");
      }
    };
  }

  @Override
  public Readiness readiness() {
    Map<String, String> checks = new LinkedHashMap<>();
    LiveRegistry.State s = live.current();
    long version = s.snapshot().map(x -> x.info().version()).orElse(0L);
    boolean ready = true;
    if (s.error() != null) {
      checks.put("registry", s.error());
      ready = false;
    } else if (s.snapshot().isEmpty()) {
      checks.put("registry", "empty: run 'quiver apply'");
      ready = false;
    } else {
      checks.put("registry", "ok");
    }
    try {
      store.check();
      checks.put("online_store", "ok");
    } catch (RuntimeException e) {
      checks.put("online_store", String.valueOf(e.getMessage()));
      ready = false;
    }
    return new Readiness(ready, version, checks);
  }

  @Override
  public Optional<RegistrySnapshot> applied() {
    return live.current().snapshot();
  }

  @Override
  public List<VersionInfo> registryLog() {
    return repo.registry().log();
  }

  @Override
  public String scrapeMetrics() {
    live.current().snapshot().ifPresent(s -> {
      List<String> views = s.definitions().views().stream().filter(FeatureView::online).map(FeatureView::qualifiedName).toList();
      try {
        metrics.freshness(Freshness.read(repo.online(), s.definitions().project(), views));
      } catch (RuntimeException e) { // the store's own failures show in readiness and the store metrics
        LOG.fine(() -> "reading view freshness failed: " + e.getMessage());
      }
    });
    return metrics.scrape();
  }
}
