package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serving path's side of feature logging: for a request that names a feature service whose
 * definition has {@code logging: {sample_rate: r}}, keeps the request with probability r (every
 * entity row of it, or none) and encodes what was served (keys, request data, values, statuses,
 * registry version, time) into a recycled place of a bounded ring ({@link FeatureLogRing}, {@link
 * FeatureLogRecord}), never waiting: when the ring is full the request is dropped and counted
 * ({@code quiver_feature_log_dropped_total{service}}). The single {@link FeatureLogWriter} thread
 * appends each place straight from its bytes to its Arrow vectors (or, for a new schema, decodes it
 * into a {@link Served}). A request waiting for the writer is bytes
 * in an array made once (about 600 for 1 entity &times; 50 numeric features), not objects: until
 * flog28 the queue held references to the response's values and the request, which every young
 * collection copied while they waited (up to {@code queue} of them, while the writer rolls a file or
 * gets no CPU; docs/benchmarks.md).
 *
 * <p>Cost on a request that is not logged: one field read and a map lookup by the service text; on a
 * logged one, one pass over its cells writing a tag and the value's bytes each. Thread-safe.
 */
final class FeatureLog implements AutoCloseable {
  private static final Pattern SERVICE = Pattern.compile("([^@:]+)(?:(?:@v|:v?)(\\d+))?");
  private static final int MAX_SERVICES = 10_000;

  /** Logs nothing: a server without feature logging, or tests of the serving path. */
  static final FeatureLog OFF = new FeatureLog();

  private final FeatureLogRing ring;
  private final FeatureLogWriter writer;
  private final DoubleSupplier random;
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> dropped = new ConcurrentHashMap<>();
  /** The logged service each service text names, in one registry version's definitions. */
  private volatile Services services = new Services(null, new ConcurrentHashMap<>());

  /**
   * One sampled request, as served, without the response's lists: what the writer appends (decoded by
   * {@link FeatureLogRecord#decode}, or made by {@link #of} in tests).
   *
   * @param entities the response's join-key columns (key name to values, one per entity row)
   * @param rows the number of entity rows
   * @param refs each served feature's reference, in response order
   * @param types each served feature's type: as declared, else as its values show ({@link FeatureLogSchema#inferred})
   * @param values the served values by reference, column by column: feature {@code f}'s value for entity row
   *     {@code r} is {@code values[f * rows + r]}
   * @param statuses the statuses at the same places, as {@link FeatureStatus#ordinal()} + 1 (0 for none)
   */
  record Served(String service, FeatureService definition, Definitions defs, long registryVersion, Instant servedAt,
      OnlineRequest request, Map<String, List<Object>> entities, int rows, FeatureRef[] refs, ValueType[] types,
      Object[] values, byte[] statuses) {

    /** Keeps what the writer needs of {@code response}: references to its values, no lists. */
    static Served of(String service, FeatureService definition, Definitions defs, long registryVersion, Instant servedAt,
        OnlineRequest request, OnlineResponse response) {
      return of(service, definition, defs, registryVersion, servedAt, request, response, Shape.of(response, null, defs));
    }

    /** As {@link #of(String, FeatureService, Definitions, long, Instant, OnlineRequest, OnlineResponse)}, sharing {@code shape}: the response's. */
    static Served of(String service, FeatureService definition, Definitions defs, long registryVersion, Instant servedAt,
        OnlineRequest request, OnlineResponse response, Shape shape) {
      List<FeatureColumn> features = response.features();
      int rows = response.rows();
      int columns = features.size();
      Object[] values = new Object[columns * rows];
      byte[] statuses = new byte[columns * rows];
      for (int f = 0; f < columns; f++) {
        FeatureColumn c = features.get(f);
        List<Object> vs = c.values();
        List<FeatureStatus> ss = c.statuses();
        int at = f * rows;
        for (int r = 0, n = Math.min(rows, vs.size()); r < n; r++) { // a short column (none is) logs nulls: never throw here
          values[at + r] = vs.get(r);
        }
        for (int r = 0, n = Math.min(rows, ss.size()); r < n; r++) {
          FeatureStatus st = ss.get(r);
          statuses[at + r] = st == null ? 0 : (byte) (st.ordinal() + 1);
        }
      }
      return new Served(service, definition, defs, registryVersion, servedAt, request, response.entities(), rows, shape.refs(),
          shape.types(), values, statuses);
    }

    /** Feature {@code f}'s value for entity row {@code r}. */
    Object value(int f, int r) {
      return values[f * rows + r];
    }

    /** Feature {@code f}'s status for entity row {@code r}: its ordinal, or -1 for none. */
    int status(int f, int r) {
      return statuses[f * rows + r] - 1;
    }
  }

  /**
   * The references and types of a response's features ({@link FeatureLogSchema#inferred} where a
   * column has no type), the request-data fields their on-demand views declare (in {@link
   * FeatureLogSchema#of}'s order) and the names of its entity keys, shared by the logged requests of a
   * service while its responses keep them: the writer takes a request of the shape it saw last for one
   * of the same file without comparing anything else. Never changed once made.
   */
  record Shape(FeatureRef[] refs, ValueType[] types, List<RequestField> fields, List<String> keys) {

    /** {@code last} when {@code response} has its references, types and keys, else a new shape of them in {@code defs}. */
    static Shape of(OnlineResponse response, Shape last, Definitions defs) {
      List<FeatureColumn> features = response.features();
      if (last != null && last.fits(features) && last.sameKeys(response.entities())) {
        return last;
      }
      int columns = features.size();
      FeatureRef[] refs = new FeatureRef[columns];
      ValueType[] types = new ValueType[columns];
      Map<String, RequestField> fields = new LinkedHashMap<>();
      for (int f = 0; f < columns; f++) {
        FeatureColumn c = features.get(f);
        refs[f] = c.ref();
        types[f] = type(c);
        defs.onDemandView(refs[f].view(), refs[f].version()).map(OnDemandView::requestFields)
            .ifPresent(rf -> rf.forEach(field -> fields.putIfAbsent(field.name(), field)));
      }
      return new Shape(refs, types, List.copyOf(fields.values()), List.copyOf(response.entities().keySet()));
    }

    private boolean sameKeys(Map<String, List<Object>> entities) {
      if (entities.size() != keys.size()) {
        return false;
      }
      int k = 0;
      for (String key : entities.keySet()) {
        if (!key.equals(keys.get(k++))) {
          return false;
        }
      }
      return true;
    }

    private boolean fits(List<FeatureColumn> features) {
      if (features.size() != refs.length) {
        return false;
      }
      for (int f = 0; f < refs.length; f++) {
        FeatureColumn c = features.get(f);
        if ((c.ref() != refs[f] && !java.util.Objects.equals(refs[f], c.ref())) || (c.type() != types[f] && !types[f].equals(type(c)))) {
          return false;
        }
      }
      return true;
    }

    private static ValueType type(FeatureColumn c) {
      return c.type() != null ? c.type() : FeatureLogSchema.inferred(c.values());
    }
  }

  /** A service that logs, as a request's text names it, with the shape of its last logged response. */
  private static final class Logged {
    final FeatureService service;
    volatile Shape shape;

    Logged(FeatureService service) {
      this.service = service;
    }
  }

  private record Services(Definitions defs, ConcurrentHashMap<String, Object> byText) {}

  private static final Object NOT_LOGGED = new Object();

  private FeatureLog() {
    this.ring = null;
    this.writer = null;
    this.random = null;
    this.meters = null;
  }

  FeatureLog(FeatureLogSettings settings, MeterRegistry meters, FailureLog failures) {
    this(settings, meters, failures, () -> ThreadLocalRandom.current().nextDouble(), null);
  }

  /**
   * @param random the sampling draws (seeded in tests)
   * @param beforeBatch run by the writer before each batch it takes (tests hold the writer with it); may be null
   */
  FeatureLog(FeatureLogSettings settings, MeterRegistry meters, FailureLog failures, DoubleSupplier random, Runnable beforeBatch) {
    this.ring = new FeatureLogRing(settings.queue());
    this.random = random;
    this.meters = meters;
    this.writer = new FeatureLogWriter(settings, ring, meters, failures, beforeBatch);
  }

  /**
   * Offers a served request to the log when its service logs and the draw keeps it; never blocks and
   * never throws.
   *
   * @param servedAt the time the read used (its {@code now})
   */
  void served(RegistrySnapshot snapshot, OnlineRequest request, OnlineResponse response, Instant servedAt) {
    String text = request.featureService();
    if (writer == null || text == null) {
      return;
    }
    Definitions defs = snapshot.definitions();
    Services s = services;
    if (s.defs != defs) {
      s = new Services(defs, new ConcurrentHashMap<>());
      services = s;
    }
    Object found = s.byText.get(text);
    if (found == null) {
      found = lookUp(defs, text);
      if (s.byText.size() < MAX_SERVICES) {
        s.byText.put(text, found);
      }
    }
    if (!(found instanceof Logged logged)) {
      return;
    }
    FeatureService service = logged.service;
    double rate = service.logging().sampleRate();
    if (rate < 1 && random.getAsDouble() >= rate) {
      return;
    }
    FeatureLogSlot slot = ring.claim();
    if (slot == null) {
      dropped.computeIfAbsent(service.name(), n -> Counter.builder("quiver.feature.log.dropped")
          .description("Sampled requests not logged because the feature log's queue was full (the writer fell behind)")
          .tag("service", n).register(meters)).increment();
      return;
    }
    try {
      Shape shape = Shape.of(response, logged.shape, defs);
      logged.shape = shape;
      slot.service = service.name();
      slot.definition = service;
      slot.defs = defs;
      slot.shape = shape;
      FeatureLogRecord.encode(slot, snapshot.info().version(), servedAt, request, response);
      slot.complete = true;
    } catch (RuntimeException e) { // published all the same: the writer counts it as not written and frees the place
      slot.complete = false;
    } finally {
      ring.publish(slot);
    }
  }

  /** The service a request's text names when it logs (a {@link Logged}); {@link #NOT_LOGGED} otherwise. */
  private static Object lookUp(Definitions defs, String text) {
    Matcher m = SERVICE.matcher(text.strip());
    if (!m.matches()) {
      return NOT_LOGGED;
    }
    int version;
    try {
      version = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    } catch (NumberFormatException e) {
      return NOT_LOGGED;
    }
    return defs.service(m.group(1), version).filter(s -> s.logging() != null).<Object>map(Logged::new).orElse(NOT_LOGGED);
  }

  /** Requests waiting for the writer. */
  /** The writer, for tests. */
  FeatureLogWriter writer() {
    return writer;
  }

  int queued() {
    return writer == null ? 0 : ring.size();
  }

  /** Writes everything queued and buffered to files, then stops the writer. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
