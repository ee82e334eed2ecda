package dev.quiver.testkit;

import dev.quiver.core.registry.Watermark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the parts of the {@link RegistryStoreContract} share: commit times, sample watermarks, and
 * running racing threads.
 */
final class RegistryFixtures {
  /** Racing threads; the contract holds for any number, eight finds races on two cores. */
  static final int THREADS = 8;

  static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123456Z");

  private RegistryFixtures() {}

  /** The time of the n-th commit of a test; microsecond precision, as every store must keep. */
  static Instant time(int n) {
    return T0.plusSeconds(3600L * n);
  }

  /** A watermark of {@code view} ending at hour {@code endHour} after {@link #time(int) time(0)}. */
  static Watermark watermark(String view, int endHour, String author) {
    return new Watermark(view, time(endHour), 7, author, time(endHour).plusSeconds(60));
  }

  /** Runs each task on a thread of its own; their results in order, or the first failure. */
  static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(task));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
