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
import java.util.List;

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
  private static final String ROW = "__quiver_row";
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

  /** The training set, in query order. */
  String select() {
    StringBuilder sql = new StringBuilder("SELECT q.*");
    for (int i = 0; i < plan.joins().size(); i++) {
      List<PlannedFeature> features = plan.joins().get(i).features();
      for (int f = 0; f < features.size(); f++) {
        sql.append(", f").append(i).append(".").append(value(i, f)).append(" AS ").append(id(features.get(f).outputName()));
      }
    }
    sql.append(" FROM ").append(QUERY).append(" q");
    for (int i = 0; i < plan.joins().size(); i++) {
      sql.append(" LEFT JOIN ").append(fetched(i)).append(" f").append(i)
          .append(" ON f").append(i).append(".").append(ROW).append(" = q.rowid");
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
