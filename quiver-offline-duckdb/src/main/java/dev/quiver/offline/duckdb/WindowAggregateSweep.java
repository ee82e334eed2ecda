package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.RowFilter;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.offline.sweep.JoinSweep;
import dev.quiver.core.spi.SourceColumn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One view join's window aggregates for every query row, by a sorted sweep: DuckDB numbers the
 * query's distinct keys, sorts the query rows by (key, t) and the source rows of those keys by
 * (key, event_ts, tie order) and streams them; the core {@link JoinSweep#run} walks both per key,
 * feeding a {@link dev.quiver.core.aggregate.WindowSweep} per aggregate (rows with {@code event_ts < t}
 * before the value at t), and the values are appended with their query positions to a table. Memory: the query rows' (key, position, t) and one key's tiles; the source
 * rows stream. Query rows with a null key or a null t get no row in the table; {@code
 * WindowAggregateSql} gives them an empty window ({@code PointInTimeRules.emptyWindow}).
 */
final class WindowAggregateSweep {
  static final String ROW = "__quiver_row";
  private static final String KEYS = "__quiver_agg_keys";
  private static final String KID = "__quiver_kid";

  private final PointInTimePlan plan;
  private final ViewJoin join;
  private final List<WindowAggregate> features;
  private final Path repoRoot;
  private final String table;

  WindowAggregateSweep(PointInTimePlan plan, ViewJoin join, List<WindowAggregate> features, Path repoRoot, String table) {
    this.plan = plan;
    this.join = join;
    this.features = features;
    this.repoRoot = repoRoot;
    this.table = table;
  }

  static String value(int feature) {
    return "__quiver_a" + feature;
  }

  void run(Connection c) throws SQLException {
    SourceScan scan = new SourceScan(join.source(), repoRoot, "__quiver_agg_source");
    try (Statement s = c.createStatement()) {
      if (scan.staging != null) {
        s.execute(scan.staging);
      }
      FiniteTimes.requireFinite(c, scan);
      StringBuilder keyCols = new StringBuilder();
      StringBuilder notNull = new StringBuilder();
      StringBuilder queryOn = new StringBuilder();
      StringBuilder sourceOn = new StringBuilder();
      for (int k = 0; k < join.keys().size(); k++) {
        KeyBinding key = join.keys().get(k);
        String kq = id(key.queryColumn());
        keyCols.append(k == 0 ? "" : ", ").append(kq).append(" AS __quiver_k").append(k);
        notNull.append(k == 0 ? "" : " AND ").append(kq).append(" IS NOT NULL");
        queryOn.append(k == 0 ? "" : " AND ").append("q.").append(kq).append(" = k.__quiver_k").append(k);
        sourceOn.append(k == 0 ? "" : " AND ").append("s.").append(id(key.sourceColumn())).append(" = k.__quiver_k").append(k);
      }
      s.execute("CREATE OR REPLACE TEMP TABLE " + KEYS + " AS SELECT row_number() OVER () AS " + KID + ", *"
          + " FROM (SELECT DISTINCT " + keyCols + " FROM " + WindowAggregateSql.QUERY + " WHERE " + notNull + ")");
    }
    Queries queries = queries(c, join.keys().isEmpty() ? "" : " JOIN " + KEYS + " k ON " + queryOnClause(join));
    Map<String, ValueType> columnTypes = columnTypes(c, scan);
    JoinSweep joinSweep = new JoinSweep(new ViewJoin(join.view(), join.source(), join.keys(), join.ttl(),
        new ArrayList<PlannedFeature>(features)), columnTypes::get);
    List<String> columns = joinSweep.sourceColumns();
    ValueType[] resultTypes = new ValueType[features.size()];
    for (int f = 0; f < features.size(); f++) {
      WindowAggregate w = features.get(f);
      resultTypes[f] = w.aggregation().function().resultType(w.sourceColumn() == null ? null : columnTypes.get(w.sourceColumn()));
    }
    Object[][] results = new Object[features.size()][queries.size];

    StringBuilder select = new StringBuilder("SELECT k.").append(KID).append(", epoch_us(").append(scan.event()).append(") AS __quiver_e, ")
        .append(scan.createdColumn == null ? "NULL::BIGINT" : "epoch_us(" + scan.created() + ")").append(" AS __quiver_c");
    List<Column> valueColumns = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      select.append(", s.").append(id(columns.get(i))).append(" AS ").append(id("__quiver_v" + i));
      valueColumns.add(new Column("__quiver_v" + i, columnTypes.get(columns.get(i))));
    }
    select.append(" FROM ").append(scan.relation).append(" s JOIN ").append(KEYS).append(" k ON ").append(sourceOn(join))
        .append(" WHERE ").append(scan.eventColumn).append(" IS NOT NULL ORDER BY k.").append(KID).append(", __quiver_e")
        // rows of equal times in their tie order (DESIGN §3): first, last and last_k take the later added as later
        .append(", __quiver_c NULLS FIRST, ").append(scan.tieOrder("s."));
    List<Column> all = new ArrayList<>(List.of(new Column(KID, ScalarType.INT64), new Column("__quiver_e", ScalarType.INT64),
        new Column("__quiver_c", ScalarType.INT64)));
    all.addAll(valueColumns);

    try (Statement s = c.createStatement()) {
      s.setFetchSize(4096);
      try (ResultSet rs = s.executeQuery(DuckDbRows.wrap(c, select.toString(), all));
          SourceCursor rows = new SourceCursor(rs, valueColumns)) {
        joinSweep.run(rows, queries.kid, queries.t, queries.size, (values, i) -> {
          for (int f = 0; f < values.length; f++) {
            results[f][i] = values[f];
          }
        });
      }
    }
    write(c, queries, resultTypes, results);
  }

  private String queryOnClause(ViewJoin j) {
    StringBuilder on = new StringBuilder();
    for (int k = 0; k < j.keys().size(); k++) {
      on.append(k == 0 ? "" : " AND ").append("q.").append(id(j.keys().get(k).queryColumn())).append(" = k.__quiver_k").append(k);
    }
    return on.toString();
  }

  private static String sourceOn(ViewJoin j) {
    StringBuilder on = new StringBuilder();
    for (int k = 0; k < j.keys().size(); k++) {
      on.append(k == 0 ? "" : " AND ").append("s.").append(id(j.keys().get(k).sourceColumn())).append(" = k.__quiver_k").append(k);
    }
    return on.toString();
  }

  /** The query rows with a key and a time, sorted by (key id, t). */
  private static final class Queries {
    long[] kid = new long[1024];
    long[] position = new long[1024];
    long[] t = new long[1024];
    int size;

    void add(long k, long p, long time) {
      if (size == kid.length) {
        kid = java.util.Arrays.copyOf(kid, size * 2);
        position = java.util.Arrays.copyOf(position, size * 2);
        t = java.util.Arrays.copyOf(t, size * 2);
      }
      kid[size] = k;
      position[size] = p;
      t[size++] = time;
    }
  }

  private Queries queries(Connection c, String joinKeys) throws SQLException {
    Queries q = new Queries();
    String ts = "CAST(q." + id(plan.timestampColumn()) + " AS TIMESTAMP)";
    String sql = "SELECT k." + KID + ", q.rowid, epoch_us(" + ts + ") AS __quiver_t FROM " + WindowAggregateSql.QUERY + " q"
        + joinKeys + " WHERE " + ts + " IS NOT NULL ORDER BY k." + KID + ", __quiver_t";
    try (Statement s = c.createStatement()) {
      s.setFetchSize(4096);
      try (ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          q.add(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
      }
    }
    return q;
  }

  /** The source columns the aggregates read, with their Quiver types from the source's schema. */
  private Map<String, ValueType> columnTypes(Connection c, SourceScan scan) throws SQLException {
    Map<String, SourceColumn> schema = new LinkedHashMap<>();
    DuckDbSchemaReader.describe(c, scan.relation).forEach(col -> schema.put(col.name(), col));
    Map<String, ValueType> out = new LinkedHashMap<>();
    List<String> needed = new ArrayList<>();
    for (WindowAggregate w : features) {
      if (w.sourceColumn() != null) {
        needed.add(w.sourceColumn());
      }
      if (w.aggregation().where() != null) {
        RowFilter.columns(w.aggregation().where()).forEach(name -> needed.add(join.source().rawColumn(name)));
      }
    }
    for (String name : needed) {
      if (out.containsKey(name)) {
        continue;
      }
      SourceColumn col = schema.get(name);
      if (col == null || col.type() == null) {
        throw new QuiverException(join.view() + "'s window aggregates read column '" + name + "' of source '"
            + join.source().name() + "', which the source's files " + (col == null ? "do not have" : "hold as " + col.nativeType()
            + ", a type Quiver cannot read") + "; fix the source or the definition and apply again");
      }
      out.put(name, col.type());
    }
    return out;
  }

  private void write(Connection c, Queries q, ValueType[] resultTypes, Object[][] results) throws SQLException {
    StringBuilder create = new StringBuilder("CREATE OR REPLACE TEMP TABLE ").append(table).append(" (").append(ROW).append(" BIGINT");
    for (int f = 0; f < resultTypes.length; f++) {
      create.append(", ").append(value(f)).append(' ').append(DuckDbValues.type(resultTypes[f]));
    }
    try (Statement s = c.createStatement()) {
      s.execute(create.append(')').toString());
    }
    try (DuckDBAppender appender = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
      for (int i = 0; i < q.size; i++) {
        appender.beginRow();
        appender.append(q.position[i]);
        for (Object[] column : results) {
          DuckDbValues.append(appender, column[i]);
        }
        appender.endRow();
      }
    }
  }
}
