package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.stream.kafka.IngestOptions;
import dev.quiver.stream.kafka.SourceStatus;
import dev.quiver.stream.kafka.StreamIngestion;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The stream consumers inside the server ({@code quiver serve --ingest}): a {@link StreamIngestion}
 * over the registry version the server serves. A background thread looks at the live version every
 * registry poll; when a new one is served it stops the consumers (each after the batch it is writing,
 * its offsets committed) and starts them again over the new definitions, resuming from the committed
 * offsets. Batches are written through the server's push path ({@link
 * LocalOperations#pushStream}); the meters go to the server's registry, so {@code /metrics} shows them.
 * Thread-safe.
 */
final class StreamConsumers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StreamConsumers.class.getName());

  private final FeatureRepo repo;
  private final LiveRegistry live;
  private final LocalOperations ops;
  private final ServerOptions.Ingest settings;
  private final MeterRegistry meters;
  private final ScheduledExecutorService watcher;
  /** What runs now; read without the lock, so status and readiness never wait for a restart. */
  private volatile Running current = new Running(null, 0, null);
  private boolean closed;

  /** The consumers (null when none run), the registry version they run over, and why none runs for it. */
  private record Running(StreamIngestion ingestion, long version, String problem) {}

  StreamConsumers(FeatureRepo repo, LiveRegistry live, LocalOperations ops, ServerOptions.Ingest settings,
      MeterRegistry meters, Duration poll) {
    this.repo = repo;
    this.live = live;
    this.ops = ops;
    this.settings = settings;
    this.meters = meters;
    sync();
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("quiver-ingest-watch").unstarted(r));
    long millis = Math.max(10, poll.toMillis());
    watcher.scheduleWithFixedDelay(this::sync, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Starts the consumers over the version served, or restarts them when a newer one is served. */
  synchronized void sync() {
    Optional<RegistrySnapshot> served = live.current().snapshot();
    if (closed || served.isEmpty() || served.get().info().version() == current.version()) {
      return;
    }
    stopRunning();
    RegistrySnapshot snapshot = served.get();
    long version = snapshot.info().version();
    Definitions defs = snapshot.definitions();
    try {
      List<StreamSource> sources = StreamIngestion.select(defs, List.of(), settings.sources());
      if (sources.isEmpty()) {
        LOG.info(() -> "registry version " + version + " has no stream sources: nothing to ingest");
        current = new Running(null, version, null);
        return;
      }
      StreamIngestion started = StreamIngestion.start(defs, sources, IngestOptions.DEFAULT,
          (source, columns, origin) -> ops.pushStream(defs, source, columns, origin),
          repo.offline(), repo.config().root(), meters, repo.timeBounds());
      current = new Running(started, version, null);
      LOG.info(() -> "ingesting " + String.join(", ", sources.stream().map(StreamSource::name).toList())
          + " over registry version " + version);
    } catch (RuntimeException e) { // a QuiverException naming the problem; anything else is reported the same way
      String problem = "registry version " + version + ": " + e.getMessage();
      current = new Running(null, version, problem);
      LOG.log(Level.WARNING, "stream consumers not started: " + problem);
    }
  }

  /** What {@code GET /ingest/status} shows. */
  IngestStatus status() {
    Running r = current;
    return new IngestStatus(true, r.version(), r.problem(), r.ingestion() == null ? List.of() : r.ingestion().status());
  }

  /**
   * Why readiness fails, or null: the consumers could not start, one stopped on an error it cannot
   * retry, or one has been starting or retrying for longer than the stall timeout.
   */
  String readinessProblem() {
    IngestStatus s = status();
    if (s.problem() != null) {
      return s.problem();
    }
    List<String> out = new ArrayList<>();
    Instant now = Instant.now();
    for (SourceStatus c : s.sources()) {
      Duration stalled = Duration.between(c.since(), now);
      boolean stuck = (c.state() == SourceStatus.State.STARTING || c.state() == SourceStatus.State.RETRYING)
          && stalled.compareTo(settings.stallTimeout()) > 0;
      if (c.state() == SourceStatus.State.FAILED || stuck) {
        out.add("source '" + c.source() + "' " + c.state().name().toLowerCase(Locale.ROOT)
            + (stuck ? " for " + stalled.toSeconds() + " s" : "") + (c.error() == null ? "" : ": " + c.error()));
      }
    }
    return out.isEmpty() ? null : String.join("; ", out);
  }

  /** Stops the consumers (each after the batch it is writing), keeping their last status visible meanwhile. */
  private void stopRunning() {
    Running r = current;
    if (r.ingestion() != null) {
      r.ingestion().close();
      current = new Running(null, r.version(), r.problem());
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    synchronized (this) {
      closed = true;
      stopRunning();
    }
  }
}
