package dev.quiver.offline.duckdb;

import dev.quiver.core.offline.PointInTimePlan;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the engine runs for a training set: setup statements, then a step in Java on the same
 * connection (window aggregates), then one {@code SELECT} whose rows are the training set in query
 * order. Plans without window aggregates are {@link PlanSql} alone.
 */
interface TrainingSql {
  List<String> setup();

  /** Runs after {@link #setup()} and before {@link #select()}. */
  void prepare(Connection connection) throws SQLException;

  String select();

  /** For {@code explain}: what {@link #prepare} does, as SQL comments; empty when nothing. */
  String describePrepare();

  static TrainingSql of(PointInTimePlan plan, Path repoRoot) {
    if (WindowAggregateSql.hasAggregates(plan)) {
      return new WindowAggregateSql(plan, repoRoot);
    }
    PlanSql sql = new PlanSql(plan, repoRoot);
    return new TrainingSql() {
      @Override public List<String> setup() {
        return sql.setup();
      }

      @Override public void prepare(Connection connection) {
        // nothing beyond SQL
      }

      @Override public String select() {
        return sql.select();
      }

      @Override public String describePrepare() {
        return "";
      }
    };
  }
}
