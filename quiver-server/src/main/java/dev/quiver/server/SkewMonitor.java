package dev.quiver.server;

import dev.quiver.core.model.FeatureService;
import dev.quiver.core.monitor.FeatureSkew;
import dev.quiver.core.monitor.SkewCheck;
import dev.quiver.core.monitor.SkewReport;
import dev.quiver.core.monitor.SkewRequest;
import dev.quiver.core.monitor.SkewSchedule;
import dev.quiver.core.repo.FeatureRepo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Skew on a schedule inside {@code quiver serve} ({@code monitoring: {skew: {every, lookback}}} in
 * {@code quiver.yaml}): one daemon thread, off every request path, runs {@link SkewCheck} for each
 * service over the rows served in the last {@code lookback} with the repo's offline engine, records
 * the results in the registry store's {@link dev.quiver.core.monitor.SkewLog} and exports
 * {@code quiver_skew_mismatch_rate{service, feature}} (the latest run's rate),
 * {@code quiver_skew_rows_compared_total{service}} and {@code quiver_skew_runs_total{service, outcome}}.
 * A failed run is counted, and logged through the {@link FailureLog} (rate-limited); the next run
 * starts {@code every} after the previous one ends, so runs never overlap. Labels are bounded by the
 * registry's services and their features. Thread-safe.
 */
final class SkewMonitor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SkewMonitor.class.getName());

  private final FeatureRepo repo;
  private final SkewSchedule schedule;
  private final Path logs;
  private final MeterRegistry meters;
  private final FailureLog failures;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Map<String, AtomicLong> rates = new ConcurrentHashMap<>(); // service|feature -> double bits
  private final AtomicLong runs = new AtomicLong();

  SkewMonitor(FeatureRepo repo, SkewSchedule schedule, MeterRegistry meters, FailureLog failures, Clock clock) {
    this.repo = repo;
    this.schedule = schedule;
    this.logs = repo.config().root().resolve(schedule.logs());
    this.meters = meters;
    this.failures = failures;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = Thread.ofPlatform().daemon().name("quiver-skew").unstarted(r);
      t.setPriority(Thread.MIN_PRIORITY); // serving threads go first
      return t;
    });
  }

  /** Starts the schedule: the first run after one period. */
  void start() {
    long millis = schedule.every().toMillis();
    thread.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs started so far (for tests and health). */
  long runs() {
    return runs.get();
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException e) { // never let the schedule die
      failures.failed(LOG, Level.WARNING, "skew", "the scheduled skew check failed: " + e.getMessage(), e);
    }
  }

  /** One run over every configured service; returns the reports of the services that ran. */
  List<SkewReport> runOnce() {
    runs.incrementAndGet();
    Instant now = clock.instant();
    List<SkewReport> reports = new ArrayList<>();
    for (String service : services()) {
      try {
        SkewReport report = SkewCheck.run(repo, new SkewRequest(service, now.minus(schedule.lookback()), now, logs,
            schedule.sample(), now.toEpochMilli()));
        if (!report.features().isEmpty()) {
          repo.registry().skewLog().append(report.results(now));
        }
        export(report);
        runCounter(service, "ok").increment();
        reports.add(report);
      } catch (RuntimeException e) {
        runCounter(service, "failed").increment();
        failures.failed(LOG, Level.WARNING, "skew", "skew check of service '" + service + "' failed: " + e.getMessage(), e);
      }
    }
    return reports;
  }

  /** The configured services, or those of the registry that have a log folder. */
  private List<String> services() {
    if (!schedule.services().isEmpty()) {
      return schedule.services();
    }
    Set<String> known = new TreeSet<>();
    repo.appliedDefinitions().services().stream().map(FeatureService::name).forEach(known::add);
    if (!Files.isDirectory(logs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(logs)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(known::contains).sorted().toList();
    } catch (IOException e) {
      throw new dev.quiver.core.QuiverException("cannot list the feature logs in " + logs + ": " + e.getMessage(), e);
    }
  }

  private void export(SkewReport report) {
    Counter.builder("quiver.skew.rows.compared").description("Logged rows the scheduled skew check compared")
        .tag("service", report.service()).register(meters).increment(report.rowsCompared());
    for (FeatureSkew f : report.features()) {
      AtomicLong bits = rates.computeIfAbsent(report.service() + '|' + f.feature(), k -> {
        AtomicLong b = new AtomicLong();
        Gauge.builder("quiver.skew.mismatch.rate", b, x -> Double.longBitsToDouble(x.get()))
            .description("Share of logged rows whose served value differs from the offline recomputation, latest run")
            .tag("service", report.service()).tag("feature", f.feature()).register(meters);
        return b;
      });
      bits.set(Double.doubleToLongBits(f.mismatchRate()));
    }
  }

  private Counter runCounter(String service, String outcome) {
    return Counter.builder("quiver.skew.runs").description("Scheduled skew checks, by outcome")
        .tag("service", service).tag("outcome", outcome).register(meters);
  }

  /** Stops the schedule; a run in progress finishes (up to a few seconds) before the repo closes. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
