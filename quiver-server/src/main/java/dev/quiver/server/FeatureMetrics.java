package dev.quiver.server;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.security.AccessDeniedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What online reads served, per feature and per feature service (issue 23):
 *
 * <ul>
 *   <li>{@code quiver_feature_values_total{service, view, feature, status}}: values served, one per
 *       entity row and requested feature, by status ({@code PRESENT}, {@code NULL_VALUE}, {@code
 *       NOT_FOUND}, {@code OUTSIDE_MAX_AGE}); {@code service} is the feature service the request
 *       named, empty when it listed features; {@code view} is the view or on-demand view name
 *       without its version (a new view version continues the same series);
 *   <li>{@code quiver_service_requests_seconds{service, outcome}}: requests that named a feature
 *       service, a latency histogram of the read (resolving, store reads, derived features; the
 *       protocol's parsing and encoding are in {@code quiver_requests_seconds}); outcome {@code ok},
 *       {@code client_error} or {@code server_error}.
 * </ul>
 *
 * <p>Bounded cardinality: labels come from the registry only. A value's feature is one the read
 * resolved in the registry version it answered from, and a service becomes a label only when that
 * version defines it; names a client makes up are refused before anything is counted.
 *
 * <p>Cost on the read path: the counters of a (view version, feature) are made once and cached by
 * its ref, the four statuses of a column are tallied in plain ints and then added, at most four
 * counter additions per column and none per value.
 *
 * <p>Thread-safe.
 */
final class FeatureMetrics {
  /** Micrometer's names; Prometheus shows them as {@code quiver_feature_values_total} and {@code quiver_service_requests_seconds}. */
  static final String VALUES = "quiver.feature.values";
  static final String SERVICE_REQUESTS = "quiver.service.requests";
  /** The {@code service} label of requests that listed features. */
  static final String NO_SERVICE = "";
  static final String OK = "ok";
  static final String CLIENT_ERROR = "client_error";
  static final String SERVER_ERROR = "server_error";

  /** A service as requests name it: {@code name}, {@code name@v2}, {@code name:2} (as {@link LocalServing} parses it). */
  private static final Pattern SERVICE = Pattern.compile("([^@:]+)(?:(?:@v|:v?)(\\d+))?");
  /** Spellings of known services remembered per registry version; more are parsed per request. */
  private static final int MAX_SPELLINGS = 1_000;
  private static final FeatureStatus[] STATUSES = FeatureStatus.values();

  private final MeterRegistry registry;
  private final Scope listed;
  /** Service name to its meters: names the registry defined (at some version). */
  private final ConcurrentHashMap<String, Scope> services = new ConcurrentHashMap<>();
  /** How the requests of one registry version spelled their services. */
  private volatile Spellings spellings = new Spellings(null, new ConcurrentHashMap<>());

  FeatureMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.listed = new Scope(NO_SERVICE, false);
  }

  /**
   * Runs one online read and counts what it served: the values by status when it answers, and for a
   * request that named a service defined in {@code snapshot}, its latency by outcome either way.
   *
   * @param snapshot the registry version the read answers from (empty: none applied yet)
   * @param service the service the request named as written, or null when it listed features
   * @param read the read itself; its exceptions are rethrown as they are
   */
  OnlineResponse served(Optional<RegistrySnapshot> snapshot, String service, Supplier<OnlineResponse> read) {
    Scope scope = service == null ? listed : scope(snapshot, service);
    long start = System.nanoTime();
    OnlineResponse response;
    try {
      response = read.get();
    } catch (RuntimeException | Error e) {
      if (scope != null && scope.timed) {
        scope.timer(outcome(e)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
      throw e;
    }
    if (scope != null) {
      scope.count(response.features());
      if (scope.timed) {
        scope.ok.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
    return response;
  }

  /** The outcome label of a read that failed, as the front ends classify it. */
  static String outcome(Throwable e) {
    return e instanceof InvalidRequestException || e instanceof NotFoundException || e instanceof AccessDeniedException
        ? CLIENT_ERROR : SERVER_ERROR;
  }

  /** The meters of the service {@code text} names, or null when the registry version defines no such service. */
  private Scope scope(Optional<RegistrySnapshot> snapshot, String text) {
    if (snapshot.isEmpty()) {
      return null;
    }
    Definitions defs = snapshot.get().definitions();
    Spellings s = spellings;
    if (s.defs != defs) {
      s = new Spellings(defs, new ConcurrentHashMap<>());
      spellings = s;
    }
    Scope scope = s.known.get(text);
    if (scope != null) {
      return scope;
    }
    Matcher m = SERVICE.matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    String name = m.group(1).strip();
    if (defs.service(name, 0).isEmpty()) {
      return null; // a made-up name never becomes a label
    }
    scope = services.computeIfAbsent(name, n -> new Scope(n, true));
    if (s.known.size() < MAX_SPELLINGS) {
      s.known.put(text, scope);
    }
    return scope;
  }

  /** The spellings of known services seen for one registry version's definitions. */
  private record Spellings(Definitions defs, ConcurrentHashMap<String, Scope> known) {}

  /** The meters of one service (or of requests that listed features). */
  private final class Scope {
    private final String service;
    private final boolean timed;
    private final Timer ok;
    private final ConcurrentHashMap<String, Timer> failed = new ConcurrentHashMap<>();
    /** Per feature ref (view version and feature): one counter per status, in {@link FeatureStatus} order. */
    private final ConcurrentHashMap<FeatureRef, Counter[]> values = new ConcurrentHashMap<>();

    Scope(String service, boolean timed) {
      this.service = service;
      this.timed = timed;
      this.ok = timed ? newTimer(OK) : null;
      if (timed) { // every outcome shows from the first request on, at 0
        failed.put(CLIENT_ERROR, newTimer(CLIENT_ERROR));
        failed.put(SERVER_ERROR, newTimer(SERVER_ERROR));
      }
    }

    Timer timer(String outcome) {
      return failed.computeIfAbsent(outcome, this::newTimer);
    }

    private Timer newTimer(String outcome) {
      return Timer.builder(SERVICE_REQUESTS)
          .description("Online reads that named a feature service, by service and outcome (the read itself,"
              + " without the protocol's parsing and encoding)")
          .tags("service", service, "outcome", outcome)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(20_000))
          .maximumExpectedValue(Duration.ofSeconds(10))
          .register(registry);
    }

    /** Adds each column's statuses to its feature's counters: tallied first, then at most four additions. */
    void count(List<FeatureColumn> columns) {
      int[] tally = null;
      for (FeatureColumn column : columns) {
        Counter[] counters = counters(column.ref());
        List<FeatureStatus> statuses = column.statuses();
        int n = statuses.size();
        if (n == 1) {
          counters[statuses.getFirst().ordinal()].increment();
          continue;
        }
        if (tally == null) {
          tally = new int[STATUSES.length];
        } else {
          java.util.Arrays.fill(tally, 0);
        }
        for (int i = 0; i < n; i++) {
          tally[statuses.get(i).ordinal()]++;
        }
        for (int s = 0; s < tally.length; s++) {
          if (tally[s] > 0) {
            counters[s].increment(tally[s]);
          }
        }
      }
    }

    private Counter[] counters(FeatureRef ref) {
      Counter[] c = values.get(ref);
      return c != null ? c : values.computeIfAbsent(ref, this::newCounters);
    }

    private Counter[] newCounters(FeatureRef ref) {
      Counter[] out = new Counter[STATUSES.length];
      for (FeatureStatus status : STATUSES) {
        out[status.ordinal()] = Counter.builder(VALUES)
            .description("Feature values served online, by feature service (empty: features listed), view, feature and status")
            .tags("service", service, "view", ref.view(), "feature", ref.feature(), "status", status.name())
            .register(registry);
      }
      return out;
    }
  }
}
