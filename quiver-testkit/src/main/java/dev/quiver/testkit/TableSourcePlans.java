package dev.quiver.testkit;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plans the table-source tests of every offline engine run (DuckDB's {@code TableSourcesTest},
 * Spark's {@code SparkTableSourcesTest}), built in one place so both engines answer the same request.
 */
public final class TableSourcePlans {
  private TableSourcePlans() {}

  /**
   * A training set over {@code repo/query.parquet} (user_id, ts; region when {@code byDay} is given):
   * view {@code a} over {@code source} gives the latest v by (user_id, region when {@code byDay} is
   * given, else user_id) and the last v over 2 days; with {@code byDay}, view {@code b} gives the
   * latest v and region by user_id (TTL 2 days).
   *
   * @param byDay null for the one-view plan
   */
  public static PointInTimePlan trainingSet(Path repo, FileSource source, FileSource byDay) {
    List<ViewJoin> joins = new ArrayList<>();
    List<KeyBinding> keys = new ArrayList<>(List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)));
    if (byDay != null) {
      keys.add(new KeyBinding("region", "region", ScalarType.STRING));
    }
    joins.add(new ViewJoin("a@v1", source, keys, null, List.of(
        new LatestValue(FeatureRef.of("a:v"), "v", "a__v", ScalarType.INT64),
        new WindowAggregate(FeatureRef.of("a:last_v"), "v", Aggregation.of(AggregateFunction.LAST, "v",
            Window.of(Duration.ofDays(2))), "a__last_v", ScalarType.INT64))));
    List<Column> query = new ArrayList<>(List.of(new Column("user_id", ScalarType.INT64)));
    if (byDay != null) {
      query.add(new Column("region", ScalarType.STRING));
      joins.add(new ViewJoin("b@v1", byDay, List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)),
          Duration.ofDays(2), List.of(new LatestValue(FeatureRef.of("b:v"), "v", "b__v", ScalarType.INT64),
              new LatestValue(FeatureRef.of("b:region"), "region", "b__region", ScalarType.STRING))));
    }
    query.add(new Column("ts", ScalarType.TIMESTAMP));
    List<Output> outputs = new ArrayList<>();
    for (ViewJoin j : joins) {
      for (PlannedFeature f : j.features()) {
        FeatureRef ref = f instanceof LatestValue v ? v.ref() : ((WindowAggregate) f).ref();
        outputs.add(new Output(f.outputName(), ref, f.type()));
      }
    }
    return new PointInTimePlan(new QueryInput.Files(repo.resolve("query.parquet").toString(), FileFormat.PARQUET), query,
        "ts", joins, outputs, 0, List.of());
  }

  /** The latest v by user_id of view {@code a@v1} over {@code source} for event times in [start, end). */
  public static LatestRowsPlan latest(FileSource source, Instant start, Instant end) {
    return new LatestRowsPlan("a@v1", source, List.of(new KeyBinding("user_id", "user_id", ScalarType.INT64)),
        List.of(new LatestValue(FeatureRef.of("a:v"), "v", "v", ScalarType.INT64)), start, end);
  }

  /** Every row of {@code rows} (closed after), each copied into a list. */
  public static List<List<Object>> collect(HistoricalRows rows) {
    List<List<Object>> out = new ArrayList<>();
    try (rows) {
      rows.forEachRemaining(row -> out.add(Arrays.asList(row.clone())));
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return out;
  }
}
