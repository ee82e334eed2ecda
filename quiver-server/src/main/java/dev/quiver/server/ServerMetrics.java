package dev.quiver.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's Prometheus metrics:
 *
 * <ul>
 *   <li>{@code quiver_requests_seconds{protocol, endpoint, outcome}}: request latency histograms;
 *       outcome is {@code ok}, {@code client_error} or {@code server_error};
 *   <li>{@code quiver_store_seconds{op}}: online store call latency;
 *   <li>{@code quiver_view_freshness_seconds{view}}: now minus the newest event time written online
 *       for the view, by materialization or a push ({@link dev.quiver.core.online.Freshness}, kept in
 *       the online store, so a restarted server reports it too);
 *   <li>{@code quiver_push_rows_rejected_total{reason}}: pushed (or streamed) rows refused and never
 *       stored; {@code reason="future"}: an event time after now + {@code max_future_skew}
 *       ({@link dev.quiver.core.online.TimeBounds});
 *   <li>{@code quiver_feature_values_total{service, view, feature, status}} and {@code
 *       quiver_service_requests_seconds{service, outcome}}: what online reads served, per feature and
 *       per feature service ({@link FeatureMetrics});
 *   <li>{@code quiver_registry_version}: the registry version being served;
 *   <li>{@code quiver_requests_shed_total{protocol, reason}}: requests answered 503 (gRPC:
 *       {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED} for {@code in_flight}) without running: {@code
 *       queue_wait} (refused on arrival: the queue ahead would have kept it waiting past {@code
 *       --queue-budget}), {@code latency_limit} (refused on arrival: as many requests were in flight as the
 *       adaptive limit of {@code --latency-target} allows), {@code queue_timeout} (waited past {@code --queue-timeout}), {@code queue_full} (the queue was at its bound), {@code in_flight} (gRPC calls past the limit);
 *   <li>{@code quiver_admission_limit{protocol}} and {@code quiver_admission_in_flight{protocol}}: the
 *       adaptive limit on requests in flight ({@code --latency-target}) and the requests holding a place in it;
 *   <li>{@code quiver_connections_closed_total{reason}}: connections the server closed on its own:
 *       {@code idle}, {@code request_timeout} (a slow request, 408), {@code over_capacity} (past
 *       {@code --max-connections}: HTTP 503, gRPC closed when accepted);
 *   <li>{@code quiver_connections_open}: HTTP connections open now;
 *   <li>JVM memory, GC, threads and CPU.
 * </ul>
 *
 * Thread-safe.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final FailureLog failures = new FailureLog(registry);
  private final FeatureMetrics features = new FeatureMetrics(registry);
  private final Set<String> freshnessViews = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Map<String, Instant>> newestEvents = new AtomicReference<>(Map.of());
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  /** The {@code reason} of rows refused for an event time after now + the skew. */
  public static final String FUTURE = "future";

  private final ConcurrentHashMap<String, io.micrometer.core.instrument.Counter> rejected = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> shed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> closed = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();

  /** Why a request was shed ({@link #shed}). */
  public static final String QUEUE_TIMEOUT = "queue_timeout";
  /** Refused on arrival: the requests ahead of it would have kept it waiting past the queue budget. */
  public static final String QUEUE_WAIT = "queue_wait";
  public static final String QUEUE_FULL = "queue_full";
  /** Refused on arrival: the adaptive latency limit on requests in flight was reached. */
  public static final String LATENCY_LIMIT = "latency_limit";
  public static final String IN_FLIGHT = "in_flight";
  /** Why the server closed a connection ({@link #connectionClosed}). */
  public static final String IDLE = "idle";
  public static final String REQUEST_TIMEOUT = "request_timeout";
  public static final String OVER_CAPACITY = "over_capacity";

  ServerMetrics() {
    rowsRejected(FUTURE, 0); // shown from the start, at 0
    for (String reason : new String[] {QUEUE_WAIT, LATENCY_LIMIT, QUEUE_TIMEOUT, QUEUE_FULL}) {
      shedCounter("http", reason);
    }
    shedCounter("grpc", IN_FLIGHT);
    shedCounter("grpc", QUEUE_WAIT);
    shedCounter("grpc", LATENCY_LIMIT);
    shedCounter("grpc", QUEUE_TIMEOUT);
    for (String reason : new String[] {IDLE, REQUEST_TIMEOUT, OVER_CAPACITY}) {
      closedCounter(reason);
    }
    Gauge.builder("quiver.connections.open", openConnections, java.util.concurrent.atomic.AtomicInteger::get)
        .description("HTTP connections open now")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
  }

  /** The Micrometer registry, for front ends that record their own meters. */
  public MeterRegistry meters() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    validationSeries();
    return registry.scrape();
  }

  private final Set<dev.quiver.core.quality.ValidationCounters.Key> validationKeys =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Registers the validation counters of series seen since the last scrape ({@link
   * dev.quiver.core.quality.ValidationCounters}, fed by every entry path in this process):
   * {@code quiver_validation_rows_checked_total} and {@code quiver_validation_rows_failed_total}
   * with labels view, feature (empty for a view rule) and rule.
   */
  private void validationSeries() {
    for (var key : dev.quiver.core.quality.ValidationCounters.snapshot().keySet()) {
      if (validationKeys.add(key)) {
        io.micrometer.core.instrument.FunctionCounter.builder("quiver.validation.rows.checked", key,
                k -> dev.quiver.core.quality.ValidationCounters.totals(k).rowsChecked())
            .description("Rows a validation rule judged where data entered (materialization, push, stream)")
            .tags("view", key.view(), "feature", key.feature(), "rule", key.rule())
            .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("quiver.validation.rows.failed", key,
                k -> dev.quiver.core.quality.ValidationCounters.totals(k).rowsFailed())
            .description("Rows that failed a validation rule (for a run rule: failed runs)")
            .tags("view", key.view(), "feature", key.feature(), "rule", key.rule())
            .register(registry);
      }
    }
  }

  /** Records one request's latency. */
  public void request(String protocol, String endpoint, String outcome, long nanos) {
    timers.computeIfAbsent(protocol + '|' + endpoint + '|' + outcome, k -> Timer.builder("quiver.requests")
            .description("Requests by protocol, endpoint and outcome")
            .tags("protocol", protocol, "endpoint", endpoint, "outcome", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /**
   * Counts {@code rows} pushed or streamed rows refused for {@code reason} ({@link #FUTURE}); for every
   * writer in the server, the Kafka consumer's too.
   */
  public void rowsRejected(String reason, long rows) {
    Counter c = rejected.computeIfAbsent(reason, r -> Counter.builder("quiver.push.rows.rejected")
        .description("Pushed or streamed rows refused and never stored, by reason (future: event time after now + max_future_skew)")
        .tag("reason", r)
        .register(registry));
    if (rows > 0) {
      c.increment(rows);
    }
  }

  /** Counts one request answered 503 without running, for {@code reason} ({@link #QUEUE_TIMEOUT}, ...). */
  public void shed(String protocol, String reason) {
    shedCounter(protocol, reason).increment();
  }

  /** Requests shed so far for {@code reason}, over both protocols. */
  public double shedCount(String reason) {
    return shed.entrySet().stream().filter(e -> e.getKey().endsWith("|" + reason)).mapToDouble(e -> e.getValue().count()).sum();
  }

  /** Counts one connection the server closed for {@code reason} ({@link #IDLE}, ...). */
  public void connectionClosed(String reason) {
    closedCounter(reason).increment();
  }

  /** Connections closed so far for {@code reason}. */
  public double closedCount(String reason) {
    return closedCounter(reason).count();
  }

  /** Registers the gauges of a front end's adaptive latency limit (none for a limit that is off). */
  public void latencyLimit(String protocol, dev.quiver.server.admission.LatencyLimit limit) {
    if (!limit.enabled()) {
      return;
    }
    Gauge.builder("quiver.admission.limit", limit, dev.quiver.server.admission.LatencyLimit::limit)
        .description("The adaptive limit on requests in flight that keeps admitted requests within --latency-target")
        .tag("protocol", protocol)
        .register(registry);
    Gauge.builder("quiver.admission.in.flight", limit, dev.quiver.server.admission.LatencyLimit::inFlight)
        .description("Requests holding a place in the adaptive latency limit")
        .tag("protocol", protocol)
        .register(registry);
  }

  /** The gauge of open HTTP connections, which the HTTP front end moves. */
  public java.util.concurrent.atomic.AtomicInteger openConnections() {
    return openConnections;
  }

  private Counter shedCounter(String protocol, String reason) {
    return shed.computeIfAbsent(protocol + '|' + reason, k -> Counter.builder("quiver.requests.shed")
        .description("Requests answered 503 / RESOURCE_EXHAUSTED without running, by reason")
        .tags("protocol", protocol, "reason", reason)
        .register(registry));
  }

  private Counter closedCounter(String reason) {
    return closed.computeIfAbsent(reason, r -> Counter.builder("quiver.connections.closed")
        .description("Connections the server closed: idle, request_timeout (408), over_capacity (503)")
        .tag("reason", r)
        .register(registry));
  }

  Timer storeTimer(String op) {
    return Timer.builder("quiver.store")
        .description("Online store calls")
        .tag("op", op)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  /** The per-feature and per-service serving meters ({@link FeatureMetrics}). */
  FeatureMetrics features() {
    return features;
  }

  /** The rate-limited log of repeated failures, counted in {@code quiver_failures_total}. */
  public FailureLog failures() {
    return failures;
  }

  Counter storeErrors(String op) {
    return Counter.builder("quiver.store.errors").tag("op", op).register(registry);
  }

  /** Registers the registry version and age gauges, read from {@code live} at scrape time (freshness: {@link #freshness}). */
  void watch(LiveRegistry live) {
    Gauge.builder("quiver.registry.version", live, l -> l.current().snapshot().map(s -> (double) s.info().version()).orElse(0.0))
        .description("The registry version being served (0: none applied)")
        .register(registry);
    Gauge.builder("quiver.registry.age", live, l -> secondsSince(l.current().checked()))
        .description("Seconds since the registry was last read successfully")
        .baseUnit("seconds")
        .register(registry);
  }

  /**
   * Sets each view's newest event time written online ({@code name@vN} to time), adds a freshness
   * gauge for each view not seen before and removes the gauges of views missing from {@code newest}
   * (dropped, rebuilt, or no longer served), so no gauge ever reads NaN.
   */
  void freshness(Map<String, Instant> newest) {
    newestEvents.set(Map.copyOf(newest));
    for (String view : newest.keySet()) {
      if (freshnessViews.add(view)) {
        Gauge.builder("quiver.view.freshness", newestEvents, m -> freshnessSeconds(m.get().get(view), Instant.now()))
            .description("Seconds between now and the newest event time written online for the view (materialized or pushed)")
            .baseUnit("seconds")
            .tag("view", view)
            .register(registry);
      }
    }
    for (String view : Set.copyOf(freshnessViews)) {
      if (!newest.containsKey(view) && freshnessViews.remove(view)) {
        Gauge g = registry.find("quiver.view.freshness").tag("view", view).gauge();
        if (g != null) {
          registry.remove(g);
        }
      }
    }
  }

  /**
   * Now minus the newest event time, in seconds: never NaN, never negative. A newest time in the
   * future (an event time an older version let through) reads 0; a time centuries away does not
   * overflow. Null (the view's time vanished between two scrapes) reads 0 too.
   */
  static double freshnessSeconds(Instant newest, Instant now) {
    if (newest == null || !newest.isBefore(now)) {
      return 0;
    }
    return (now.getEpochSecond() - newest.getEpochSecond()) + (now.getNano() - newest.getNano()) / 1e9;
  }

  private static double secondsSince(Instant t) {
    return freshnessSeconds(t, Instant.now());
  }
}
