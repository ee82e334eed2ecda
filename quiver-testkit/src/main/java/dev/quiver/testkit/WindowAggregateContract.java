package dev.quiver.testkit;

import static dev.quiver.testkit.RandomTrainingData.FEATURE_COLUMNS;
import static dev.quiver.testkit.RandomTrainingData.featureView;
import static dev.quiver.testkit.RandomTrainingData.sourceColumns;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.RandomTrainingData.Gen;
import dev.quiver.testkit.RandomTrainingData.KeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Window aggregates in training sets, on seeded random data compared with {@link
 * NaivePointInTime} (whose windows {@link NaiveWindowAggregator} computes): every aggregate
 * function over sawtooth windows (seconds long, so the generated event times straddle their edges)
 * and a lifetime window, filtered aggregates, beside column features and a second view, with the
 * source in one file or spread over files whose names sort unlike their numbers (exact ties across
 * files go by file order for first, last and last_k: DESIGN §3, "Ties").
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer.
 */
public interface WindowAggregateContract extends OfflineContractPart {
  /**
   * Window aggregates of every function over sawtooth windows (seconds long, so the generated event
   * times straddle their edges) and a lifetime window, beside column features and a second view,
   * compared with the reference.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomWindowAggregates(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    TrainingSetFixture f = fixture("window aggregates", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    Window[] windows = {Window.of(Duration.ofSeconds(10)), Window.of(Duration.ofSeconds(30)), Window.of(Duration.ofSeconds(4)),
        Window.Lifetime.INSTANCE};
    Duration[] hops = {Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(5)};
    ViewBuilder userView = featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user");
    List<String> refs = new ArrayList<>();
    String[][] fns = {{"COUNT", null}, {"COUNT", "f_string"}, {"SUM", "f_int32"}, {"SUM", "f_float64"}, {"AVG", "f_int32"},
        {"MIN", "f_string"}, {"MAX", "f_ts"}, {"FIRST", "f_float64"}, {"LAST", "f_string"}, {"STDDEV", "f_float64"},
        {"VARIANCE", "f_int32"}, {"COUNT_DISTINCT", "f_int32"}, {"APPROX_COUNT_DISTINCT", "f_string"},
        {"LAST_K", "f_int64"}, {"APPROX_PERCENTILE", "f_float64"}};
    for (int i = 0; i < fns.length; i++) {
      int w = g.between(0, windows.length - 1);
      AggregateFunction fn = AggregateFunction.valueOf(fns[i][0]);
      String name = "agg_" + i + "_" + fns[i][0].toLowerCase(java.util.Locale.ROOT);
      userView.aggregate(name, new Aggregation(fn, fns[i][1], windows[w], hops[w], null,
          fn == AggregateFunction.LAST_K ? 3 : 0, fn == AggregateFunction.APPROX_PERCENTILE ? 0.5 : 0));
      refs.add("user_txn:" + name);
    }
    // filtered aggregates: the same evaluator decides which rows count, on every path
    String[][] filtered = {{"COUNT", null, "coalesce(f_int32, 0) > 0"}, {"SUM", "f_float64", "f_float64 > 0 and f_int32 < 50"},
        {"MAX", "f_string", "f_int64 is not null"}};
    for (int i = 0; i < filtered.length; i++) {
      int w = g.between(0, windows.length - 1);
      String name = "filtered_" + i;
      userView.aggregate(name, new Aggregation(AggregateFunction.valueOf(filtered[i][0]), filtered[i][1], windows[w], hops[w],
          filtered[i][2], 0, 0));
      refs.add("user_txn:" + name);
    }
    f.defs.view(userView);
    f.defs.view(featureView("merchant_txn", "txns", null, List.of(new Column("f_int64", ScalarType.INT64)), "mt_", "merchant")
        .aggregate("mt_count", new Aggregation(AggregateFunction.COUNT, null, windows[0], hops[0], null, 0, 0)));
    refs.addAll(List.of("user_txn:ut_f_float64", "merchant_txn:mt_count", "merchant_txn:mt_f_int64"));
    Collections.shuffle(refs, new java.util.Random(seed));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    // one file, or rows spread over files whose names sort unlike their numbers: exact ties across
    // files go by file order for first, last and last_k (DESIGN §3, "Ties")
    int fileCount = g.between(1, 3);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put(fileCount == 1 ? "" : "part-" + (9 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : txns) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("txns", fileCount == 1 ? "data/txns.parquet" : "data/txns/*.parquet", txnColumns, files, "event_ts",
        "created_ts", Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    f.run(g.chance(0.5), null, refs.toArray(String[]::new));
  }
}
