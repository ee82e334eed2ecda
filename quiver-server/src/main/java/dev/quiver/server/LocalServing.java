package dev.quiver.server;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.online.OnlineReader;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.ServingVersions;
import dev.quiver.core.registry.RegistrySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers online reads from the live registry version and the online store, resolving view versions
 * with {@link ServingVersions} over the watermarks read at the same poll (unpinned refs keep reading
 * the previous version until the newest is materialized). Thread-safe.
 */
final class LocalServing implements FeatureServing {
  private static final Pattern SERVICE = Pattern.compile("([^@:]+)(?:(?:@v|:v?)(\\d+))?");
  /** Parsed feature refs by their text (parsing is pure, so any registry version may share them). */
  private static final ConcurrentHashMap<String, FeatureRef> PARSED = new ConcurrentHashMap<>();
  private static final int MAX_PARSED = 100_000;

  private final LiveRegistry registry;
  private final OnlineStore store;
  private final Executor executor;
  private final Clock clock;
  private final int maxEntities;
  private final Guard guard;
  private final FeatureLog featureLog;
  private final FeatureMetrics metrics;
  /** The serving rule of the last registry poll a request saw. */
  private volatile Serving serving;

  /**
   * @param metrics counts each served value's status and times service reads
   * @param featureLog where requests of services with {@code logging:} are offered (never blocks)
   */
  LocalServing(LiveRegistry registry, OnlineStore store, Executor executor, Clock clock, int maxEntities, Guard guard,
      FeatureMetrics metrics, FeatureLog featureLog) {
    this.guard = guard;
    this.metrics = metrics;
    this.featureLog = featureLog;
    this.registry = registry;
    this.store = store;
    this.executor = executor;
    this.clock = clock;
    this.maxEntities = maxEntities;
  }

  @Override
  public OnlineResponse getOnlineFeatures(OnlineRequest request) {
    return read(request, null);
  }

  @Override
  public OnlineResponse getOnlineFeatures(OnlineRequest request, Caller caller) {
    return read(request, caller);
  }

  /** Reads one request from one registry version, counting what it served ({@link FeatureMetrics}). */
  private OnlineResponse read(OnlineRequest request, Caller caller) {
    LiveRegistry.State state = registry.current(); // read once: one whole version per request
    return metrics.served(state.snapshot(), request.featureService(), () -> answer(state, request, caller));
  }

  /** Answers, checking first that the caller (when not null) may read what is named, in the same version. */
  private OnlineResponse answer(LiveRegistry.State state, OnlineRequest request, Caller caller) {
    RegistrySnapshot snapshot = applied(state);
    Definitions defs = snapshot.definitions();
    // no columns at all is not refused here: core names what the features read needs (a view's join
    // key, or the request data of an on-demand view that reads request data alone)
    checkRows(request.entities());
    checkRows(request.requestContext());
    List<FeatureRef> refs = refs(defs, request);
    if (caller != null && !defs.permissions().isEmpty()) {
      guard.check(state.authorizer(), caller, dev.quiver.core.security.Action.READ_ONLINE, request.featureService() != null
          ? List.of(service(defs, request.featureService())) : Guard.read(defs, refs));
    }
    DerivedFeatures compiled = DerivedFeatures.cached(defs, registry.transforms(), serving(state, snapshot));
    Instant now = clock.instant(); // the read's now, which the feature log records as served_at
    OnlineResponse response = new OnlineReader(compiled, store, executor, Clock.fixed(now, ZoneOffset.UTC)).read(
        new dev.quiver.core.online.OnlineRequest(refs, request.entities(), request.requestContext(), request.fullFeatureNames()));
    featureLog.served(snapshot, request, response, now);
    return response;
  }

  /**
   * In-process stores are read on the I/O threads unless the system property {@code
   * quiver.server.inline-reads} is {@code false} (measured in docs/benchmarks.md: about 20% more
   * requests per second and a lower p99 for RocksDB on two cores).
   */
  @Override
  public boolean readsInline() {
    return store.inProcess() && !"false".equals(System.getProperty("quiver.server.inline-reads"));
  }

  /** Entity and request-data columns hold one value per entity row: at most {@code maxEntities}. */
  private void checkRows(Map<String, List<Object>> columns) {
    for (Map.Entry<String, List<Object>> e : columns.entrySet()) {
      if (e.getValue() != null && e.getValue().size() > maxEntities) {
        throw new InvalidRequestException("too many entity rows: '" + e.getKey() + "' has " + e.getValue().size()
            + " values; this server accepts at most " + maxEntities + " per request (--max-entities)");
      }
    }
  }

  /** The snapshot requests are answered from; 503 (a QuiverException) until a version is applied and loads. */
  private static RegistrySnapshot applied(LiveRegistry.State state) {
    return state.snapshot().orElseThrow(() -> new QuiverException(state.error() != null ? state.error()
        : "the registry is empty: nothing to serve until 'quiver apply' records a version"));
  }

  /**
   * The live registry version's definitions with its serving rule, read from one registry poll: what a
   * push needs ({@link dev.quiver.core.online.Pusher}).
   *
   * @throws QuiverException (503) until a version is applied and loads
   */
  Writing writing() {
    LiveRegistry.State state = registry.current();
    RegistrySnapshot snapshot = applied(state);
    return new Writing(snapshot.definitions(), serving(state, snapshot));
  }

  /** Definitions and the serving rule of one registry version. */
  record Writing(Definitions definitions, ServingVersions serving) {}

  /** The serving rule for the state's registry version and watermarks, made once per registry poll. */
  private ServingVersions serving(LiveRegistry.State state, RegistrySnapshot snapshot) {
    Serving s = serving;
    if (s != null && s.state() == state) {
      return s.versions();
    }
    ServingVersions versions = ServingVersions.of(snapshot.definitions(), state.watermarks(), registry::definitionsAt);
    if (s != null && s.versions().equals(versions)) {
      versions = s.versions(); // the same instance: compiled plans stay cached
    }
    serving = new Serving(state, versions);
    return versions;
  }

  private record Serving(LiveRegistry.State state, ServingVersions versions) {}

  private static List<FeatureRef> refs(Definitions defs, OnlineRequest request) {
    boolean byService = request.featureService() != null;
    if (byService == !request.features().isEmpty()) {
      throw new InvalidRequestException(byService
          ? "give either 'features' or 'feature_service', not both"
          : "give the features to read: 'features' (a list of view:feature refs) or 'feature_service' (a name)");
    }
    if (byService) {
      Matcher m = SERVICE.matcher(request.featureService().strip());
      if (!m.matches()) {
        throw new InvalidRequestException("'" + request.featureService() + "' is not a feature service name;"
            + " write name or name@v2");
      }
      int version = m.group(2) == null ? 0 : parseVersion(m.group(1), m.group(2));
      return FeatureResolver.service(defs, m.group(1), version);
    }
    List<FeatureRef> refs = new ArrayList<>(request.features().size());
    for (String text : request.features()) {
      FeatureRef ref = PARSED.get(text);
      if (ref == null) {
        ref = FeatureRef.parse(text).orElseThrow(() -> new InvalidRequestException(
            "'" + text + "' is not a feature ref; write view:feature or view@v2:feature"));
        if (PARSED.size() < MAX_PARSED) {
          PARSED.put(text, ref);
        }
      }
      refs.add(ref);
    }
    return refs;
  }

  /** The service a request names (its syntax was checked by {@link #refs}). */
  private static dev.quiver.core.security.Resource service(Definitions defs, String text) {
    Matcher m = SERVICE.matcher(text.strip());
    m.matches();
    return Guard.service(defs, m.group(1), m.group(2) == null ? 0 : parseVersion(m.group(1), m.group(2)));
  }

  /** A service version; one past int's range cannot exist, so it is not found (Feast's FeatureServiceNotFoundException). */
  private static int parseVersion(String service, String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new NotFoundException(NotFoundException.Kind.FEATURE_SERVICE,
          "feature service '" + service + "' has no version " + digits + " in the registry");
    }
  }

  @Override
  public String version() {
    return QuiverServer.VERSION;
  }
}
