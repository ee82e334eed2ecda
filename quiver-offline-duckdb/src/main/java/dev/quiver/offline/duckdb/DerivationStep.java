package dev.quiver.offline.duckdb;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.Derivation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import java.util.function.UnaryOperator;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The Java step of a training set with derived features, inside a DuckDB write: streams the
 * derivation's inputs (and the row id) from the staged joins, computes the derived values with the
 * core evaluator ({@link Derivation#evaluator()}, the code online serving runs), and appends them to
 * {@value #TABLE}, which {@link PlanSql#derivedSelect} joins back. Query columns never pass through
 * Java, so they keep their exact DuckDB types.
 */
final class DerivationStep {
  static final String TABLE = "__quiver_derived";

  private DerivationStep() {}

  /**
   * Fills {@value #TABLE} on {@code c}, whose setup statements have run.
   *
   * @param progress receives the fraction of query rows done (0 to 1)
   * @return the table's name, for {@link PlanSql#derivedSelect}
   */
  static String run(Connection c, PlanSql sql, PointInTimePlan plan, DoubleConsumer progress) throws SQLException {
    return run(c, sql.derivationInputs(), "SELECT count(*) FROM " + PlanSql.QUERY, plan, progress);
  }

  /**
   * For a plan with window aggregates, whose base rows are already in {@code base} (a table with
   * {@value WindowAggregateSql#POSITION} and every base column by name): fills {@value #TABLE} keyed by
   * that position.
   */
  static String runOver(Connection c, String base, PointInTimePlan plan, DoubleConsumer progress) throws SQLException {
    StringBuilder inputs = new StringBuilder("SELECT ").append(WindowAggregateSql.POSITION).append(" AS ").append(PlanSql.ROW);
    int k = 0;
    for (String name : plan.derivation().inputColumns()) {
      inputs.append(", ").append(Scans.id(name)).append(" AS ").append(PlanSql.inputColumn(k++));
    }
    inputs.append(" FROM ").append(base);
    return run(c, inputs.toString(), "SELECT count(*) FROM " + base, plan, progress);
  }

  private static String run(Connection c, String inputsSql, String countSql, PointInTimePlan plan, DoubleConsumer progress)
      throws SQLException {
    Derivation d = plan.derivation();
    List<Integer> derived = d.derivedOutputs();
    StringBuilder create = new StringBuilder("CREATE OR REPLACE TABLE main.").append(TABLE).append(" (")
        .append(PlanSql.ROW).append(" BIGINT");
    for (int k = 0; k < derived.size(); k++) {
      create.append(", ").append(PlanSql.derivedColumn(k)).append(' ')
          .append(DuckDbValues.type(plan.outputs().get(derived.get(k)).type()));
    }
    long total;
    try (Statement s = c.createStatement()) {
      s.execute(create.append(')').toString());
      try (ResultSet r = s.executeQuery(countSql)) {
        r.next();
        total = Math.max(1, r.getLong(1));
      }
    }
    List<Column> inputs = inputColumns(plan);
    UnaryOperator<Object[]> evaluate = d.evaluator();
    // A second connection to the same database appends while the first streams: one connection
    // cannot run its appender while a streaming result is open.
    try (Connection writer = c.unwrap(DuckDBConnection.class).duplicate();
        DuckDBAppender appender = writer.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, TABLE);
        Statement s = c.createStatement()) {
      s.setFetchSize(2048);
      try (ResultSet rs = s.executeQuery(DuckDbRows.wrap(c, inputsSql, inputs))) {
        Object[] row = new Object[inputs.size() - 1];
        long done = 0;
        while (rs.next()) {
          for (int i = 0; i < row.length; i++) {
            row[i] = DuckDbRows.value(rs, i + 2, inputs.get(i + 1).type());
          }
          Object[] values = evaluate.apply(row);
          appender.beginRow();
          appender.append(rs.getLong(1));
          for (Object v : values) {
            DuckDbValues.append(appender, v);
          }
          appender.endRow();
          if ((++done & 0xFFFF) == 0) {
            progress.accept((double) done / total);
          }
        }
      }
    }
    progress.accept(1);
    return TABLE;
  }

  /** The columns of {@link PlanSql#derivationInputs()} with the types values are read as. */
  private static List<Column> inputColumns(PointInTimePlan plan) {
    Map<String, ValueType> types = new HashMap<>();
    plan.baseColumns().forEach(col -> types.put(col.name(), col.type()));
    List<Column> out = new ArrayList<>();
    out.add(new Column(PlanSql.ROW, ScalarType.INT64));
    int k = 0;
    for (String name : plan.derivation().inputColumns()) {
      out.add(new Column(PlanSql.inputColumn(k++), types.get(name)));
    }
    return out;
  }
}
