package dev.quiver.offline.duckdb;

import dev.quiver.core.offline.PointInTimePlan;
import java.nio.file.Path;
import java.util.List;

/**
 * What the engine runs for a training set: {@link Step}s (SQL statements and Java work such as
 * matching rows or sweeping window aggregates) on one connection, then one {@code SELECT} whose rows
 * are the training set's base rows in query order. Plans without window aggregates are {@link
 * PlanSql} alone.
 */
interface TrainingSql {
  List<Step> steps();

  String select();

  static TrainingSql of(PointInTimePlan plan, Path repoRoot) {
    if (WindowAggregateSql.hasAggregates(plan)) {
      return new WindowAggregateSql(plan, repoRoot);
    }
    return new PlanSql(plan, repoRoot);
  }
}
