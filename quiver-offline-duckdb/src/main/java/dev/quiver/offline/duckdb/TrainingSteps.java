package dev.quiver.offline.duckdb;

import dev.quiver.core.offline.PointInTimePlan;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a training set ({@link DuckDbOfflineEngine}): the plan's, then for derived features
 * the Java step that computes them with the core evaluator and the select that joins them back in
 * query order.
 */
final class TrainingSteps {
  private TrainingSteps() {}

  /**
   * The steps of a training set: the plan's, then for derived features the Java step that computes
   * them and replaces {@code select[0]} with the select that joins them back (in query order).
   */
  static List<Step> trainingSteps(PointInTimePlan plan, TrainingSql sql, String[] select) {
    List<Step> steps = new ArrayList<>(sql.steps());
    if (plan.derivation() != null) {
      steps.add(new Step.Java("derived features: the core evaluator computes them from each base row", (c, done) -> {
        if (sql instanceof PlanSql p) {
          select[0] = p.derivedSelect(DerivationStep.run(c, p, plan, done));
        } else {
          // derived features over aggregates: the base rows into a table, the evaluator over them, a join back
          String base = "__quiver_base";
          try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE TEMP TABLE " + base + " AS " + ((WindowAggregateSql) sql).selectWithPosition());
          }
          select[0] = derivedOver(plan, base, DerivationStep.runOver(c, base, plan, done));
        }
      }));
    }
    return steps;
  }

  /** The training set from the base table and the derived values, in query order. */
  static String derivedOver(PointInTimePlan plan, String base, String derived) {
    List<Integer> outputs = plan.derivation().derivedOutputs();
    StringBuilder sql = new StringBuilder("SELECT ");
    String sep = "";
    for (PointInTimePlan.Column c : plan.queryColumns()) {
      sql.append(sep).append("b.").append(Scans.id(c.name()));
      sep = ", ";
    }
    for (int i = 0; i < plan.outputs().size(); i++) {
      int k = outputs.indexOf(i);
      String name = plan.outputs().get(i).name();
      sql.append(sep).append(k >= 0 ? "d." + PlanSql.derivedColumn(k) : "b." + Scans.id(name)).append(" AS ").append(Scans.id(name));
      sep = ", ";
    }
    return sql.append(" FROM ").append(base).append(" b LEFT JOIN ").append(derived).append(" d ON d.").append(PlanSql.ROW)
        .append(" = b.").append(WindowAggregateSql.POSITION).append(" ORDER BY b.").append(WindowAggregateSql.POSITION).toString();
  }
}
