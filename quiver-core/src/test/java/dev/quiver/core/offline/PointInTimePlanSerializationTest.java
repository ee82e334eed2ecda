package dev.quiver.core.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.validate.DefinitionValidator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A distributed engine ships the plan to its workers with Java serialization: plans from seeded
 * random definitions (column, aggregate and derived features, on-demand views with request data and
 * a custom transform) survive a round trip, and the copy's deriver computes the same rows.
 */
class PointInTimePlanSerializationTest {
  @TempDir Path dir;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomPlansRoundTripAndDeriveTheSameRows(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Generated g = generate(random);
    Definitions defs = load(dir, g.yaml, g.schemas);
    List<FeatureRef> refs = new ArrayList<>(g.features);
    java.util.Collections.shuffle(refs, new java.util.Random(seed));
    refs = refs.subList(0, random.nextInt(1, refs.size() + 1));
    QueryInput query = random.nextBoolean() ? new QueryInput.Sql("SELECT * FROM q", random.nextBoolean())
        : QueryInput.Files.of("query.parquet");
    PointInTimePlan plan = PointInTimePlanner.plan(defs, seed, new HistoricalRequest(query, refs, null, 0, random.nextBoolean(), null),
        QUERY_COLUMNS);
    PointInTimePlan copy = roundTrip(plan);

    assertThat(copy).isNotSameAs(plan);
    assertThat(copy.query()).isEqualTo(plan.query());
    assertThat(copy.queryColumns()).isEqualTo(plan.queryColumns());
    assertThat(copy.joins()).isEqualTo(plan.joins());
    assertThat(copy.outputs()).isEqualTo(plan.outputs());
    assertThat(copy.tables()).isEqualTo(plan.tables());
    assertThat(copy.registryVersion()).isEqualTo(seed);
    assertThat(copy.columns()).isEqualTo(plan.columns());
    assertThat(copy.baseColumns()).isEqualTo(plan.baseColumns());
    assertThat(copy.derivation() == null).isEqualTo(plan.derivation() == null);
    if (plan.derivation() != null) {
      assertThat(copy.derivation().baseColumns()).isEqualTo(plan.derivation().baseColumns());
      assertThat(copy.derivation().requestColumns()).isEqualTo(plan.derivation().requestColumns());
      assertThat(copy.derivation().plan().outputs()).isEqualTo(plan.derivation().plan().outputs());
      assertThat(copy.derivation().plan().baseFeatures()).isEqualTo(plan.derivation().plan().baseFeatures());
      assertThat(copy.derivation().plan().requestFields()).isEqualTo(plan.derivation().plan().requestFields());
    }
    for (int i = 0; i < 200; i++) {
      Object[] base = randomRow(random, plan.baseColumns());
      Object[] expected = plan.deriver().apply(base.clone());
      Object[] actual = copy.deriver().apply(base.clone());
      assertThat(Arrays.deepEquals(expected, actual)).as("seed %d row %s: %s vs %s", seed, Arrays.toString(base),
          Arrays.toString(expected), Arrays.toString(actual)).isTrue();
    }
  }

  @Test
  void theLatestRowsPlanAndTheSweepTypesRoundTrip() {
    Generated g = generate(new SplittableRandom(3));
    Definitions defs = load(dir, g.yaml, g.schemas);
    PointInTimePlan plan = PointInTimePlanner.plan(defs, 1,
        new HistoricalRequest(QueryInput.Files.of("q.csv"), g.features, null, 0, false, null), QUERY_COLUMNS);
    PointInTimePlan.ViewJoin join = plan.joins().getFirst();
    List<PointInTimePlan.LatestValue> latest = join.features().stream()
        .filter(f -> f instanceof PointInTimePlan.LatestValue).map(f -> (PointInTimePlan.LatestValue) f).toList();
    LatestRowsPlan rows = new LatestRowsPlan(join.view(), join.source(), join.keys(), latest, Instant.EPOCH, Instant.now());
    assertThat(roundTrip(rows)).isEqualTo(rows);
    assertThat(roundTrip(new ListType(ScalarType.FLOAT32))).isEqualTo(new ListType(ScalarType.FLOAT32));
    assertThat(roundTrip(dev.quiver.core.model.Window.lifetime())).isSameAs(dev.quiver.core.model.Window.lifetime());
  }

  @Test
  void aWorkerWithoutTheTransformsJarSaysSo() throws Exception {
    Generated g = generate(new SplittableRandom(5));
    Definitions defs = load(dir, g.yaml, g.schemas);
    PointInTimePlan plan = PointInTimePlanner.plan(defs, 1, new HistoricalRequest(QueryInput.Files.of("q.csv"),
        List.of(FeatureRef.of("odv:score")), null, 0, false, null), QUERY_COLUMNS);
    byte[] bytes = write(plan);
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    // a loader that sees Quiver's classes but not the test's transforms
    ClassLoader quiverOnly = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.startsWith("dev.quiver.core.derived.TestTransforms")) {
          throw new ClassNotFoundException(name);
        }
        return before.loadClass(name);
      }
    };
    thread.setContextClassLoader(quiverOnly);
    try {
      assertThatThrownBy(() -> read(bytes)).isInstanceOf(QuiverException.class)
          .hasMessageContaining("transform class 'dev.quiver.core.derived.TestTransforms$WeightedSum' is not on the classpath");
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  private static final List<SourceColumn> QUERY_COLUMNS = List.of(new SourceColumn("user_id", ScalarType.INT64, "BIGINT"),
      new SourceColumn("event_timestamp", ScalarType.TIMESTAMP, "TIMESTAMP"),
      new SourceColumn("amount", ScalarType.FLOAT64, "DOUBLE"), new SourceColumn("flag", ScalarType.BOOL, "BOOLEAN"));

  private record Generated(String yaml, Map<String, Map<String, ValueType>> schemas, List<FeatureRef> features) {}

  /** Views v0.. over sources s0.. with columns n (float64), m (int64), s (string), each with column, aggregate and derived features. */
  private static Generated generate(SplittableRandom random) {
    int views = random.nextInt(1, 4);
    StringBuilder y = new StringBuilder("entities:\n  - {name: user, join_keys: [user_id], type: int64}\nsources:\n");
    Map<String, Map<String, ValueType>> schemas = new LinkedHashMap<>();
    List<FeatureRef> features = new ArrayList<>();
    for (int v = 0; v < views; v++) {
      y.append("  - {name: s").append(v).append(", path: data/s").append(v).append(".parquet, timestamp: event_ts")
          .append(random.nextBoolean() ? ", created: created_ts" : "").append("}\n");
      Map<String, ValueType> cols = new LinkedHashMap<>();
      cols.put("user_id", ScalarType.INT64);
      cols.put("n" + v, ScalarType.FLOAT64);
      cols.put("m" + v, ScalarType.INT64);
      cols.put("s" + v, ScalarType.STRING);
      cols.put("event_ts", ScalarType.TIMESTAMP);
      cols.put("created_ts", ScalarType.TIMESTAMP);
      schemas.put("data/s" + v + ".parquet", cols);
    }
    y.append("feature_views:\n");
    for (int v = 0; v < views; v++) {
      String fn = List.of("sum", "avg", "count", "max", "min", "stddev").get(random.nextInt(6));
      String window = List.of("1h", "7d", "30d").get(random.nextInt(3));
      String derived = List.of("a%1$d * 2", "coalesce(a%1$d, 0) + b%1$d", "case when a%1$d > 0 then 'pos' else c%1$d end",
          "g%1$d + 1", "nullif(b%1$d, 0) * 3 - a%1$d").get(random.nextInt(5)).formatted(v);
      y.append("  - name: v").append(v).append("\n    entities: [user]\n    source: s").append(v)
          .append(random.nextBoolean() ? "\n    ttl: " + (1 + random.nextInt(40)) + "d" : "").append("\n    features:\n")
          .append("      - {name: a").append(v).append(", column: n").append(v).append("}\n")
          .append("      - {name: b").append(v).append(", column: m").append(v).append("}\n")
          .append("      - {name: c").append(v).append(", column: s").append(v).append("}\n")
          .append("      - {name: g").append(v).append(", aggregate: {fn: ").append(fn).append(", column: n").append(v)
          .append(", window: ").append(window).append("}}\n")
          .append("      - {name: d").append(v).append(", expr: \"").append(derived).append("\"}\n");
      for (String f : List.of("a", "b", "c", "g", "d")) {
        features.add(FeatureRef.of("v" + v + ":" + f + v));
      }
    }
    int v = random.nextInt(views);
    StringBuilder inputs = new StringBuilder();
    for (int i = 0; i < views; i++) {
      inputs.append("v").append(i).append(", ");
    }
    y.append("on_demand_views:\n  - name: odv\n    inputs: [").append(inputs).append("request: {amount: float64, flag: bool}]\n")
        .append("    features:\n")
        .append("      - {name: ratio, expr: \"request.amount / nullif(v").append(v).append(".a").append(v).append(", 0)\"}\n")
        .append("      - {name: hot, expr: \"request.flag and v").append(v).append(".b").append(v).append(" > 1\"}\n")
        .append("      - {name: score, transform: dev.quiver.core.derived.TestTransforms$WeightedSum, args: [request.amount,")
        .append(" \"coalesce(v").append(v).append(".a").append(v).append(", 0)\"]}\n");
    features.addAll(List.of(FeatureRef.of("odv:ratio"), FeatureRef.of("odv:hot"), FeatureRef.of("odv:score")));
    return new Generated(y.toString(), schemas, features);
  }

  private static Definitions load(Path dir, String yaml, Map<String, Map<String, ValueType>> schemas) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(schemas), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }

  private static Object[] randomRow(SplittableRandom random, List<Column> columns) {
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      ValueType t = columns.get(i).type();
      if (random.nextInt(5) == 0 || !(t instanceof ScalarType s)) {
        continue;
      }
      row[i] = switch (s) {
        case INT32 -> random.nextInt(-3, 4);
        case INT64 -> (long) random.nextInt(-3, 4);
        case FLOAT64 -> random.nextInt(6) == 0 ? 0.0 : random.nextDouble(-5, 5);
        case FLOAT32 -> (float) random.nextDouble(-5, 5);
        case BOOL -> random.nextBoolean();
        case STRING -> List.of("x", "", "DE").get(random.nextInt(3));
        case BYTES -> new byte[] {1};
        case TIMESTAMP -> Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(100_000));
      };
    }
    return row;
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) {
    try {
      return (T) read(write(value));
    } catch (IOException | ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] write(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Object read(byte[] bytes) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
