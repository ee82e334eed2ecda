package dev.quiver.offline.spark;

import static dev.quiver.offline.spark.DifferentialRepo.END;
import static dev.quiver.offline.spark.DifferentialRepo.FEATURES;
import static dev.quiver.offline.spark.DifferentialRepo.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineRequest;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential test of issue 21: the same randomized repos ({@link DifferentialRepo}) through
 * {@code offline: {engine: duckdb}} and {@code offline: {engine: spark, master: "local[2]"}}, used as
 * users use them (a {@link FeatureRepo}), give identical training sets (cell by cell, doubles bit for
 * bit; query rows from a Parquet file and from SQL) and identical online state after materializing
 * each into its own RocksDB store (every entity's column, aggregate, derived and on-demand features
 * through the online read API, at the same {@code now}). Seeds 1 to {@code quiver.diff.seeds}
 * (default 2; a seed costs a few seconds of Spark jobs).
 */
class DuckDbSparkDifferentialTest {
  private static final Instant NOW = END.plus(Duration.ofDays(1));
  private static final Materializer.Listener QUIET = (v, read, written) -> {};

  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, Long.getLong("quiver.diff.seeds", 2)).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sameTrainingSetsAndOnlineState(long seed) throws Exception {
    DifferentialRepo data = new DifferentialRepo(seed);
    data.writeData(tmp.resolve("src"));
    Path a = data.repo(tmp.resolve("duckdb"), tmp.resolve("src"), "{engine: duckdb}");
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), "{engine: spark, master: 'local[2]'}");
    try (FeatureRepo duck = open(a); FeatureRepo spark = open(b)) {
      List<FeatureRef> all = refs(FEATURES.keySet().toArray(String[]::new));
      assertSameTrainingSet(seed, "query file", duck, spark, HistoricalRequest.ofFeatures(
          new QueryInput.Files(a.resolve("data/query.parquet").toString(), FileFormat.PARQUET), all).withFullFeatureNames(true),
          HistoricalRequest.ofFeatures(new QueryInput.Files(b.resolve("data/query.parquet").toString(), FileFormat.PARQUET), all)
              .withFullFeatureNames(true));
      // SQL valid in both dialects; the order is total up to rows that are equal in every selected column
      HistoricalRequest sql = HistoricalRequest.ofFeatures(new QueryInput.Sql("SELECT user_id, event_ts AS event_timestamp, "
          + "score AS label, page AS note FROM clicks ORDER BY event_ts NULLS LAST, user_id NULLS LAST, "
          + "created_ts NULLS LAST, score NULLS LAST, page NULLS LAST"), refs("user_txn", "user_agg", "user_clicks"))
          .withFullFeatureNames(true);
      assertSameTrainingSet(seed, "SQL query", duck, spark, sql, sql);

      for (FeatureRepo r : List.of(duck, spark)) {
        r.materialize(List.of(), T0.minus(Duration.ofDays(1)), END, QUIET, "test");
        r.materializeIncremental(List.of(), END.plus(Duration.ofHours(12)), QUIET, "test");
      }
      assertSameOnlineState(seed, data, duck, spark);
    }
  }

  static FeatureRepo open(Path dir) {
    FeatureRepo r = FeatureRepo.open(dir, Clock.fixed(NOW, ZoneOffset.UTC));
    r.apply(r.plan(false), "test", "first", false);
    return r;
  }

  static List<FeatureRef> refs(String... views) {
    List<FeatureRef> refs = new ArrayList<>();
    for (String v : views) {
      FEATURES.get(v).forEach(f -> refs.add(FeatureRef.of(v + ":" + f)));
    }
    return refs;
  }

  static void assertSameTrainingSet(long seed, String what, FeatureRepo duck, FeatureRepo spark, HistoricalRequest a,
      HistoricalRequest b) {
    List<Column> columns;
    List<Object[]> want = new ArrayList<>();
    List<Object[]> got = new ArrayList<>();
    try (HistoricalRows rows = duck.getHistoricalFeatures(a)) {
      columns = rows.columns();
      rows.forEachRemaining(want::add);
    }
    try (HistoricalRows rows = spark.getHistoricalFeatures(b)) {
      assertThat(rows.columns()).as("seed %d, %s: columns", seed, what).isEqualTo(columns);
      rows.forEachRemaining(got::add);
    }
    assertThat(got.size()).as("seed %d, %s: rows", seed, what).isEqualTo(want.size());
    assertThat(want).as("seed %d, %s: some rows", seed, what).isNotEmpty();
    int[] nonNull = new int[columns.size()];
    for (int i = 0; i < want.size(); i++) {
      for (int c = 0; c < columns.size(); c++) {
        Object w = want.get(i)[c];
        Object g = got.get(i)[c];
        if (!same(w, g)) {
          throw new AssertionError("seed %d, %s: row %d, column %s: DuckDB %s, Spark %s".formatted(seed, what, i,
              columns.get(c).name(), show(w), show(g)));
        }
        nonNull[c] += w == null ? 0 : 1;
      }
    }
    // the comparison means something only if features have values
    long columnsWithValues = Arrays.stream(nonNull).filter(n -> n > 0).count();
    assertThat(columnsWithValues).as("seed %d, %s: columns with some value", seed, what).isGreaterThan(columns.size() * 3L / 4);
  }

  static void assertSameOnlineState(long seed, DifferentialRepo data, FeatureRepo duck, FeatureRepo spark) {
    List<Object> users = new ArrayList<>();
    LongStream.rangeClosed(0, data.users).forEach(users::add);
    List<Object> pairUsers = new ArrayList<>();
    List<Object> merchants = new ArrayList<>();
    List<Object> deviceUsers = new ArrayList<>();
    List<Object> devices = new ArrayList<>();
    List<Object> labels = new ArrayList<>();
    List<Object> notes = new ArrayList<>();
    for (Object u : users) {
      for (String m : DifferentialRepo.MERCHANTS) {
        pairUsers.add(u);
        merchants.add(m);
        labels.add(pairUsers.size() % 4 == 0 ? null : pairUsers.size() * 1.25);
        notes.add(pairUsers.size() % 3 == 0 ? null : "note" + pairUsers.size() % 5);
      }
      for (byte[] d : DifferentialRepo.DEVICES) {
        deviceUsers.add(u);
        devices.add(d);
      }
    }
    List<Object> stores = new ArrayList<>(List.of(0, 1, 2, 3, 4));
    Map<String, OnlineRequest> requests = new LinkedHashMap<>();
    requests.put("user", new OnlineRequest(refs("user_txn", "user_agg", "user_clicks"), Map.of("user_id", users), Map.of(), true));
    requests.put("user, merchant", new OnlineRequest(refs("pair_txn", "risk"), Map.of("user_id", pairUsers, "merchant_id",
        merchants), map("label", labels, "note", notes), true));
    requests.put("user, device", new OnlineRequest(refs("device_txn"), Map.of("user_id", deviceUsers, "device_id", devices),
        Map.of(), true));
    requests.put("store", new OnlineRequest(refs("store_txn"), Map.of("store_id", stores), Map.of(), true));
    for (var e : requests.entrySet()) {
      List<FeatureColumn> want = duck.getOnlineFeatures(e.getValue()).features();
      List<FeatureColumn> got = spark.getOnlineFeatures(e.getValue()).features();
      assertThat(got.stream().map(FeatureColumn::name).toList()).isEqualTo(want.stream().map(FeatureColumn::name).toList());
      int withValues = 0;
      for (int f = 0; f < want.size(); f++) {
        FeatureColumn w = want.get(f);
        FeatureColumn g = got.get(f);
        boolean any = false;
        for (int i = 0; i < w.values().size(); i++) {
          any |= w.values().get(i) != null;
          if (!same(w.values().get(i), g.values().get(i)) || w.statuses().get(i) != g.statuses().get(i)
              || !same(w.eventTimes().get(i), g.eventTimes().get(i))) {
            throw new AssertionError("seed %d, online (%s): entity %d, feature %s: DuckDB %s %s %s, Spark %s %s %s".formatted(
                seed, e.getKey(), i, w.name(), show(w.values().get(i)), w.statuses().get(i), w.eventTimes().get(i),
                show(g.values().get(i)), g.statuses().get(i), g.eventTimes().get(i)));
          }
        }
        withValues += any ? 1 : 0;
      }
      assertThat(withValues).as("seed %d, online (%s): features with some value", seed, e.getKey()).isGreaterThan(want.size() / 2);
    }
  }

  private static Map<String, List<Object>> map(String k1, List<Object> v1, String k2, List<Object> v2) {
    Map<String, List<Object>> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  /** Equal values: doubles and floats bit for bit, byte arrays and lists element by element. */
  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    return switch (a) {
      case Double d -> b instanceof Double e && Double.doubleToRawLongBits(d) == Double.doubleToRawLongBits(e);
      case Float d -> b instanceof Float e && Float.floatToRawIntBits(d) == Float.floatToRawIntBits(e);
      case byte[] x -> b instanceof byte[] y && Arrays.equals(x, y);
      case List<?> x -> {
        if (!(b instanceof List<?> y) || x.size() != y.size()) {
          yield false;
        }
        for (int i = 0; i < x.size(); i++) {
          if (!same(x.get(i), y.get(i))) {
            yield false;
          }
        }
        yield true;
      }
      default -> a.getClass() == b.getClass() && a.equals(b);
    };
  }

  private static String show(Object v) {
    return switch (v) {
      case null -> "null";
      case Double d -> d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
      case byte[] x -> "0x" + HexFormat.of().formatHex(x);
      case List<?> l -> l.stream().map(DuckDbSparkDifferentialTest::show).toList().toString();
      default -> v + " (" + v.getClass().getSimpleName() + ")";
    };
  }
}
