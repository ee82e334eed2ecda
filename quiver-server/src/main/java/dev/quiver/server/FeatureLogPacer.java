package dev.quiver.server;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Spreads a roll's CPU: called between the pieces of rows a Parquet {@code COPY} reads, once the thread
 * has used {@code budgetNanos} of CPU since its last pause it sleeps as long as that burst took in CPU, at
 * most {@code maxPauseNanos} (so a roll takes at most about half a core while it runs, and no burst is
 * much longer than the budget plus one piece and one row group). It also records the longest burst
 * (thread CPU between two pauses, or from {@link #start} to {@link #finish}) and the CPU of the current
 * roll. Used by one thread at a time (the roll thread, under the writer's roll lock); calls from another
 * thread (DuckDB reading the pieces on a worker thread of its own, which a database of one thread does not)
 * neither pause nor count.
 */
final class FeatureLogPacer {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long budgetNanos;
  private final long maxPauseNanos;
  private long since;
  private long longest;
  private long total;
  private long started;
  private int pauses;
  private Thread thread;

  /** Pauses after each {@code budgetNanos} of CPU, each at most {@code maxPauseNanos}; a budget of 0 never pauses. */
  FeatureLogPacer(long budgetNanos, long maxPauseNanos) {
    if (budgetNanos < 0 || maxPauseNanos < 0) {
      throw new IllegalArgumentException("need a budget and a pause >= 0, got " + budgetNanos + ", " + maxPauseNanos);
    }
    this.budgetNanos = budgetNanos;
    this.maxPauseNanos = maxPauseNanos;
  }

  /** The writer's: a pause after every 5 ms of CPU, as long as the burst, at most 50 ms. */
  static FeatureLogPacer standard() {
    return new FeatureLogPacer(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(50));
  }

  /** A pacer that only measures. */
  static FeatureLogPacer none() {
    return new FeatureLogPacer(0, 0);
  }

  /** Starts measuring a roll on this thread. */
  void start() {
    thread = Thread.currentThread();
    started = cpu();
    since = started;
    longest = 0;
    pauses = 0;
  }

  /** Between two pieces: pauses when the burst since the last pause has used up the budget. */
  void between() {
    if (budgetNanos == 0 || Thread.currentThread() != thread) {
      return;
    }
    long burst = cpu() - since;
    if (burst >= budgetNanos) {
      longest = Math.max(longest, burst);
      pauses++;
      LockSupport.parkNanos(Math.min(burst, maxPauseNanos));
      since = cpu();
    }
  }

  /** Ends the roll's measurement. */
  void finish() {
    long now = cpu();
    longest = Math.max(longest, now - since);
    total = now - started;
  }

  /** The last roll's longest burst of CPU, in nanoseconds. */
  long longestBurstNanos() {
    return longest;
  }

  /** The last roll's CPU, in nanoseconds. */
  long cpuNanos() {
    return total;
  }

  /** How often the last roll paused. */
  int pauses() {
    return pauses;
  }

  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }
}
