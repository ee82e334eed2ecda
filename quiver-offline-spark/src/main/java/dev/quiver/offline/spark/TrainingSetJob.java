package dev.quiver.offline.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.sweep.JoinSweep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

/**
 * A training set as one Spark Dataset, built without running it (nothing is collected to the
 * driver):
 *
 * <ol>
 *   <li>the query rows get an id in input order ({@link QueryRows#withIds});
 *   <li>per {@link ViewJoin}, in turn: the query rows (keys, t, and every column so far) and the source
 *       rows (keys, event time, created time, position, the columns the join reads) are unioned on
 *       normalized keys (int32 and int64 as bigint, bytes as binary, compared by content),
 *       repartitioned by the keys, sorted within partitions in the sweep order and swept by {@link
 *       JoinPartition} with the core {@link JoinSweep}, which appends the join's features to each query
 *       row; one shuffle per join, none to bring the features back;
 *   <li>the rows are ordered by id and finished on the executors ({@link FinishPartition}: derived
 *       and on-demand features by the core evaluator).
 * </ol>
 *
 * <p>The result's columns are {@link PointInTimePlan#columns()}, then {@link QueryRows#ID}.
 */
final class TrainingSetJob {
  private static final String T = "__quiver_t";
  private static final String KIND = "__quiver_kind";
  private static final String CREATED = "__quiver_created";
  private static final String POS = "__quiver_pos";
  private static final String ID = QueryRows.ID;

  final Dataset<Row> result;
  /** What runs, step by step, for {@link SparkOfflineEngine#explain}. */
  final List<String> steps = new ArrayList<>();
  /** Run once the result has been read or written. */
  final List<Runnable> release = new ArrayList<>();
  /**
   * The files of each source read from elsewhere (an Iceberg table, a URI), listed once per training
   * set: two views over one Iceberg table read the same snapshot.
   */
  private final Map<dev.quiver.core.model.FileSource, java.util.Optional<SparkRemoteFiles>> listed = new HashMap<>();

  TrainingSetJob(SparkSession spark, PointInTimePlan plan, Path repoRoot) {
    Dataset<Row> query = QueryRows.withIds(spark, plan.query(), plan.tables(), repoRoot, release);
    steps.add("query rows: " + plan.query().describe() + ", each with an id in input order");
    List<String> queryNames = plan.queryColumns().stream().map(PointInTimePlan.Column::name).toList();
    List<String> present = List.of(query.columns());
    for (String name : queryNames) {
      if (!present.contains(name)) {
        throw new QuiverException("the query rows (" + plan.query().describe() + ") have no column '" + name
            + "' any more; they changed since the request was planned, ask again");
      }
    }
    List<Column> selected = new ArrayList<>();
    for (int i = 0; i < queryNames.size(); i++) {
      selected.add(col(SparkScans.quoted(queryNames.get(i))).as("__quiver_q" + i));
    }
    selected.add(col(ID));
    Dataset<Row> rows = query.select(selected.toArray(Column[]::new));
    int queryWidth = queryNames.size();
    int[] joinAt = new int[plan.joins().size()];
    for (int j = 0; j < plan.joins().size(); j++) {
      joinAt[j] = rows.schema().size();
      rows = join(spark, plan, plan.joins().get(j), rows, repoRoot, j);
    }
    // base columns: the query's, then the features the plan's base result holds, by output name
    List<PointInTimePlan.Column> baseColumns = plan.baseColumns();
    int[] baseJoin = new int[baseColumns.size() - queryWidth];
    int[] baseFeature = new int[baseJoin.length];
    for (int c = 0; c < baseJoin.length; c++) {
      String name = baseColumns.get(queryWidth + c).name();
      baseJoin[c] = -1;
      for (int j = 0; j < plan.joins().size() && baseJoin[c] < 0; j++) {
        List<PlannedFeature> fs = plan.joins().get(j).features();
        for (int f = 0; f < fs.size(); f++) {
          if (fs.get(f).outputName().equals(name)) {
            baseJoin[c] = j;
            baseFeature[c] = f;
            break;
          }
        }
      }
      if (baseJoin[c] < 0) {
        throw new IllegalStateException("base column '" + name + "' comes from no join of the plan");
      }
    }
    StructType out = new StructType();
    for (PointInTimePlan.Column c : plan.columns()) {
      int q = queryNames.indexOf(c.name());
      DataType type = q >= 0 ? query.schema().apply(query.schema().fieldIndex(c.name())).dataType() : SparkTypes.toSpark(c.type());
      out = out.add(c.name(), type, true);
    }
    out = out.add(ID, DataTypes.LongType, false);
    result = rows.orderBy(col(ID)).mapPartitions(new FinishPartition(plan, baseJoin, baseFeature, joinAt), Encoders.row(out));
    steps.add("ordered by id; each row finished on the executors"
        + (plan.derivation() == null ? "" : ": derived features by the core evaluator (" + plan.derivation().plan() + ")"));
  }

  /** The rows so far with one view join's features appended. */
  private Dataset<Row> join(SparkSession spark, PointInTimePlan plan, ViewJoin join, Dataset<Row> rows, Path repoRoot, int j) {
    SparkRemoteFiles remote = listed.computeIfAbsent(join.source(),
        s -> java.util.Optional.ofNullable(SparkRemoteFiles.of(spark, s, repoRoot))).orElse(null);
    Dataset<Row> source = SparkScans.source(spark, join.source(), repoRoot, remote);
    Map<String, ValueType> types = new HashMap<>();
    for (StructField f : source.schema().fields()) {
      types.put(f.name(), SparkTypes.toQuiver(f.dataType()));
    }
    SourceDrift.check(plan, join, name -> typeOf(types, name), name -> {
      for (StructField f : source.schema().fields()) {
        if (f.name().equalsIgnoreCase(name)) {
          return f.dataType().simpleString();
        }
      }
      return "nothing";
    });
    List<String> valueColumns;
    try {
      valueColumns = new JoinSweep(join, name -> typeOf(types, name)).sourceColumns(); // checks the types on the driver
    } catch (QuiverException e) {
      throw new SourceDataException(join.source().name(), join.source().path(), e.getMessage(), e);
    }
    Map<String, ValueType> sweepTypes = new HashMap<>();
    valueColumns.forEach(c -> sweepTypes.put(c, typeOf(types, c)));

    List<Column> src = new ArrayList<>();
    List<Column> qry = new ArrayList<>();
    List<Column> keys = new ArrayList<>();
    Column sourceKeysPresent = lit(true);
    for (int k = 0; k < join.keys().size(); k++) {
      KeyBinding key = join.keys().get(k);
      DataType type = key.type().isIntegral() ? DataTypes.LongType : SparkTypes.toSpark(key.type());
      String name = "__quiver_k" + k;
      Column s = column(source, key.sourceColumn(), join).cast(type);
      int q = plan.queryColumns().stream().map(PointInTimePlan.Column::name).toList().indexOf(key.queryColumn());
      src.add(s.as(name));
      qry.add(col("__quiver_q" + q).cast(type).as(name));
      keys.add(col(name));
      sourceKeysPresent = sourceKeysPresent.and(s.isNotNull());
    }
    Column event = micros(source, join.source().rawColumn(join.source().timestampColumn()), join);
    Column created = join.source().createdColumn() == null ? lit(null).cast(DataTypes.LongType)
        : micros(source, join.source().rawColumn(join.source().createdColumn()), join);
    int t = plan.queryColumns().stream().map(PointInTimePlan.Column::name).toList().indexOf(plan.timestampColumn());
    src.add(event.as(T));
    qry.add(functions.unix_micros(col("__quiver_q" + t)).as(T));
    src.add(lit(JoinPartition.SOURCE).as(KIND));
    qry.add(lit(JoinPartition.QUERY).as(KIND));
    src.add(created.as(CREATED));
    qry.add(lit(null).cast(DataTypes.LongType).as(CREATED));
    src.add(col(SparkScans.POSITION).as(POS));
    qry.add(lit(null).cast(DataTypes.LongType).as(POS));
    for (StructField f : rows.schema().fields()) {
      src.add(lit(null).cast(f.dataType()).as(f.name()));
      qry.add(col(f.name()));
    }
    for (int v = 0; v < valueColumns.size(); v++) {
      ValueType type = sweepTypes.get(valueColumns.get(v));
      Column value = column(source, valueColumns.get(v), join);
      DataType held = type == null ? source.schema().apply(fieldName(source, valueColumns.get(v), join)).dataType()
          : SparkTypes.toSpark(type);
      src.add(value.cast(held).as("__quiver_v" + v));
      qry.add(lit(null).cast(held).as("__quiver_v" + v));
    }
    Dataset<Row> sourceRows = source.where(sourceKeysPresent.and(event.isNotNull())).select(src.toArray(Column[]::new));
    Dataset<Row> queryRows = rows.select(qry.toArray(Column[]::new));
    List<Column> order = new ArrayList<>(keys);
    order.add(col(T));
    order.add(col(KIND));
    order.add(col(CREATED).asc_nulls_first());
    order.add(col(POS));
    Dataset<Row> sorted = sourceRows.unionAll(queryRows)
        .repartition(keys.toArray(Column[]::new))
        .sortWithinPartitions(order.toArray(Column[]::new));
    StructType out = rows.schema();
    for (int f = 0; f < join.features().size(); f++) {
      out = out.add("__quiver_j" + j + "_" + f, SparkTypes.toSpark(join.features().get(f).type()), true);
    }
    steps.add("join " + join.view() + ": source '" + join.source().name() + "' (" + join.source().path() + ") and the query rows"
        + " on keys " + join.keys().stream().map(KeyBinding::queryColumn).toList() + ", repartitioned by key, sorted by (key,"
        + " time, source before query, created nulls first, position), swept per key by the core JoinSweep");
    return sorted.mapPartitions(new JoinPartition(join, sweepTypes, join.keys().size(), rows.schema().size()), Encoders.row(out));
  }

  private static ValueType typeOf(Map<String, ValueType> types, String name) {
    ValueType t = types.get(name);
    if (t != null || types.containsKey(name)) {
      return t;
    }
    for (var e : types.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The source's column {@code name}, or a clear error when its files lack it. */
  private static Column column(Dataset<Row> source, String name, ViewJoin join) {
    return source.col(SparkScans.quoted(fieldName(source, name, join)));
  }

  private static String fieldName(Dataset<Row> source, String name, ViewJoin join) {
    for (String f : source.columns()) {
      if (f.equals(name)) {
        return f;
      }
    }
    for (String f : source.columns()) {
      if (f.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new SourceDataException(join.source().name(), join.source().path(), "source '" + join.source().name() + "' ("
        + join.source().path() + ") has no column '" + name + "', which view " + join.view() + " reads: its files changed"
        + " since the definitions were applied; run 'quiver plan' to see what differs");
  }

  /** A timestamp column as µs since the epoch. */
  private static Column micros(Dataset<Row> source, String name, ViewJoin join) {
    String field = fieldName(source, name, join);
    DataType type = source.schema().apply(field).dataType();
    if (!(type instanceof TimestampType)) {
      throw new SourceDataException(join.source().name(), join.source().path(), "column '" + name + "' of source '"
          + join.source().name() + "' must hold timestamps but holds " + type.simpleString() + "; fix the files or the"
          + " source's timestamp column");
    }
    return functions.unix_micros(source.col(SparkScans.quoted(field)));
  }


}
