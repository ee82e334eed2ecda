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
 *   <li>{@code quiver_registry_version}: the registry version being served;
 *   <li>JVM memory, GC, threads and CPU.
 * </ul>
 *
 * Thread-safe.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> freshnessViews = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Map<String, Instant>> newestEvents = new AtomicReference<>(Map.of());
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  ServerMetrics() {
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
    return registry.scrape();
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

  Timer storeTimer(String op) {
    return Timer.builder("quiver.store")
        .description("Online store calls")
        .tag("op", op)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
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
   * Sets each view's newest event time written online ({@code name@vN} to time) and adds a freshness
   * gauge for each view not seen before; a view missing from {@code newest} reads NaN.
   */
  void freshness(Map<String, Instant> newest) {
    newestEvents.set(Map.copyOf(newest));
    for (String view : newest.keySet()) {
      if (freshnessViews.add(view)) {
        Gauge.builder("quiver.view.freshness", newestEvents, m -> {
              Instant t = m.get().get(view);
              return t == null ? Double.NaN : secondsSince(t);
            })
            .description("Seconds between now and the newest event time written online for the view (materialized or pushed)")
            .baseUnit("seconds")
            .tag("view", view)
            .register(registry);
      }
    }
  }

  private static double secondsSince(Instant t) {
    return Duration.between(t, Instant.now()).toNanos() / 1e9;
  }
}
