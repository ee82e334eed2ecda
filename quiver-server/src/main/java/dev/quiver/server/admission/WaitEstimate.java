package dev.quiver.server.admission;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link QueueAdmission} by Little's law: a request arriving behind {@code q} queued requests waits
 * about {@code q × s ÷ w}, {@code s} being the mean service time of recent requests (an exponentially
 * weighted average over about the last {@value #WEIGHT} requests, each counted at most twice the
 * budget) and {@code w} the workers. Before
 * any request has finished, {@code s} is unknown and every request within the queue bound is admitted
 * (the queue deadline still bounds their wait). A request is never refused for its estimate while
 * fewer requests than workers are queued (it waits one request's time at most), so a workload of slow
 * requests is not refused at the first few. Thread-safe and lock-free.
 */
final class WaitEstimate implements QueueAdmission {
  /** The average's weight: each new service time counts 1/WEIGHT. */
  static final int WEIGHT = 16;

  private final int workers;
  private final long budgetNanos;
  private final int maxQueued;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong serviceNanos = new AtomicLong(); // 0 until the first request finished
  private final String overBudget;

  WaitEstimate(int workers, long budgetNanos, int maxQueued) {
    if (workers < 1 || budgetNanos <= 0 || maxQueued < 1) {
      throw new IllegalArgumentException("workers, budget and queue bound must be positive, got " + workers + ", "
          + budgetNanos + " ns, " + maxQueued);
    }
    this.workers = workers;
    this.budgetNanos = budgetNanos;
    this.maxQueued = maxQueued;
    this.overBudget = "the requests waiting for a worker would take longer to run than the queue budget of "
        + millis(budgetNanos) + " (--queue-budget)";
  }

  @Override
  public Verdict admit() {
    while (true) {
      int q = queued.get();
      if (q >= maxQueued) {
        return Verdict.FULL;
      }
      if (q >= workers && wait(q) > budgetNanos) {
        return Verdict.OVER_BUDGET;
      }
      if (queued.compareAndSet(q, q + 1)) {
        return Verdict.ADMITTED;
      }
    }
  }

  @Override
  public Verdict admitExempt() {
    while (true) {
      int q = queued.get();
      if (q >= maxQueued) {
        return Verdict.FULL;
      }
      if (queued.compareAndSet(q, q + 1)) {
        return Verdict.ADMITTED;
      }
    }
  }

  @Override
  public Verdict peek() {
    int q = queued.get();
    return q >= maxQueued ? Verdict.FULL : q >= workers && wait(q) > budgetNanos ? Verdict.OVER_BUDGET : Verdict.ADMITTED;
  }

  @Override
  public void started() {
    queued.decrementAndGet();
  }

  @Override
  public void abandoned() {
    queued.decrementAndGet();
  }

  @Override
  public void finished(long nanos) {
    long sample = Math.min(Math.max(0, nanos), 2 * budgetNanos);
    serviceNanos.getAndUpdate(s -> s == 0 ? Math.max(1, sample) : s + (sample - s) / WEIGHT);
  }

  @Override
  public int queued() {
    return queued.get();
  }

  @Override
  public long estimatedWaitNanos() {
    return wait(queued.get());
  }

  private long wait(int ahead) {
    return ahead * serviceNanos.get() / workers;
  }

  @Override
  public String refusal() {
    int q = queued.get();
    if (q >= maxQueued) {
      return q + " requests are already waiting for a worker, the queue's bound";
    }
    return "the " + q + " requests waiting for a worker would take about " + millis(wait(q)) + " to run, more than the"
        + " queue budget of " + millis(budgetNanos) + " (--queue-budget)";
  }

  @Override
  public String overBudget() {
    return overBudget;
  }

  private static String millis(long nanos) {
    return nanos >= 10_000_000 ? nanos / 1_000_000 + " ms" : String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
