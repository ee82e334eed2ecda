package dev.quiver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.repo.FeatureRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Spark engine's executors send the driver while a training set is written (the 100M-row
 * benchmark's claim that the driver's share stays bounded): the task results' bytes, as Spark's
 * listener reports them. Writing the set, to a directory of parts or to one file, sends the driver
 * task metadata only (a few KB per task, whatever the rows); streaming the same set to the caller
 * ({@code getHistoricalFeatures}, one partition at a time) sends the rows, which shows the measure
 * sees rows when they do pass through the driver.
 */
class SparkDriverResultsTest {

  @Test
  void writingATrainingSetSendsTheDriverNoRows(@TempDir Path dir) throws Exception {
    ReferenceWorkload w = new ReferenceWorkload(dir, 40_000, 10_000, 3);
    w.prepare(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    w.useEngine("spark", "local[2]");
    try (FeatureRepo repo = FeatureRepo.open(w.repo())) {
      repo.offline(); // starts Spark
      SparkContext sc = SparkContext.getOrCreate();
      ResultBytes results = new ResultBytes();
      sc.addSparkListener(results);
      try {
        long directory = measure(sc, results, () -> TrainingSetBenchmark.run(w, dir.resolve("out/train"), p -> {}));
        long directoryMax = results.maxTask.get();
        long oneFile = measure(sc, results, () -> TrainingSetBenchmark.run(w, p -> {}));
        long oneFileMax = results.maxTask.get();
        long streamed = measure(sc, results, () -> {
          long n = 0;
          try (HistoricalRows rows = repo.getHistoricalFeatures(w.request())) {
            while (rows.hasNext()) {
              rows.next();
              n++;
            }
          }
          return n;
        });

        System.out.printf("task result bytes: parts %,d (largest task %,d), one file %,d (largest %,d), streamed %,d%n",
            directory, directoryMax, oneFile, oneFileMax, streamed);
        // 10,000 rows x 33 columns are about 1.5 MB as Spark rows: streaming them sends that much
        assertThat(streamed).as("bytes of task results while streaming the rows").isGreaterThan(1_000_000);
        assertThat(directoryMax).as("largest task result while writing parts").isLessThan(64 * 1024);
        assertThat(oneFileMax).as("largest task result while writing one file").isLessThan(64 * 1024);
        assertThat(directory).as("task results while writing parts").isLessThan(streamed / 4);
        assertThat(oneFile).as("task results while writing one file").isLessThan(streamed / 4);
      } finally {
        sc.removeSparkListener(results);
      }
    }
  }

  /** Runs {@code work} (which must return the training set's 10,000 rows); returns the result bytes it caused. */
  private static long measure(SparkContext sc, ResultBytes results, java.util.concurrent.Callable<Long> work) throws Exception {
    sc.listenerBus().waitUntilEmpty();
    results.total.set(0);
    results.maxTask.set(0);
    assertThat(work.call()).isEqualTo(10_000);
    sc.listenerBus().waitUntilEmpty();
    return results.total.get();
  }

  /** Sums the serialized size of every task result the driver receives. */
  static final class ResultBytes extends SparkListener {
    final AtomicLong total = new AtomicLong();
    final AtomicLong maxTask = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) {
        long bytes = end.taskMetrics().resultSize();
        total.addAndGet(bytes);
        maxTask.accumulateAndGet(bytes, Math::max);
      }
    }
  }
}
