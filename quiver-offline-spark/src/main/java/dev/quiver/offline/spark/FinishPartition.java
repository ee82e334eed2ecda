package dev.quiver.offline.spark;

import dev.quiver.core.offline.PointInTimePlan;
import java.util.Iterator;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The last step on the executors: a query row with each view join's features becomes its
 * training-set row, its derived and on-demand features computed by the core evaluator ({@link
 * PointInTimePlan#deriver()}), the one the online path runs.
 *
 * <p>Input rows: the query columns, the query id, then each join's features in join order. Output
 * rows: {@link PointInTimePlan#columns()}, then the id.
 */
final class FinishPartition implements MapPartitionsFunction<Row, Row> {
  private final PointInTimePlan plan;
  private final int queryWidth;
  /** Per base column after the query columns ({@link PointInTimePlan#baseColumns()}): the join and the feature. */
  private final int[] baseJoin;
  private final int[] baseFeature;
  /** Per join: where its first feature is in the input row. */
  private final int[] joinAt;

  FinishPartition(PointInTimePlan plan, int[] baseJoin, int[] baseFeature, int[] joinAt) {
    this.plan = plan;
    this.queryWidth = plan.queryColumns().size();
    this.baseJoin = baseJoin;
    this.baseFeature = baseFeature;
    this.joinAt = joinAt;
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
          base[queryWidth + c] = SparkValues.toJava(r.get(joinAt[baseJoin[c]] + baseFeature[c]));
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
