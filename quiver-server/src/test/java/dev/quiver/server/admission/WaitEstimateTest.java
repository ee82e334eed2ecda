package dev.quiver.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.server.admission.QueueAdmission.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The wait estimate: queued × service time ÷ workers against the budget, the bound, and the protocol's counting. */
class WaitEstimateTest {
  private static final long MS = 1_000_000;

  @Test
  void beforeAnyServiceTimeIsKnownEverythingUpToTheBoundIsAdmitted() {
    QueueAdmission a = QueueAdmission.of(2, Duration.ofMillis(5), 3);
    assertThat(List.of(a.admit(), a.admit(), a.admit(), a.admit())).containsExactly(Verdict.ADMITTED, Verdict.ADMITTED,
        Verdict.ADMITTED, Verdict.FULL);
    assertThat(a.refusal()).contains("3 requests are already waiting for a worker");
    a.started();
    assertThat(a.admit()).isEqualTo(Verdict.ADMITTED);
  }

  @Test
  void aRequestIsAdmittedWhileTheQueueAheadDrainsWithinTheBudget() {
    QueueAdmission a = QueueAdmission.of(2, Duration.ofMillis(5), 1024);
    a.finished(1 * MS); // 1 ms a request, 2 workers: 0.5 ms of wait per request queued
    int admitted = 0;
    while (a.admit() == Verdict.ADMITTED) {
      admitted++;
    }
    assertThat(admitted).as("queued 0..10 wait 0..5 ms").isEqualTo(11);
    assertThat(a.admit()).isEqualTo(Verdict.OVER_BUDGET);
    assertThat(a.estimatedWaitNanos()).isEqualTo(11 * MS / 2);
    assertThat(a.refusal()).contains("the 11 requests waiting for a worker would take about 5.5 ms")
        .contains("budget of 5.0 ms");
    a.started();
    a.abandoned();
    assertThat(a.queued()).isEqualTo(9);
    assertThat(a.admit()).isEqualTo(Verdict.ADMITTED);
  }

  @Test
  void peekTellsWhatAdmitWouldDecideWithoutCountingTheRequest() {
    QueueAdmission a = QueueAdmission.of(1, Duration.ofMillis(5), 4);
    assertThat(a.peek()).isEqualTo(Verdict.ADMITTED);
    assertThat(a.queued()).isZero();
    a.finished(2 * MS); // 2 ms a request on one worker
    for (int i = 0; i < 3; i++) { // queued 0, 1, 2: waits 0, 2, 4 ms
      assertThat(a.peek()).isEqualTo(Verdict.ADMITTED);
      assertThat(a.admit()).isEqualTo(Verdict.ADMITTED);
    }
    assertThat(a.peek()).as("3 queued: 6 ms").isEqualTo(Verdict.OVER_BUDGET).isEqualTo(a.admit());
    assertThat(a.queued()).isEqualTo(3);
    assertThat(a.overBudget()).isEqualTo("the requests waiting for a worker would take longer to run than the queue"
        + " budget of 5.0 ms (--queue-budget)");
    QueueAdmission full = QueueAdmission.of(1, Duration.ofMillis(5), 1);
    full.admit();
    assertThat(full.peek()).isEqualTo(Verdict.FULL).isEqualTo(full.admit());
  }

  @Test
  void theServiceTimeIsARecentAverageAndOneSlowRequestCountsAtMostTwiceTheBudget() {
    WaitEstimate a = new WaitEstimate(1, 10 * MS, 1024);
    a.finished(2 * MS);
    a.finished(10_000 * MS); // one request stuck for 10 s counts as 20 ms
    assertThat(serviceOf(a)).isEqualTo(2 * MS + (20 * MS - 2 * MS) / WaitEstimate.WEIGHT);
    for (int i = 0; i < 200; i++) {
      a.finished(1 * MS);
    }
    assertThat(serviceOf(a)).isBetween(1 * MS, 1 * MS + MS / 10);
  }

  /** The service time the estimate uses, read back through one queued request. */
  private static long serviceOf(WaitEstimate a) {
    assertThat(a.admit()).isEqualTo(Verdict.ADMITTED);
    long s = a.estimatedWaitNanos();
    a.abandoned();
    return s;
  }

  @Test
  void theEstimateMatchesAPlainReferenceOnRandomSequences() {
    Random random = new Random(20);
    for (int run = 0; run < 200; run++) {
      int workers = 1 + random.nextInt(8);
      long budget = (1 + random.nextInt(50)) * MS;
      int bound = 1 + random.nextInt(64);
      WaitEstimate a = new WaitEstimate(workers, budget, bound);
      int queued = 0;
      double service = 0; // the reference: plain arithmetic
      for (int step = 0; step < 500; step++) {
        switch (random.nextInt(4)) {
          case 0 -> {
            long expected = (long) queued * (long) service / workers;
            Verdict v = a.admit();
            Verdict want = queued >= bound ? Verdict.FULL
                : queued >= workers && expected > budget ? Verdict.OVER_BUDGET : Verdict.ADMITTED;
            assertThat(v).as("run %d step %d", run, step).isEqualTo(want);
            if (v == Verdict.ADMITTED) {
              queued++;
            }
          }
          case 1 -> {
            if (queued > 0) {
              a.started();
              queued--;
            }
          }
          case 2 -> {
            if (queued > 0) {
              a.abandoned();
              queued--;
            }
          }
          default -> {
            long t = (long) (random.nextDouble() * 3 * budget);
            long sample = Math.min(t, 2 * budget);
            service = service == 0 ? Math.max(1, sample) : (long) service + (sample - (long) service) / WaitEstimate.WEIGHT;
            a.finished(t);
          }
        }
        assertThat(a.queued()).isEqualTo(queued);
      }
    }
  }

  @Test
  void concurrentAdmissionsNeverPassTheBoundAndTheCountReturnsToZero() throws Exception {
    QueueAdmission a = QueueAdmission.of(4, Duration.ofSeconds(1), 50);
    AtomicInteger most = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          if (a.admit() == Verdict.ADMITTED) {
            most.accumulateAndGet(a.queued(), Math::max);
            if (i % 2 == 0) {
              a.started();
              a.finished(1_000);
            } else {
              a.abandoned();
            }
          }
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(most.get()).isBetween(1, 50);
    assertThat(a.queued()).isZero();
  }

  @Test
  void fewerQueuedThanWorkersAreNeverRefusedForTheirEstimate() {
    QueueAdmission a = QueueAdmission.of(4, Duration.ofMillis(5), 1024);
    a.finished(100 * MS); // slow requests: counted as 10 ms (twice the budget), 2.5 ms of wait per request queued
    for (int i = 0; i < 4; i++) {
      assertThat(a.admit()).as("queued %d < 4 workers", i).isEqualTo(Verdict.ADMITTED);
    }
    assertThat(a.admit()).as("4 queued: 10 ms of wait").isEqualTo(Verdict.OVER_BUDGET);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> QueueAdmission.of(0, Duration.ofMillis(5), 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }
}
