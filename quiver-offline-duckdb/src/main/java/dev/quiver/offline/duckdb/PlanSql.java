package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link PointInTimePlan} to DuckDB SQL: setup statements that stage intermediate tables,
 * then one final {@code SELECT} whose rows are the training set in query order.
 *
 * <p>Per view join, an ASOF join finds, for each query row, the source row with the same keys and
 * the greatest {@code (event_ts, created_ts, position)} not after {@code (t, +inf, +inf)}: exactly
 * the plan's "latest row at or before t, ties broken by created time, then by position in the source"
 * (files in path order, rows in file order). Only the ordering key travels through the ASOF sort; a
 * second hash join fetches the feature columns of the chosen rows, and the TTL is applied to the
 * chosen row's event time. Parquet rows are addressed by {@code (filename, file_row_number)}; CSV
 * sources are staged into a table first and addressed by {@code rowid}.
 */
final class PlanSql {
  static final String QUERY = "__quiver_query";
  static final String ROW = "__quiver_row";
  private static final String T = "__quiver_t";
  private static final String ORDER = "__quiver_order";

  private final PointInTimePlan plan;
  private final Path repoRoot;
  private final List<String> setup = new ArrayList<>();

  PlanSql(PointInTimePlan plan, Path repoRoot) {
    this.plan = plan;
    this.repoRoot = repoRoot;
    render();
  }

  /** Statements to run, in order, before {@link #select()}. */
  List<String> setup() {
    return setup;
  }

  /** The plan's base result ({@link PointInTimePlan#baseColumns()}), in query order. */
  String select() {
    Map<String, String> features = featureColumns();
    StringBuilder columns = new StringBuilder("q.*");
    List<PointInTimePlan.Column> base = plan.baseColumns();
    for (PointInTimePlan.Column c : base.subList(plan.queryColumns().size(), base.size())) {
      columns.append(", ").append(features.get(c.name())).append(" AS ").append(id(c.name()));
    }
    return from(columns, null);
  }

  /**
   * For a plan with a derivation: the row id, then the derivation's {@link
   * PointInTimePlan.Derivation#inputColumns() inputs}, in query order. The derived values computed
   * from it go to a table {@link #derivedSelect} joins back.
   */
  String derivationInputs() {
    Map<String, String> features = featureColumns();
    StringBuilder columns = new StringBuilder("q.rowid AS ").append(ROW);
    int k = 0;
    for (String c : plan.derivation().baseColumns()) {
      columns.append(", ").append(features.get(c)).append(" AS ").append(inputColumn(k++));
    }
    for (String c : plan.derivation().requestColumns()) {
      columns.append(", q.").append(id(c)).append(" AS ").append(inputColumn(k++));
    }
    return from(columns, null);
  }

  /** The name of the k-th input column of {@link #derivationInputs()}. */
  static String inputColumn(int k) {
    return "__quiver_i" + k;
  }

  /**
   * For a plan with a derivation: the training set ({@link PointInTimePlan#columns()}), with the
   * derived outputs read from {@code table} (columns {@value #ROW} and {@link #derivedColumn(int)}
   * per {@link PointInTimePlan.Derivation#derivedOutputs() derived output}).
   */
  String derivedSelect(String table) {
    Map<String, String> features = featureColumns();
    List<Integer> derived = plan.derivation().derivedOutputs();
    StringBuilder columns = new StringBuilder("q.*");
    for (int i = 0; i < plan.outputs().size(); i++) {
      int k = derived.indexOf(i);
      String name = plan.outputs().get(i).name();
      columns.append(", ").append(k >= 0 ? "d." + derivedColumn(k) : features.get(name)).append(" AS ").append(id(name));
    }
    return from(columns, " LEFT JOIN " + table + " d ON d." + ROW + " = q.rowid");
  }

  /** The name of the k-th derived output's column in the table {@link #derivedSelect} reads. */
  static String derivedColumn(int k) {
    return "__quiver_d" + k;
  }

  /** Each join feature's output name, and the expression that reads it in {@link #from}. */
  private Map<String, String> featureColumns() {
    Map<String, String> byName = new HashMap<>();
    for (int i = 0; i < plan.joins().size(); i++) {
      List<PlannedFeature> features = plan.joins().get(i).features();
      for (int f = 0; f < features.size(); f++) {
        byName.put(features.get(f).outputName(), "f" + i + "." + value(i, f));
      }
    }
    return byName;
  }

  /** {@code SELECT columns} over the query rows and every join's fetched values, in query order. */
  private String from(CharSequence columns, String extraJoin) {
    StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM ").append(QUERY).append(" q");
    for (int i = 0; i < plan.joins().size(); i++) {
      sql.append(" LEFT JOIN ").append(fetched(i)).append(" f").append(i)
          .append(" ON f").append(i).append(".").append(ROW).append(" = q.rowid");
    }
    if (extraJoin != null) {
      sql.append(extraJoin);
    }
    return sql.append(" ORDER BY q.rowid").toString();
  }

  /** The tables a SQL query reads, as views named after the sources. */
  static List<String> tableViews(List<FileSource> tables, Path repoRoot) {
    List<String> out = new ArrayList<>();
    for (FileSource t : tables) {
      out.add("CREATE OR REPLACE TEMP VIEW " + id(t.name()) + " AS SELECT * FROM " + Scans.scan(t, repoRoot));
    }
    return out;
  }

  /** The query rows as a relation: a file scan, or the user's SQL in parentheses. */
  static String queryRelation(QueryInput query, Path base) {
    return switch (query) {
      case QueryInput.Files f -> Scans.scan(SourceFiles.resolve("query rows", f.path(), f.format(), base), f.format(), "");
      case QueryInput.Sql s -> "(" + s.sql() + ")";
    };
  }

  private void render() {
    setup.add("SET TimeZone = 'UTC'");
    if (plan.query() instanceof QueryInput.Sql) {
      setup.addAll(tableViews(plan.tables(), repoRoot));
    }
    // A table keeps insertion order, so its rowid is the query rows' input order.
    setup.add("CREATE OR REPLACE TEMP TABLE " + QUERY + " AS SELECT * FROM " + queryRelation(plan.query(), Path.of("")));
    for (int i = 0; i < plan.joins().size(); i++) {
      join(i, plan.joins().get(i));
    }
  }

  private void join(int i, ViewJoin join) {
    SourceScan scan = new SourceScan(join.source(), repoRoot, "__quiver_source_" + i);
    if (scan.staging != null) {
      setup.add(scan.staging);
    }
    StringBuilder keysQ = new StringBuilder();
    StringBuilder keysS = new StringBuilder();
    StringBuilder on = new StringBuilder();
    StringBuilder notNull = new StringBuilder(scan.eventColumn).append(" IS NOT NULL");
    for (int k = 0; k < join.keys().size(); k++) {
      KeyBinding key = join.keys().get(k);
      keysQ.append(", ").append(joinable(key, id(key.queryColumn()))).append(" AS __quiver_k").append(k);
      keysS.append(joinable(key, id(key.sourceColumn()))).append(" AS __quiver_k").append(k).append(", ");
      on.append("q.__quiver_k").append(k).append(" = j.__quiver_k").append(k).append(" AND ");
      notNull.append(" AND ").append(id(key.sourceColumn())).append(" IS NOT NULL");
    }
    // A null t must match nothing, but the ASOF join compares structs, where {'t': NULL, ...} sorts
    // after every source row: drop such a match here.
    String ttl = "q." + T + " IS NOT NULL" + (join.ttl() == null ? ""
        : " AND j." + ORDER + ".t >= q." + T + " - INTERVAL '" + (join.ttl().toNanos() / 1000) + " microseconds'");
    setup.add("CREATE OR REPLACE TEMP TABLE " + matched(i) + " AS SELECT q.rowid AS " + ROW
        + ", CASE WHEN " + ttl + " THEN j." + ORDER + " END AS " + ORDER
        + " FROM (SELECT rowid, CAST(" + id(plan.timestampColumn()) + " AS TIMESTAMP) AS " + T + keysQ + " FROM " + QUERY + ") q"
        + " ASOF LEFT JOIN (SELECT " + keysS + scan.rowOrder() + " AS " + ORDER + " FROM " + scan.relation + " WHERE " + notNull + ") j"
        + " ON " + on + scan.upperBound("q." + T) + " >= j." + ORDER);

    StringBuilder values = new StringBuilder();
    for (int f = 0; f < join.features().size(); f++) {
      String column = switch (join.features().get(f)) {
        case LatestValue v -> v.sourceColumn();
        case PointInTimePlan.WindowAggregate w -> throw new IllegalStateException(
            "window aggregates are computed by WindowAggregateSql, not by PlanSql");
      };
      values.append(", s.").append(id(column)).append(" AS ").append(value(i, f));
    }
    setup.add("CREATE OR REPLACE TEMP TABLE " + fetched(i) + " AS SELECT m." + ROW + values
        + " FROM " + matched(i) + " m JOIN " + scan.relation + " s ON " + scan.matches(ORDER));
  }

  /**
   * A key column as the ASOF join compares it. Bytes keys are compared as hex text: DuckDB 2.0.0's
   * ASOF join misses matches when a BLOB key follows a negative BIGINT key and the ordering key is a
   * struct (as ours is); {@code hex} is injective and keeps nulls null.
   */
  private static String joinable(KeyBinding key, String column) {
    return key.type() == ScalarType.BYTES ? "hex(" + column + ")" : column;
  }

  private static String matched(int i) {
    return "__quiver_match_" + i;
  }

  private static String fetched(int i) {
    return "__quiver_values_" + i;
  }

  private static String value(int join, int feature) {
    return "__quiver_v" + join + "_" + feature;
  }
}
