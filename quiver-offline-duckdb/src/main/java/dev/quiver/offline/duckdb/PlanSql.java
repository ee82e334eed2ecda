package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceFiles;
import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a {@link PointInTimePlan} for DuckDB: setup {@link Step}s that stage intermediate tables,
 * then one final {@code SELECT} whose rows are the training set in query order.
 *
 * <p>The view joins reading one source are matched together by a {@link LatestRowMatch} (a Java
 * step: one scan of the source, no sort), which gives per join and query row the position of the
 * source row with the same keys and the greatest {@code (event_ts, created_ts, position)} not after
 * t, within the TTL: exactly the plan's "latest row at or before t, ties broken by created time,
 * then by position in the source" (files in path order, rows in file order). A hash join on that
 * position then fetches the join's feature columns. Parquet rows are addressed by {@code
 * (file_index, file_row_number)}; CSV sources are staged into a table first and addressed by the
 * row number staged with them ({@link SourceScan#STAGED_POSITION}).
 */
final class PlanSql implements TrainingSql {
  static final String QUERY = "__quiver_query";
  static final String ROW = "__quiver_row";
  private static final String POSITION = "__quiver_p";

  private final PointInTimePlan plan;
  private final Path repoRoot;
  private final List<Step> setup = new ArrayList<>();
  /** Join index → its source group. */
  private final Map<Integer, Integer> groupOf = new HashMap<>();

  PlanSql(PointInTimePlan plan, Path repoRoot) {
    this.plan = plan;
    this.repoRoot = repoRoot;
    render();
  }

  /** Steps to run, in order, before {@link #select()}. */
  @Override
  public List<Step> steps() {
    return setup;
  }

  /** The plan's base result ({@link PointInTimePlan#baseColumns()}), in query order. */
  @Override
  public String select() {
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
      for (PlannedFeature f : plan.joins().get(i).features()) {
        if (f instanceof LatestValue v) {
          byName.put(f.outputName(), "v" + i + "." + id(v.sourceColumn()));
        }
      }
    }
    return byName;
  }

  /**
   * {@code SELECT columns} over the query rows, each source group's picks beside them (positional:
   * both are in query order), and each join's picked row from its group's values, in query order.
   */
  private String from(CharSequence columns, String extraJoin) {
    StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM ").append(QUERY).append(" q");
    int groups = (int) groupOf.values().stream().distinct().count();
    for (int g = 0; g < groups; g++) {
      sql.append(" POSITIONAL JOIN ").append(picks(g)).append(" k").append(g);
    }
    for (int i = 0; i < plan.joins().size(); i++) {
      int g = groupOf.get(i);
      sql.append(" LEFT JOIN ").append(values(g)).append(" v").append(i).append(" ON v").append(i).append(".").append(POSITION)
          .append(" = k").append(g).append(".").append(pick(i));
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

  /**
   * The query rows as a relation: a file scan, or the SQL (checked to be one SELECT) in
   * parentheses; for SQL, {@code views} receives the views of the sources it names.
   */
  static String queryRelation(QueryInput query, List<FileSource> tables, Path repoRoot, List<String> views) {
    return switch (query) {
      case QueryInput.Files f -> Scans.scan(SourceFiles.resolve("query rows", f.path(), f.format(), Path.of("")), f.format(), "");
      case QueryInput.Sql s -> {
        QuerySql.Checked checked = QuerySql.check(s.sql());
        views.addAll(tableViews(checked.read(tables), repoRoot));
        yield checked.relation();
      }
    };
  }

  private void render() {
    setup.add(new Step.Sql("SET TimeZone = 'UTC'"));
    List<String> views = new ArrayList<>();
    String relation = queryRelation(plan.query(), plan.tables(), repoRoot, views);
    views.forEach(v -> setup.add(new Step.Sql(v)));
    // A table keeps insertion order, so its rowid is the query rows' input order.
    setup.add(new Step.Sql("CREATE OR REPLACE TEMP TABLE " + QUERY + " AS SELECT * FROM " + relation));
    setup.add(QueryTimes.step(QUERY));
    setup.add(FiniteTimes.queryStep(QUERY, plan.timestampColumn()));
    // the joins reading one source are matched by one scan of it, and fetched by another
    Map<FileSource, List<Integer>> bySource = new LinkedHashMap<>();
    for (int i = 0; i < plan.joins().size(); i++) {
      bySource.computeIfAbsent(plan.joins().get(i).source(), s -> new ArrayList<>()).add(i);
    }
    int g = 0;
    for (List<Integer> group : bySource.values()) {
      SourceScan scan = new SourceScan(plan.joins().get(group.get(0)).source(), repoRoot, "__quiver_source_" + group.get(0));
      if (scan.staging != null) {
        setup.add(new Step.Sql(scan.staging));
      }
      setup.add(FiniteTimes.sourceStep(scan));
      String picks = picks(g);
      List<String> columns = group.stream().map(PlanSql::pick).toList();
      LatestRowMatch match = new LatestRowMatch(QUERY, plan.timestampColumn(), scan, group.stream().map(plan.joins()::get).toList());
      setup.add(new Step.Java(match.describe(picks, columns), (c, progress) -> match.run(c, picks, columns, progress)));
      setup.add(new Step.Sql(fetch(g, group, scan)));
      for (int i : group) {
        groupOf.put(i, g);
      }
      g++;
    }
  }

  /**
   * The rows {@link LatestRowMatch} picked for a source's joins, each once: their position and every
   * feature column those joins read, by name.
   */
  private String fetch(int g, List<Integer> group, SourceScan scan) {
    Set<String> columns = new LinkedHashSet<>();
    StringBuilder picked = new StringBuilder();
    for (int i : group) {
      for (PlannedFeature f : plan.joins().get(i).features()) {
        columns.add(switch (f) {
          case LatestValue v -> v.sourceColumn();
          case PointInTimePlan.WindowAggregate w -> throw new IllegalStateException(
              "window aggregates are computed by WindowAggregateSql, not by PlanSql");
        });
      }
      picked.append(picked.isEmpty() ? "" : " UNION ALL ").append("SELECT ").append(pick(i)).append(" AS p FROM ")
          .append(picks(g)).append(" WHERE ").append(pick(i)).append(" IS NOT NULL");
    }
    StringBuilder values = new StringBuilder();
    columns.forEach(column -> values.append(", s.").append(id(column)));
    String position = scan.positionKey("s.");
    return "CREATE OR REPLACE TEMP TABLE " + values(g) + " AS SELECT " + position + " AS " + POSITION + values
        + " FROM " + scan.relation + " s SEMI JOIN (" + picked + ") n ON n.p = " + position;
  }

  /** Per source group: the picked position of each of its joins, one row per query row in query order. */
  private static String picks(int group) {
    return "__quiver_picks_" + group;
  }

  /** The column of {@link #picks} holding join {@code i}'s picked position (null: no row). */
  private static String pick(int join) {
    return "__quiver_p" + join;
  }

  private static String values(int group) {
    return "__quiver_values_" + group;
  }
}
