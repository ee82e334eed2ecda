package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.online.LatestRowEncoder;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreOpener;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * Distributed materialization ({@link LatestRowsWriter}): the executors compute the latest row per
 * key ({@link SparkLatestRows#latest()}), and each task opens the online store itself ({@link
 * OnlineStoreOpener}) and writes its keys' rows in batches of {@link Materializer#BATCH} with {@link
 * OnlineStore#multiPutIfNewer} (or {@code multiPutIfNotOlder} for a refill), encoded by the {@link
 * LatestRowEncoder} the driver path uses. Rows read, rows written and the newest event time come back
 * in accumulators, which Spark counts once per successful task; the driver reports them while the job
 * runs and returns when every task has finished, so the caller moves the watermark only then.
 */
final class SparkOnlineWriter {
  private static final long POLL_MILLIS = 500;

  private SparkOnlineWriter() {}

  static LatestRowsWriter.Written write(SparkSession spark, SparkLatestRows rows, OnlineStoreOpener opener, String table,
      boolean replaceEqual, LatestRowsWriter.Progress progress) {
    var context = spark.sparkContext();
    LongAccumulator read = context.longAccumulator("quiver " + rows.plan().view() + " rows read");
    LongAccumulator written = context.longAccumulator("quiver " + rows.plan().view() + " rows written");
    MaxAccumulator newest = new MaxAccumulator();
    context.register(newest, "quiver " + rows.plan().view() + " newest event");
    VoidFunction<Iterator<Row>> task = writeTask(new LatestRowEncoder(rows.plan()), opener, table, replaceEqual, read, written,
        newest);
    JavaFutureAction<Void> job;
    try {
      job = rows.latest().toJavaRDD().foreachPartitionAsync(task);
    } catch (RuntimeException e) {
      throw rows.failure(e);
    }
    await(job, rows, opener, () -> progress.update(read.value(), written.value()));
    long max = newest.value();
    return new LatestRowsWriter.Written(read.value(), written.value(),
        max == Long.MIN_VALUE ? null : Timestamps.ofMicros(max));
  }

  /**
   * Waits for a job of tasks writing into the store, calling {@code tick} every {@value #POLL_MILLIS} ms
   * while it runs; returns when every task has finished. Interrupted, it cancels the job.
   */
  static void await(JavaFutureAction<Void> job, SparkLatestRows rows, OnlineStoreOpener opener, Runnable tick) {
    while (true) {
      try {
        job.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException running) {
        tick.run();
      } catch (InterruptedException e) {
        job.cancel(true);
        Thread.currentThread().interrupt();
        throw new QuiverException("materialization of " + rows.plan().view() + " was interrupted; its Spark job was cancelled");
      } catch (ExecutionException e) {
        throw failure(rows, opener, e.getCause() == null ? e : e.getCause());
      }
    }
  }

  /** What each task runs: a static method, so the function captures only what it needs (all serializable). */
  private static VoidFunction<Iterator<Row>> writeTask(LatestRowEncoder encoder, OnlineStoreOpener opener, String table,
      boolean replaceEqual, LongAccumulator read, LongAccumulator written, MaxAccumulator newest) {
    return partition -> {
      if (!partition.hasNext()) {
        return;
      }
      try (OnlineStore store = opener.open()) {
        List<OnlineStore.Entry> batch = new ArrayList<>(Materializer.BATCH);
        long rowsRead = 0;
        while (partition.hasNext()) {
          Row r = partition.next();
          Object[] values = new Object[r.length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = SparkValues.toJava(r.get(i));
          }
          batch.add(encoder.encode(values));
          rowsRead += encoder.sourceRows(values);
          newest.add(encoder.eventMicros(values));
          if (batch.size() == Materializer.BATCH) {
            written.add(put(store, table, batch, replaceEqual));
            read.add(rowsRead);
            rowsRead = 0;
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          written.add(put(store, table, batch, replaceEqual));
        }
        read.add(rowsRead);
      }
    };
  }

  private static int put(OnlineStore store, String table, List<OnlineStore.Entry> batch, boolean replaceEqual) {
    return replaceEqual ? store.multiPutIfNotOlder(table, batch) : store.multiPutIfNewer(table, batch);
  }

  /** A store's failure (a QuiverException from a task) names the store; anything else is the source's. */
  private static RuntimeException failure(SparkLatestRows rows, OnlineStoreOpener opener, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof dev.quiver.core.SourceDataException s) {
        return s;
      }
      if (t instanceof QuiverException q) {
        return new QuiverException("writing into the online store " + opener.describe() + " from Spark's executors failed: "
            + q.getMessage(), q);
      }
    }
    return rows.failure(e instanceof RuntimeException r ? r : new RuntimeException(e.getMessage(), e));
  }

  /** The greatest long added (µs), {@link Long#MIN_VALUE} when none was. */
  static final class MaxAccumulator extends org.apache.spark.util.AccumulatorV2<Long, Long> {
    private long max = Long.MIN_VALUE;

    @Override public boolean isZero() {
      return max == Long.MIN_VALUE;
    }

    @Override public MaxAccumulator copy() {
      MaxAccumulator c = new MaxAccumulator();
      c.max = max;
      return c;
    }

    @Override public void reset() {
      max = Long.MIN_VALUE;
    }

    @Override public void add(Long v) {
      max = Math.max(max, v);
    }

    void add(long v) {
      max = Math.max(max, v);
    }

    @Override public void merge(org.apache.spark.util.AccumulatorV2<Long, Long> other) {
      max = Math.max(max, other.value());
    }

    @Override public Long value() {
      return max;
    }
  }
}
