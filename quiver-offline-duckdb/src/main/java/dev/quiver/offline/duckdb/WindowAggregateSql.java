package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.offline.sweep.PointInTimeRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training set with window aggregates. The query rows are staged once ({@value #QUERY}, its rowid
 * the input position); the column features go through {@link PlanSql} unchanged, on a plan stripped
 * of the aggregates whose query is that staged table; each view join's aggregates are computed by
 * {@link WindowAggregateSweep} into a table keyed by query position; the final select puts the
 * columns back in the plan's {@link PointInTimePlan#baseColumns() base} order.
 */
final class WindowAggregateSql implements TrainingSql {
  static final String QUERY = "__quiver_agg_query";
  static final String POSITION = "__quiver_qrow";

  private final PointInTimePlan plan;
  private final Path repoRoot;
  private final PlanSql base;
  private final List<Step> setup = new ArrayList<>();
  /** Join index → the aggregates of that join. */
  private final Map<Integer, List<WindowAggregate>> aggregates = new HashMap<>();

  WindowAggregateSql(PointInTimePlan plan, Path repoRoot) {
    this.plan = plan;
    this.repoRoot = repoRoot;
    setup.add(new Step.Sql("SET TimeZone = 'UTC'"));
    List<String> views = new ArrayList<>();
    String relation = PlanSql.queryRelation(plan.query(), plan.tables(), repoRoot, views);
    setup.addAll(Step.sql(views));
    setup.add(new Step.Sql("CREATE OR REPLACE TEMP TABLE " + QUERY + " AS SELECT * FROM " + relation));
    setup.add(QueryTimes.step(QUERY));
    List<ViewJoin> joins = new ArrayList<>();
    for (int i = 0; i < plan.joins().size(); i++) {
      ViewJoin join = plan.joins().get(i);
      List<PlannedFeature> latest = new ArrayList<>();
      for (PlannedFeature f : join.features()) {
        switch (f) {
          case LatestValue v -> latest.add(v);
          case WindowAggregate w -> aggregates.computeIfAbsent(i, k -> new ArrayList<>()).add(w);
        }
      }
      if (!latest.isEmpty()) {
        joins.add(new ViewJoin(join.view(), join.source(), join.keys(), join.ttl(), latest));
      }
    }
    List<Column> queryColumns = new ArrayList<>(plan.queryColumns());
    queryColumns.add(new Column(POSITION, ScalarType.INT64));
    List<Output> outputs = new ArrayList<>();
    for (ViewJoin j : joins) {
      for (PlannedFeature f : j.features()) {
        outputs.add(new Output(f.outputName(), ((LatestValue) f).ref(), f.type()));
      }
    }
    PointInTimePlan stripped = new PointInTimePlan(new QueryInput.Sql("SELECT *, rowid AS " + POSITION + " FROM " + QUERY),
        queryColumns, plan.timestampColumn(), joins, outputs, plan.registryVersion(), plan.tables());
    base = new PlanSql(stripped, repoRoot);
    setup.addAll(base.steps());
    for (var e : aggregates.entrySet()) {
      ViewJoin join = plan.joins().get(e.getKey());
      String table = values(e.getKey());
      String description = join.view() + ": window aggregates " + e.getValue().stream().map(WindowAggregate::outputName).toList()
          + " computed in Java by a sorted sweep over per-hop tiles into " + table;
      setup.add(new Step.Java(description,
          (c, progress) -> new WindowAggregateSweep(plan, join, e.getValue(), repoRoot, table).run(c)));
    }
  }

  static boolean hasAggregates(PointInTimePlan plan) {
    return plan.joins().stream().anyMatch(j -> j.features().stream().anyMatch(f -> f instanceof WindowAggregate));
  }

  @Override
  public List<Step> steps() {
    return setup;
  }

  @Override
  public String select() {
    return select(false);
  }

  /** {@link #select()} with the query position first, as {@value #POSITION} (for the derivation step). */
  String selectWithPosition() {
    return select(true);
  }

  private String select(boolean position) {
    Map<String, String> aggregateColumn = new HashMap<>();
    for (var e : aggregates.entrySet()) {
      for (int f = 0; f < e.getValue().size(); f++) {
        WindowAggregate w = e.getValue().get(f);
        String column = "a" + e.getKey() + "." + WindowAggregateSweep.value(f);
        // query rows the sweep gives no value (no rows for the key, null keys or time) have an empty
        // window, whose count is 0 (DESIGN §3)
        Object empty = PointInTimeRules.emptyWindow(w.aggregation().function());
        aggregateColumn.put(w.outputName(), empty != null ? "coalesce(" + column + ", " + empty + ")" : column);
      }
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    String sep = "";
    if (position) {
      sql.append("b.").append(POSITION);
      sep = ", ";
    }
    for (Column c : plan.queryColumns()) {
      sql.append(sep).append("b.").append(id(c.name()));
      sep = ", ";
    }
    List<Column> columns = plan.baseColumns();
    for (Column o : columns.subList(plan.queryColumns().size(), columns.size())) {
      String agg = aggregateColumn.get(o.name());
      sql.append(sep).append(agg != null ? agg : "b." + id(o.name())).append(" AS ").append(id(o.name()));
      sep = ", ";
    }
    sql.append(" FROM (").append(base.select()).append(") b");
    for (int i : aggregates.keySet()) {
      sql.append(" LEFT JOIN ").append(values(i)).append(" a").append(i).append(" ON a").append(i).append(".")
          .append(WindowAggregateSweep.ROW).append(" = b.").append(POSITION);
    }
    return sql.append(" ORDER BY b.").append(POSITION).toString();
  }

  private static String values(int join) {
    return "__quiver_agg_values_" + join;
  }
}
