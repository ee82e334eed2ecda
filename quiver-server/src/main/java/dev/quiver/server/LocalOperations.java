package dev.quiver.server;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.online.Freshness;
import dev.quiver.core.online.FutureEventException;
import dev.quiver.core.online.OnlineDeletion;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.online.ViewWriter;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** {@link ServerOperations} over a feature repo and the live registry version. Thread-safe. */
final class LocalOperations implements ServerOperations, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalOperations.class.getName());

  private final FeatureRepo repo;
  private final LiveRegistry live;
  private final OnlineStore store;
  private final ServerMetrics metrics;
  private final Materializations materializations;
  private final LocalServing serving;
  private final Guard guard;
  /** The stream consumers ({@code quiver serve --ingest}), or null. */
  private volatile StreamConsumers streams;

  LocalOperations(FeatureRepo repo, LiveRegistry live, LocalServing serving, OnlineStore store, ServerMetrics metrics,
      Duration grace, Guard guard) {
    this.guard = guard;
    this.repo = repo;
    this.live = live;
    this.serving = serving;
    this.store = store;
    this.metrics = metrics;
    this.materializations = new Materializations(repo, live::refresh, Clock.systemUTC(), grace, metrics.meters());
  }

  @Override
  public Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to) {
    return counted(() -> pusher(serving.writing()).push(source, columns, to));
  }

  @Override
  public Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to,
      dev.quiver.core.online.Origin origin) {
    return pusher(serving.writing()).push(source, columns, to, origin);
  }

  @Override
  public Pusher.Result write(String view, Map<String, List<Object>> columns) {
    LocalServing.Writing w = serving.writing();
    return counted(() -> new ViewWriter(w.definitions(), pusher(w)).write(view, columns));
  }

  /** Runs a push, counting rows refused for their future event times ({@code quiver_push_rows_rejected_total}). */
  private Pusher.Result counted(java.util.function.Supplier<Pusher.Result> push) {
    try {
      Pusher.Result r = push.get();
      metrics.rowsRejected(ServerMetrics.FUTURE, r.rejectedFuture());
      return r;
    } catch (FutureEventException e) {
      metrics.rowsRejected(ServerMetrics.FUTURE, e.rows());
      throw e;
    }
  }

  /**
   * Writes one batch of a stream consumer started over {@code started} (the definitions of the version
   * it runs over). Once a newer version is served the batch is refused as a store failure would be, so
   * the consumer retries it, and the consumers restart over the new version before long.
   */
  Pusher.Result pushStream(Definitions started, String source, Map<String, List<Object>> columns, Origin.Stream origin) {
    LocalServing.Writing w = serving.writing();
    if (w.definitions() != started) {
      throw new QuiverException("a new registry version is served; source '" + source
          + "' is written once its consumer restarts over it");
    }
    return pusher(w).push(source, columns, Pusher.Target.ONLINE, origin);
  }

  /** Makes readiness and {@link #ingestion()} report the stream consumers. */
  void streams(StreamConsumers consumers) {
    this.streams = consumers;
  }

  @Override
  public IngestStatus ingestion() {
    StreamConsumers s = streams;
    return s == null ? IngestStatus.OFF : s.status();
  }

  /** A pusher over one registry version, knowing how its views were last materialized. */
  private Pusher pusher(LocalServing.Writing w) {
    return new Pusher(w.definitions(), store, repo.offline(), repo.config().root(), w.serving(), repo.timeBounds())
        .recordingTo(repo.registry());
  }

  @Override
  public List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end) {
    if (!end.isAfter(start)) {
      throw new InvalidRequestException("'end_ts' (" + end + ") must be after 'start_ts' (" + start + ")");
    }
    repo.timeBounds().checkEnd(end);
    return materializations.run(views, start, end, false);
  }

  @Override
  public List<Materializer.ViewResult> materializeIncremental(List<String> views, Instant end) {
    repo.timeBounds().checkEnd(end);
    return materializations.run(views, null, end, false);
  }

  @Override
  public List<Materializer.ViewResult> rebuild(List<String> views, Instant end) {
    repo.timeBounds().checkEnd(end);
    return materializations.run(views, null, end, true);
  }

  @Override
  public OnlineDeletion.Result deleteOnline(List<String> views, Map<String, List<Object>> entities) {
    return OnlineDeletion.delete(serving.writing().definitions(), store, views, entities);
  }

  @Override
  public MaterializationStatus materializeInBackground(List<String> views, Instant start, Instant end, boolean rebuild,
      java.util.function.Consumer<MaterializationStatus> finished) {
    if (start != null && !end.isAfter(start)) {
      throw new InvalidRequestException("'end_ts' (" + end + ") must be after 'start_ts' (" + start + ")");
    }
    repo.timeBounds().checkEnd(end); // before the run starts: a 400 now, not a failed run later
    return materializations.start(views, start, end, rebuild, finished);
  }

  @Override
  public MaterializationStatus materialization() {
    return materializations.status();
  }

  /** Waits (up to the shutdown grace) for a background materialization. */
  @Override
  public void close() {
    materializations.close();
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
    StreamConsumers consumers = streams;
    if (consumers != null) {
      String problem = consumers.readinessProblem();
      checks.put("stream_consumers", problem == null ? "ok" : problem);
      ready &= problem == null;
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
  public Guard guard() {
    return guard;
  }

  @Override
  public FailureLog failures() {
    return metrics.failures();
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
