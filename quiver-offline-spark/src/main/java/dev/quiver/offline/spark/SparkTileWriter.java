package dev.quiver.offline.spark;

import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreOpener;
import dev.quiver.core.online.TileRowsJob;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * Window-aggregate tile rows rebuilt and written by the executors ({@link
 * dev.quiver.core.offline.TileRowsWriter}): the job's scan is read by Spark, hash-partitioned by the
 * keys (every row of a key in one task) and sorted by keys and the tie order ({@link
 * SparkLatestRows#byKey}); each task opens the online store itself ({@link OnlineStoreOpener}) and
 * feeds its rows to the core's {@link TileRowsJob.Part}, which folds each key's rows into its tile row
 * and swaps it in with the merge and compare-and-set rules of the driver path. Tile rows written and
 * left to concurrent online writers come back in accumulators (counted once per successful task);
 * the call returns when every task has finished.
 */
final class SparkTileWriter {
  private SparkTileWriter() {}

  static TileRowsJob.Counts write(SparkSession spark, SparkLatestRows rows, TileRowsJob job, OnlineStoreOpener opener,
      String table, LatestRowsWriter.Progress progress) {
    var context = spark.sparkContext();
    LongAccumulator written = context.longAccumulator("quiver " + rows.plan().view() + " tile rows written");
    LongAccumulator skipped = context.longAccumulator("quiver " + rows.plan().view() + " tile rows skipped");
    JavaFutureAction<Void> running;
    try {
      Dataset<Row> byKey = rows.byKey(job.positions());
      List<ValueType> types = new ArrayList<>();
      for (PointInTimePlan.Column c : rows.sortedColumns(byKey, job.positions())) {
        types.add(c.type());
      }
      running = byKey.toJavaRDD().foreachPartitionAsync(task(job, types, opener, table, written, skipped));
    } catch (RuntimeException e) {
      throw rows.failure(e);
    }
    SparkOnlineWriter.await(running, rows, opener, () -> progress.update(0, written.value()));
    return new TileRowsJob.Counts(written.value(), skipped.value());
  }

  /** What each task runs: a static method, so the function captures only what it needs (all serializable). */
  private static VoidFunction<Iterator<Row>> task(TileRowsJob job, List<ValueType> types, OnlineStoreOpener opener,
      String table, LongAccumulator written, LongAccumulator skipped) {
    return partition -> {
      if (!partition.hasNext()) {
        return;
      }
      try (OnlineStore store = opener.open()) {
        TileRowsJob.Part part = job.part(types, store, table);
        while (partition.hasNext()) {
          Row r = partition.next();
          Object[] values = new Object[r.length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = SparkValues.toJava(r.get(i));
          }
          part.add(values);
        }
        TileRowsJob.Counts done = part.finish();
        written.add(done.keysWritten());
        skipped.add(done.keysSkipped());
      }
    };
  }
}
