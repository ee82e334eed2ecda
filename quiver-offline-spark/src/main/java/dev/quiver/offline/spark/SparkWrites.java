package dev.quiver.offline.spark;

import java.time.Duration;
import java.util.UUID;
import java.util.logging.Logger;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import scala.Option;

/**
 * Runs a Spark write so that a failed one leaves nothing running: when a job fails, Spark reports the
 * failure while other tasks of its stage may still be running (being killed, or finishing), and such a
 * task can still create files in the write's temporary folder after the caller has deleted it. A failed
 * write here cancels its jobs (tagged with a tag of its own) and waits, at most {@link #QUIET}, until
 * none of their stages has a running task, so the caller's clean-up is the last word. Thread-safe
 * (job tags are per thread).
 */
final class SparkWrites {
  private static final Logger LOG = Logger.getLogger(SparkWrites.class.getName());
  private static final Duration QUIET = Duration.ofSeconds(30);

  private SparkWrites() {}

  /** Runs {@code write} (Spark jobs started on this thread); when it throws, its tasks have ended (or {@link #QUIET} passed). */
  static void run(SparkContext sc, Runnable write) {
    String tag = "quiver-write-" + UUID.randomUUID();
    sc.addJobTag(tag);
    try {
      write.run();
    } catch (RuntimeException | Error e) {
      sc.cancelJobsWithTag(tag, "the write failed");
      awaitNoRunningTasks(sc.statusTracker(), tag);
      throw e;
    } finally {
      sc.removeJobTag(tag);
    }
  }

  private static void awaitNoRunningTasks(SparkStatusTracker tracker, String tag) {
    long deadline = System.nanoTime() + QUIET.toNanos();
    while (running(tracker, tag) > 0) {
      if (System.nanoTime() > deadline) {
        LOG.warning("tasks of a failed Spark write were still running after " + QUIET.toSeconds() + " s; its temporary"
            + " folder may be left behind (it is replaced by the next write)");
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Tasks still running in the stages of the jobs tagged {@code tag}, as Spark's status tracker sees them. */
  static int running(SparkStatusTracker tracker, String tag) {
    int running = 0;
    for (int job : tracker.getJobIdsForTag(tag)) {
      Option<SparkJobInfo> info = tracker.getJobInfo(job);
      if (info.isEmpty()) {
        continue;
      }
      for (int stage : info.get().stageIds()) {
        Option<SparkStageInfo> s = tracker.getStageInfo(stage);
        if (s.isDefined()) {
          running += s.get().numActiveTasks();
        }
      }
    }
    return running;
  }
}
