package dev.quiver.server;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.repo.FeatureRepo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's materializations, one at a time: run on the caller's thread, or in the background on
 * one thread of the server's (which ends after a minute idle and on close, whatever the runs did), with
 * their progress kept for {@link #status()}, logged, and counted in {@code
 * quiver_materializations_total{outcome}} and {@code quiver_materialization_running}. A run asked for
 * while another one runs is refused ({@link MaterializationRunningException}). Thread-safe.
 */
final class Materializations implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Materializations.class.getName());
  private static final String SHUTTING_DOWN = "the server is shutting down";

  private final FeatureRepo repo;
  private final Runnable afterRun;
  private final Clock clock;
  private final Duration grace;
  private final ThreadPoolExecutor background;
  private final AtomicLong ids = new AtomicLong();
  private final Counter succeeded;
  private final Counter failed;
  private final Counter skippedConcurrent;
  private Run current; // guarded by this: the running or last run

  /**
   * @param afterRun called after each run, failed or not (the server re-reads the registry's watermarks)
   * @param grace how long {@link #close()} waits for a background run
   */
  Materializations(FeatureRepo repo, Runnable afterRun, Clock clock, Duration grace, MeterRegistry meters) {
    this.repo = repo;
    this.afterRun = afterRun;
    this.clock = clock;
    this.grace = grace;
    this.background = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> Thread.ofPlatform().daemon().name("quiver-background-materialize").unstarted(r));
    background.allowCoreThreadTimeOut(true);
    this.succeeded = Counter.builder("quiver.materializations").tag("outcome", "ok")
        .description("Materializations run by the server, by outcome").register(meters);
    this.failed = Counter.builder("quiver.materializations").tag("outcome", "failed")
        .description("Materializations run by the server, by outcome").register(meters);
    this.skippedConcurrent = Counter.builder("quiver.materialize.keys.skipped.concurrent")
        .description("Tile rows a materialization left to pushes or streams writing them during the run; the next run rebuilds them")
        .register(meters);
    Gauge.builder("quiver.materialization.running", this, m -> m.status().state().equals("running") ? 1 : 0)
        .description("1 while a materialization runs on the server").register(meters);
  }

  /**
   * Runs a materialization on this thread.
   *
   * @param start null for an incremental run or a rebuild
   * @param rebuild drop the views' online state and materialize them from the beginning
   * @throws MaterializationRunningException when one is running
   */
  List<Materializer.ViewResult> run(List<String> views, Instant start, Instant end, boolean rebuild) {
    Run run = begin(views, start, end, rebuild, false);
    return run.execute();
  }

  /**
   * Starts a materialization in the background once its views are checked.
   *
   * @param finished receives the run's final status on the background thread when it ended (also when
   *     it failed); what it throws is logged and ignored
   * @return the run's status as it starts (its id and the view versions it covers), taken before the
   *     run can finish or another one begin
   * @throws MaterializationRunningException when one is running
   * @throws dev.quiver.core.NotFoundException for an unknown view, before anything starts
   * @throws QuiverException (503) once {@link #close()} began: the server is shutting down
   */
  MaterializationStatus start(List<String> views, Instant start, Instant end, boolean rebuild,
      java.util.function.Consumer<MaterializationStatus> finished) {
    Run run = begin(views, start, end, rebuild, true);
    MaterializationStatus started = run.status();
    try {
      background.execute(() -> {
        try {
          run.execute();
        } catch (RuntimeException | Error e) {
          // logged and kept in the status by execute(); the thread goes on to the next run
        }
        try {
          finished.accept(run.status());
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "after materialization " + run.id + ": " + e.getMessage(), e);
        }
      });
    } catch (RejectedExecutionException e) { // closed between begin() and here
      run.finish(null, SHUTTING_DOWN);
      throw shuttingDown();
    }
    return started;
  }

  /** Not a conflict with another run (409): the server is going away (503); nothing was started. */
  private static QuiverException shuttingDown() {
    return new QuiverException(SHUTTING_DOWN + "; materialize after it restarts");
  }

  /** The running or last materialization. */
  synchronized MaterializationStatus status() {
    return current == null ? MaterializationStatus.IDLE : current.status();
  }

  private synchronized Run begin(List<String> views, Instant start, Instant end, boolean rebuild, boolean inBackground) {
    if (inBackground && background.isShutdown()) {
      throw shuttingDown();
    }
    if (current != null && current.running()) {
      MaterializationStatus s = current.status();
      throw new MaterializationRunningException("materialization " + s.id() + " (" + s.kind() + " of "
          + String.join(", ", s.views()) + ") is running on this server since " + s.started()
          + "; try again when it is done (GET /materialize/status)", s.views());
    }
    List<String> targets = repo.materializeTargets(views);
    current = new Run(ids.incrementAndGet(), views, targets, start, end, rebuild, inBackground,
        clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    return current;
  }

  /** Stops taking runs and waits up to the grace period for a background run to finish. */
  @Override
  public void close() {
    background.shutdown();
    try {
      if (!background.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("a background materialization is still running after the shutdown grace period; stopping it"
            + " (its views' watermarks move only when their rows are written: run it again)");
        background.shutdownNow();
        background.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      background.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** One run and its progress. */
  private final class Run implements Materializer.Listener {
    final long id;
    final List<String> asked;
    final List<String> targets;
    final Instant start;
    final Instant end;
    final boolean rebuild;
    final boolean inBackground;
    final Instant started;
    final List<Materializer.ViewResult> done = new CopyOnWriteArrayList<>();
    volatile String currentView;
    volatile long viewRowsRead;
    volatile long viewRowsWritten;
    volatile Instant finished;
    volatile String error;

    Run(long id, List<String> asked, List<String> targets, Instant start, Instant end, boolean rebuild, boolean inBackground,
        Instant started) {
      this.id = id;
      this.asked = List.copyOf(asked);
      this.targets = targets;
      this.start = start;
      this.end = end;
      this.rebuild = rebuild;
      this.inBackground = inBackground;
      this.started = started;
    }

    String kind() {
      return rebuild ? "rebuild" : start == null ? "materialize-incremental" : "materialize";
    }

    boolean running() {
      return finished == null;
    }

    List<Materializer.ViewResult> execute() {
      LOG.info(() -> "materialization " + id + (inBackground ? " (background)" : "") + " started: " + kind() + " of "
          + String.join(", ", targets) + (start == null ? "" : " from " + start) + " to " + end);
      try {
        List<Materializer.ViewResult> results = rebuild ? repo.rebuild(asked, end, this, "quiver-server")
            : start == null ? repo.materializeIncremental(asked, end, this, "quiver-server")
            : repo.materialize(asked, start, end, this, "quiver-server");
        finish(results, null);
        succeeded.increment();
        LOG.info(() -> "materialization " + id + " done in " + Duration.between(started, finished).toMillis() + " ms: "
            + status().rowsRead() + " rows read, " + status().rowsWritten() + " written");
        return results;
      } catch (RuntimeException | Error e) {
        finish(null, String.valueOf(e.getMessage()));
        failed.increment();
        LOG.log(Level.WARNING, "materialization " + id + " failed: " + e.getMessage(), e);
        throw e;
      } finally {
        afterRun.run();
      }
    }

    void finish(List<Materializer.ViewResult> results, String failure) {
      if (results != null) {
        done.clear();
        done.addAll(results);
      }
      error = failure;
      currentView = null;
      finished = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    @Override
    public void batchWritten(String view, long rowsRead, long rowsWritten) {
      currentView = view;
      viewRowsRead = rowsRead;
      viewRowsWritten = rowsWritten;
    }

    @Override
    public void viewDone(Materializer.ViewResult r) {
      done.add(r);
      skippedConcurrent.increment(r.keysSkippedConcurrent());
      currentView = null;
      viewRowsRead = 0;
      viewRowsWritten = 0;
      LOG.info(() -> "materialization " + id + ": " + r.view() + " done, " + r.rowsRead() + " rows read, " + r.rowsWritten()
          + " written in " + r.took().toMillis() + " ms (" + done.size() + " of " + targets.size() + " views)");
    }

    MaterializationStatus status() {
      List<Materializer.ViewResult> views = List.copyOf(done);
      long read = views.stream().mapToLong(Materializer.ViewResult::rowsRead).sum();
      long written = views.stream().mapToLong(Materializer.ViewResult::rowsWritten).sum();
      String view = currentView;
      if (view != null) {
        read += viewRowsRead;
        written += viewRowsWritten;
      }
      Instant f = finished;
      String state = f == null ? "running" : error == null ? "done" : "failed";
      return new MaterializationStatus(id, state, kind(), inBackground, targets, start, end, started, f, view, read,
          written, views, error);
    }
  }
}
