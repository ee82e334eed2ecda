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
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The written log against what was served, the plain reference: randomized requests (1-5 entity
 * rows) of a service with a feature of every scalar type and a list of every scalar type, with
 * nulls, null list items, and every status (PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE); the
 * file must hold one row per served entity row, in order, with each value and status as served and
 * the contract's column types (statuses VARCHAR).
 */
class FeatureLogFileTest {
  private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  @TempDir Path tmp;

  private static List<ValueType> types() {
    List<ValueType> types = new ArrayList<>(List.of(ScalarType.values()));
    for (ScalarType s : ScalarType.values()) {
      types.add(new ListType(s));
    }
    return types;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 7, 2026})
  void theFileHoldsWhatWasServed(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    List<ValueType> types = types();
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < types.size(); f++) {
      refs.add(FeatureRef.of("v:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(4, 3, "me", T, "m", "h4"), defs);
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of());
    List<Map<String, Object>> expected = new ArrayList<>();
    int requests = 300;
    try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of(), tmp), new SimpleMeterRegistry(),
        new FailureLog(new SimpleMeterRegistry()), () -> 0.0, null)) {
      for (int i = 0; i < requests; i++) {
        int rows = 1 + random.nextInt(5);
        Instant servedAt = T.plusSeconds(i).plusNanos(random.nextInt(1_000_000) * 1000L);
        List<Object> keys = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          keys.add(random.nextLong(-1_000_000, 1_000_000));
        }
        List<FeatureColumn> columns = new ArrayList<>();
        List<List<Object>> values = new ArrayList<>();
        List<List<FeatureStatus>> statuses = new ArrayList<>();
        for (int f = 0; f < types.size(); f++) {
          List<Object> vs = new ArrayList<>();
          List<FeatureStatus> ss = new ArrayList<>();
          List<Instant> times = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            FeatureStatus st = FeatureStatus.values()[random.nextInt(FeatureStatus.values().length)];
            ss.add(st);
            vs.add(st == FeatureStatus.PRESENT || (st == FeatureStatus.OUTSIDE_MAX_AGE && random.nextBoolean())
                ? value(random, types.get(f)) : null);
            times.add(st == FeatureStatus.NOT_FOUND ? null : servedAt.minusSeconds(60));
          }
          values.add(vs);
          statuses.add(ss);
          columns.add(new FeatureColumn("v__f" + f, refs.get(f), types.get(f), vs, ss, times));
        }
        log.served(snapshot, request, new OnlineResponse(Map.of("user_id", keys), columns), servedAt);
        for (int r = 0; r < rows; r++) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("served_at", Timestamps.toMicros(servedAt));
          row.put("registry_version", 4);
          row.put("service", "s");
          row.put("service_version", 1);
          row.put("user_id", keys.get(r));
          for (int f = 0; f < types.size(); f++) {
            row.put("v__f" + f, normal(types.get(f), values.get(f).get(r)));
            row.put("v__f" + f + "__status", statuses.get(f).get(r).name());
          }
          expected.add(row);
        }
      }
    }
    String file = "read_parquet('" + tmp.resolve("feature_logs") + "/s/date=2026-03-01/*.parquet', hive_partitioning = false)";
    List<String> cols = new ArrayList<>(List.of("epoch_us(served_at) AS served_at", "registry_version", "service",
        "service_version", "user_id"));
    for (int f = 0; f < types.size(); f++) {
      cols.add(read(types.get(f), "v__f" + f) + " AS v__f" + f);
      cols.add("v__f" + f + "__status");
    }
    List<Map<String, Object>> actual = FeatureLogServeTest.read(tmp, "SELECT " + String.join(", ", cols) + " FROM " + file);
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("row %d", i).isEqualTo(expected.get(i));
    }
    List<Map<String, Object>> request_ids = FeatureLogServeTest.read(tmp,
        "SELECT count(DISTINCT request_id) AS n FROM " + file);
    assertThat(request_ids.getFirst().get("n")).isEqualTo((long) requests);
    Map<String, String> described = new LinkedHashMap<>();
    for (Map<String, Object> d : FeatureLogServeTest.read(tmp, "DESCRIBE SELECT * FROM " + file)) {
      described.put((String) d.get("column_name"), (String) d.get("column_type"));
    }
    Map<String, String> contract = new LinkedHashMap<>();
    contract.put("request_id", "VARCHAR");
    contract.put("served_at", "TIMESTAMP");
    contract.put("registry_version", "INTEGER");
    contract.put("service", "VARCHAR");
    contract.put("service_version", "INTEGER");
    contract.put("user_id", "BIGINT");
    for (int f = 0; f < types.size(); f++) {
      contract.put("v__f" + f, FeatureLogSchema.sql(types.get(f)));
      contract.put("v__f" + f + "__status", "VARCHAR");
    }
    assertThat(described).containsExactlyEntriesOf(contract);
  }

  /** How the test reads a column back: timestamps as epoch micros, bytes as hex. */
  private static String read(ValueType type, String column) {
    return switch (type) {
      case ScalarType s when s == ScalarType.TIMESTAMP -> "epoch_us(" + column + ")";
      case ScalarType s when s == ScalarType.BYTES -> "hex(" + column + ")";
      case ListType l when l.element() == ScalarType.TIMESTAMP -> "list_transform(" + column + ", lambda x: epoch_us(x))";
      case ListType l when l.element() == ScalarType.BYTES -> "list_transform(" + column + ", lambda x: hex(x))";
      default -> column;
    };
  }

  /** A served value as {@link #read} reads it back. */
  private static Object normal(ValueType type, Object v) {
    if (v == null) {
      return null;
    }
    if (type instanceof ListType l) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) v) {
        out.add(normal(l.element(), item));
      }
      return out;
    }
    return switch ((ScalarType) type) {
      case TIMESTAMP -> Timestamps.toMicros((Instant) v);
      case BYTES -> HEX.formatHex((byte[]) v);
      default -> v;
    };
  }

  private static Object value(SplittableRandom random, ValueType type) {
    if (type instanceof ListType l) {
      List<Object> items = new ArrayList<>();
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        items.add(random.nextInt(6) == 0 ? null : value(random, l.element()));
      }
      return items;
    }
    return switch ((ScalarType) type) {
      case INT32 -> random.nextInt();
      case INT64 -> random.nextLong();
      case FLOAT32 -> (float) (random.nextDouble() * 1000 - 500);
      case FLOAT64 -> random.nextDouble() * 1e6 - 5e5;
      case BOOL -> random.nextBoolean();
      case STRING -> random.nextInt(8) == 0 ? "" : "s\u00e9'" + random.nextInt(100_000);
      case BYTES -> {
        byte[] b = new byte[random.nextInt(6)];
        random.nextBytes(b);
        yield b;
      }
      case TIMESTAMP -> T.plusNanos(random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L) * 1000);
    };
  }
}
