package dev.quiver.offline.spark;

import dev.quiver.core.offline.PointInTimePlan;
import java.util.Iterator;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The last step on the executors: a query row joined with each view join's features becomes its
 * training-set row. Joins without a match (a null key or a null time) give their {@code
 * JoinSweep#emptyValues()}; derived and on-demand features are computed by the core evaluator
 * ({@link PointInTimePlan#deriver()}), the one the online path runs.
 *
 * <p>Input rows: the query columns, the query id, then per join a marker (null when the join had no
 * row for the query) and its features. Output rows: {@link PointInTimePlan#columns()}, then the id.
 */
final class FinishPartition implements MapPartitionsFunction<Row, Row> {
  private final PointInTimePlan plan;
  private final int queryWidth;
  /** Per base column after the query columns ({@link PointInTimePlan#baseColumns()}): the join and the feature. */
  private final int[] baseJoin;
  private final int[] baseFeature;
  /** Per join: where its marker is in the input row. */
  private final int[] markerAt;
  /** Per join: its features for a query row it does not match. */
  private final Object[][] empty;

  FinishPartition(PointInTimePlan plan, int[] baseJoin, int[] baseFeature, int[] markerAt, Object[][] empty) {
    this.plan = plan;
    this.queryWidth = plan.queryColumns().size();
    this.baseJoin = baseJoin;
    this.baseFeature = baseFeature;
    this.markerAt = markerAt;
    this.empty = empty;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    UnaryOperator<Object[]> deriver = plan.deriver();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row r = rows.next();
        Object[] base = new Object[queryWidth + baseJoin.length];
        for (int i = 0; i < queryWidth; i++) {
          base[i] = SparkValues.toJava(r.get(i));
        }
        for (int c = 0; c < baseJoin.length; c++) {
          int j = baseJoin[c];
          base[queryWidth + c] = r.isNullAt(markerAt[j]) ? empty[j][baseFeature[c]]
              : SparkValues.toJava(r.get(markerAt[j] + 1 + baseFeature[c]));
        }
        Object[] row = deriver.apply(base);
        Object[] out = new Object[row.length + 1];
        for (int i = 0; i < row.length; i++) {
          out[i] = SparkValues.toSpark(row[i]);
        }
        out[row.length] = r.getLong(queryWidth);
        return RowFactory.create(out);
      }
    };
  }
}
