package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandViewBuilder;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request thread's encoding of a sampled request and the writer's decoding: on randomized requests
 * (every value class, nulls, lists with null items, short columns, every status and none, request data
 * as raw text or typed, missing fields, non-ASCII and long strings) the decoded request is what the
 * objects themselves give the writer ({@link FeatureLog.Served#of}); and the ring's places recycle once
 * the writer has freed them after a full pool dropped requests.
 */
class FeatureLogRecordTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00.123456789Z");
  private static final List<ValueType> TYPES = List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64,
      ScalarType.BOOL, ScalarType.STRING, ScalarType.BYTES, ScalarType.TIMESTAMP, new ListType(ScalarType.INT64),
      new ListType(ScalarType.STRING));
  private static final List<RequestField> FIELDS = List.of(new RequestField("amount", ScalarType.FLOAT64),
      new RequestField("country", ScalarType.STRING), new RequestField("n", ScalarType.INT32), new RequestField("at", ScalarType.TIMESTAMP),
      new RequestField("blob", ScalarType.BYTES), new RequestField("ok", ScalarType.BOOL),
      new RequestField("tags", new ListType(ScalarType.STRING)));

  @TempDir Path tmp;

  private static Definitions defs(List<FeatureRef> refs) {
    OnDemandViewBuilder req = OnDemandViewBuilder.named("req");
    for (RequestField f : FIELDS) {
      req.request(f.name(), f.type());
    }
    req.derived("x", "request.amount * 2");
    return Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .onDemandView(req)
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomizedRequestsDecodeAsTheObjectsGiveThem(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < TYPES.size(); f++) {
      refs.add(FeatureRef.of("v:f" + f));
    }
    refs.add(FeatureRef.of("req:x"));
    Definitions defs = defs(refs);
    FeatureService service = defs.service("s", 1).orElseThrow();
    FeatureLogRing ring = new FeatureLogRing(2);
    for (int i = 0; i < 30; i++) {
      int rows = 1 + random.nextInt(random.nextInt(8) == 0 ? 300 : 5); // now and then past a place's kept array
      Map<String, List<Object>> entities = new LinkedHashMap<>();
      entities.put("user_id", column(random, rows, () -> random.nextInt(9) == 0 ? null : (Object) random.nextLong()));
      if (random.nextBoolean()) {
        entities.put("session", column(random, rows, () -> text(random)));
      }
      List<FeatureColumn> columns = new ArrayList<>();
      for (int f = 0; f < refs.size(); f++) {
        ValueType type = f < TYPES.size() ? TYPES.get(f) : ScalarType.FLOAT64;
        List<Object> vs = column(random, random.nextInt(12) == 0 ? rows - 1 : rows, () -> anyValue(random, type));
        List<FeatureStatus> ss = new ArrayList<>();
        for (int r = 0; r < rows - (random.nextInt(12) == 0 ? 1 : 0); r++) {
          int st = random.nextInt(FeatureStatus.values().length + 1);
          ss.add(st == FeatureStatus.values().length ? null : FeatureStatus.values()[st]);
        }
        columns.add(new FeatureColumn("c" + f, refs.get(f), random.nextInt(6) == 0 ? null : type, vs, ss,
            Collections.nCopies(rows, T)));
      }
      Map<String, List<Object>> context = new LinkedHashMap<>();
      Map<String, List<Object>> keysAndData = new LinkedHashMap<>(entities);
      for (RequestField field : FIELDS) {
        if (random.nextInt(5) == 0) {
          continue; // absent: logged as nulls
        }
        List<Object> col = column(random, random.nextInt(10) == 0 ? rows - 1 : rows, () -> rawRequestValue(random, field.type()));
        (random.nextBoolean() ? context : keysAndData).put(field.name(), col);
      }
      OnlineRequest request = new OnlineRequest(List.of(), "s", keysAndData, false, context);
      OnlineResponse response = new OnlineResponse(entities, columns);
      Instant servedAt = T.plusNanos(random.nextLong(1_000_000_000_000L));
      FeatureLog.Served expected = FeatureLog.Served.of("s", service, defs, 7 + i, servedAt, request, response);

      FeatureLogSlot slot = ring.claim();
      slot.service = "s";
      slot.definition = service;
      slot.defs = defs;
      slot.shape = FeatureLog.Shape.of(response, null, defs);
      FeatureLogRecord.encode(slot, 7 + i, servedAt, request, response);
      ring.publish(slot);
      assertThat(ring.peek()).isSameAs(slot);
      FeatureLog.Served actual = FeatureLogRecord.decode(slot);
      ring.release(slot);

      assertThat(slot.shape).isNull();
      assertThat(actual.service()).isEqualTo("s");
      assertThat(actual.definition()).isSameAs(service);
      assertThat(actual.defs()).isSameAs(defs);
      assertThat(actual.registryVersion()).isEqualTo(7 + i);
      assertThat(actual.servedAt()).isEqualTo(servedAt);
      assertThat(actual.rows()).isEqualTo(rows);
      assertThat(actual.refs()).containsExactly(expected.refs());
      assertThat(actual.types()).containsExactly(expected.types());
      assertThat(actual.statuses()).containsExactly(expected.statuses());
      assertThat(actual.entities().keySet()).containsExactlyElementsOf(entities.keySet());
      for (String k : entities.keySet()) {
        List<Object> want = new ArrayList<>(entities.get(k));
        assertThat(deep(actual.entities().get(k))).as("key %s", k).isEqualTo(deep(want));
      }
      for (int f = 0; f < refs.size(); f++) {
        for (int r = 0; r < rows; r++) {
          assertThat(deep(actual.value(f, r))).as("feature %d row %d", f, r).isEqualTo(deep(expected.value(f, r)));
          assertThat(actual.status(f, r)).isEqualTo(expected.status(f, r));
        }
      }
      assertThat(FeatureLogSchema.of(actual)).isEqualTo(FeatureLogSchema.of(expected));
      for (RequestField field : FeatureLogSchema.of(expected).requestFields()) { // what both writers make of request data
        for (int r = 0; r < rows; r++) {
          assertThat(deep(requestValue(actual, field, r))).as("field %s row %d", field.name(), r)
              .isEqualTo(deep(requestValue(expected, field, r)));
        }
      }
    }
  }

  /**
   * The writer's two ways to append a record, straight from its bytes and through its decoded objects,
   * write the same file: randomized requests of one shape (every type, nulls, other number classes,
   * request data), spread over chunks of 1 to 16 rows, a request larger than a chunk included.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3})
  void bytesAndObjectsWriteTheSameFile(int seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < TYPES.size(); f++) {
      refs.add(FeatureRef.of("v:f" + f));
    }
    refs.add(FeatureRef.of("req:x"));
    Definitions defs = defs(refs);
    FeatureService service = defs.service("s", 1).orElseThrow();
    FeatureLogRing ring = new FeatureLogRing(1);
    Path direct = tmp.resolve("direct.parquet");
    Path objects = tmp.resolve("objects.parquet");
    try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator()) {
      FeatureLogBatches byBytes = null;
      FeatureLogBatches byObjects = null;
      FeatureLog.Shape shape = null;
      int fallbacks = 0;
      for (int i = 0; i < 40; i++) {
        int rows = 1 + random.nextInt(i == 20 ? 30 : 4);
        Map<String, List<Object>> entities = new LinkedHashMap<>();
        entities.put("user_id", column(random, rows, () -> random.nextLong()));
        entities.put("session", column(random, rows, () -> text(random)));
        List<FeatureColumn> columns = new ArrayList<>();
        for (int f = 0; f < refs.size(); f++) {
          ValueType type = f < TYPES.size() ? TYPES.get(f) : ScalarType.FLOAT64;
          List<Object> vs = column(random, rows, () -> type instanceof ScalarType st && st != ScalarType.BOOL && st != ScalarType.BYTES
              && st != ScalarType.TIMESTAMP ? anyValue(random, type) : value(random, type)); // other classes where the writer takes them
          List<FeatureStatus> ss = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            int st = random.nextInt(FeatureStatus.values().length + 1);
            ss.add(st == FeatureStatus.values().length ? null : FeatureStatus.values()[st]);
          }
          columns.add(new FeatureColumn("c" + f, refs.get(f), type, vs, ss, Collections.nCopies(rows, T)));
        }
        Map<String, List<Object>> context = new LinkedHashMap<>();
        for (RequestField field : FIELDS) {
          context.put(field.name(), column(random, rows, () -> rawRequestValue(random, field.type())));
        }
        OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of(), false, context);
        OnlineResponse response = new OnlineResponse(entities, columns);
        Instant servedAt = T.plusNanos(random.nextLong(1_000_000_000L));
        shape = FeatureLog.Shape.of(response, shape, defs);
        FeatureLogSlot slot = ring.claim();
        slot.service = "s";
        slot.definition = service;
        slot.defs = defs;
        slot.shape = shape;
        FeatureLogRecord.encode(slot, 3, servedAt, request, response);
        ring.publish(slot);
        FeatureLog.Served decoded = FeatureLogRecord.decode(slot);
        if (byBytes == null) {
          byBytes = new FeatureLogBatches(FeatureLogSchema.of(decoded), "s", allocator, 1, 16);
          byObjects = new FeatureLogBatches(FeatureLogSchema.of(decoded), "s", allocator, 3, 3);
        }
        byte[] id = ("request-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        slot.finishWriting(); // read again from the start
        if (!byBytes.append(slot, id)) {
          fallbacks++;
          byBytes.append(decoded, id);
        }
        ring.release(slot);
        byObjects.append(decoded, id);
      }
      assertThat(fallbacks).as("the request larger than a chunk went the decoded way").isPositive();
      assertThat(byBytes.rows()).isEqualTo(byObjects.rows());
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
        byBytes.copy(c, direct.toString());
        byObjects.copy(c, objects.toString());
      }
    }
    String select = "SELECT * REPLACE (hex(v__f6) AS v__f6, hex(blob) AS blob) FROM '%s'";
    List<Map<String, Object>> a = FeatureLogServeTest.read(tmp, select.formatted(direct));
    List<Map<String, Object>> b = FeatureLogServeTest.read(tmp, select.formatted(objects));
    assertThat(a).hasSizeGreaterThan(40);
    assertThat(a.toString()).isEqualTo(b.toString());
  }

  /** A full pool drops (counted), and its places take requests again once the writer has freed them. */
  @Test
  void aFullPoolDropsAndItsPlacesAreReused() throws Exception {
    List<FeatureRef> refs = List.of(FeatureRef.of("v:a"));
    Definitions defs = defs(refs);
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", T, "m", "h1"), defs);
    var meters = new SimpleMeterRegistry();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of("queue", 3), tmp), meters, new FailureLog(meters), () -> 0.0,
        () -> {
          held.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })) {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      for (long u = 0; u < 5; u++) {
        log.served(snapshot, new OnlineRequest(List.of(), "s", Map.of(), false, Map.of()), response(u, refs), T);
      }
      assertThat(log.queued()).isEqualTo(3);
      assertThat(meters.counter("quiver.feature.log.dropped", "service", "s").count()).isEqualTo(2);
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (log.queued() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      for (long u = 5; u < 8; u++) { // the places freed by the writer take these
        log.served(snapshot, new OnlineRequest(List.of(), "s", Map.of(), false, Map.of()), response(u, refs), T);
      }
    }
    assertThat(meters.counter("quiver.feature.log.dropped", "service", "s").count()).isEqualTo(2);
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT user_id, v__a FROM read_parquet('"
        + tmp.resolve("feature_logs") + "/**/*.parquet') ORDER BY user_id");
    assertThat(rows).extracting(r -> r.get("user_id")).containsExactly(0L, 1L, 2L, 5L, 6L, 7L);
    assertThat(rows).extracting(r -> r.get("v__a")).containsExactly(0.0, 0.5, 1.0, 2.5, 3.0, 3.5);
  }

  private static OnlineResponse response(long user, List<FeatureRef> refs) {
    return new OnlineResponse(Map.of("user_id", List.of(user)), List.of(new FeatureColumn("a", refs.getFirst(), ScalarType.FLOAT64,
        List.of(user / 2.0), List.of(FeatureStatus.PRESENT), List.of(T))));
  }

  private static Object requestValue(FeatureLog.Served s, RequestField field, int r) {
    List<Object> col = s.request().requestContext().get(field.name());
    if (col == null) {
      col = s.request().entities().get(field.name());
    }
    return FeatureLogSchema.requestValue(field.type(), col == null || r >= col.size() ? null : col.get(r));
  }

  private static List<Object> column(SplittableRandom random, int rows, java.util.function.Supplier<Object> value) {
    List<Object> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      out.add(random.nextInt(7) == 0 ? null : value.get());
    }
    return out;
  }

  /** A value of the column's type, or now and then of another class a store or a derived feature might give. */
  private static Object anyValue(SplittableRandom random, ValueType type) {
    if (random.nextInt(10) == 0) {
      return switch (random.nextInt(4)) {
        case 0 -> (short) random.nextInt(100);
        case 1 -> BigInteger.valueOf(random.nextLong());
        case 2 -> new java.math.BigDecimal("1.25");
        default -> random.nextInt(); // an Integer where a Long is declared
      };
    }
    return value(random, type);
  }

  private static Object value(SplittableRandom random, ValueType type) {
    return switch (type) {
      case ListType l -> {
        List<Object> items = new ArrayList<>();
        for (int k = random.nextInt(4); k > 0; k--) {
          items.add(random.nextInt(5) == 0 ? null : value(random, l.element()));
        }
        yield items;
      }
      case ScalarType s -> switch (s) {
        case INT32 -> random.nextInt();
        case INT64 -> random.nextLong();
        case FLOAT32 -> random.nextInt(20) == 0 ? Float.NaN : (float) random.nextDouble(-1e6, 1e6);
        case FLOAT64 -> random.nextInt(20) == 0 ? Double.NEGATIVE_INFINITY : random.nextDouble(-1e9, 1e9);
        case BOOL -> random.nextBoolean();
        case STRING -> text(random);
        case BYTES -> {
          byte[] b = new byte[random.nextInt(40)];
          random.nextBytes(b);
          yield b;
        }
        case TIMESTAMP -> T.plusNanos(random.nextLong(1L << 50));
      };
    };
  }

  /** Request data as a client sends it: text for numbers, times and bytes now and then. */
  private static Object rawRequestValue(SplittableRandom random, ValueType type) {
    Object typed = value(random, type);
    if (random.nextInt(3) > 0) {
      return typed;
    }
    return switch (typed) {
      case byte[] b -> Base64.getEncoder().encodeToString(b);
      case Instant t -> t.toString();
      case Long l -> Long.toString(l);
      case Integer n -> (long) n;
      case Double d -> Double.toString(d);
      default -> random.nextBoolean() ? typed : "not a " + type;
    };
  }

  private static String text(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> "";
      case 1 -> "käse-" + random.nextInt(1000) + "-\uD83D\uDE00"; // non-ASCII, a surrogate pair
      case 2 -> "x".repeat(300 + random.nextInt(300));
      default -> "u" + random.nextLong();
    };
  }

  /**
   * A value comparable with equals: arrays as lists, recursively; the number classes the record does not
   * keep as the ones it keeps them as (their values as the writers read them, {@code Number}'s conversions
   * and text, are the same).
   */
  private static Object deep(Object v) {
    return switch (v) {
      case byte[] b -> "bytes" + Arrays.toString(b);
      case Short n -> n.intValue();
      case BigInteger n -> n.longValue();
      case java.math.BigDecimal n -> n.doubleValue();
      case List<?> l -> l.stream().map(FeatureLogRecordTest::deep).map(x -> Objects.requireNonNullElse(x, "null")).toList();
      case null -> null;
      default -> v;
    };
  }
}
