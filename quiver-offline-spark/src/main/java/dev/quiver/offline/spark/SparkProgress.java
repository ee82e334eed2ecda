package dev.quiver.offline.spark;

import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;

/**
 * Reports the progress of the Spark jobs the calling thread runs while it is open: the jobs run in
 * a job group of their own, and a daemon thread polls Spark's status tracker every 250 ms for the
 * tasks completed out of the tasks of every stage they ran or will run (a stage a finished job
 * skipped, its shuffle output being reused, counts as done). The reported percentage only grows and
 * stays below 100 until the caller reports completion.
 */
final class SparkProgress implements AutoCloseable {
  private static final long POLL_MILLIS = 250;

  private final SparkContext context;
  private final String group = "quiver-" + UUID.randomUUID();
  private final ScheduledExecutorService poller;
  private final DoubleConsumer progress;
  private double reported;

  SparkProgress(SparkContext context, DoubleConsumer progress) {
    this.context = context;
    this.progress = progress;
    context.setJobGroup(group, "quiver training set", false);
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "quiver-spark-progress");
      t.setDaemon(true);
      return t;
    });
    progress.accept(0);
    poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    try {
      double f = fraction(context.statusTracker(), group);
      double percent = Math.min(99, 100 * f);
      if (percent > reported) {
        reported = percent;
        progress.accept(percent);
      }
    } catch (RuntimeException ignored) {
      // progress is advisory: a status the tracker no longer holds is skipped
    }
  }

  /** The fraction of tasks done over the group's jobs, 0 when none started yet. */
  static double fraction(SparkStatusTracker tracker, String group) {
    long total = 0;
    long done = 0;
    for (int job : tracker.getJobIdsForGroup(group)) {
      scala.Option<SparkJobInfo> info = tracker.getJobInfo(job);
      if (info.isEmpty()) {
        continue;
      }
      boolean finished = info.get().status() == JobExecutionStatus.SUCCEEDED;
      for (int stage : info.get().stageIds()) {
        scala.Option<SparkStageInfo> s = tracker.getStageInfo(stage);
        if (s.isEmpty()) {
          continue;
        }
        total += s.get().numTasks();
        done += finished ? s.get().numTasks() : s.get().numCompletedTasks();
      }
    }
    return total == 0 ? 0 : (double) done / total;
  }

  @Override
  public void close() {
    poller.shutdownNow();
    try {
      poller.awaitTermination(1, TimeUnit.SECONDS); // no report after the caller's 100
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    context.clearJobGroup();
  }
}
