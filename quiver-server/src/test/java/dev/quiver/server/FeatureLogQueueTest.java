package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeatureLogQueueTest {
  @Test
  void boundedFifoThatRefusesWhenFull() {
    FeatureLogQueue<Integer> q = new FeatureLogQueue<>(3);
    assertThat(q.offer(1)).isTrue();
    assertThat(q.offer(2)).isTrue();
    assertThat(q.offer(3)).isTrue();
    assertThat(q.offer(4)).isFalse();
    assertThat(q.size()).isEqualTo(3);
    List<Integer> out = new ArrayList<>();
    assertThat(q.drainTo(out, 2)).isEqualTo(2);
    assertThat(out).containsExactly(1, 2);
    assertThat(q.offer(5)).isTrue();
    assertThat(q.drainTo(out, 10)).isEqualTo(2);
    assertThat(out).containsExactly(1, 2, 3, 5);
    assertThat(q.size()).isZero();
    assertThat(q.isEmpty()).isTrue();
  }

  /** Racing producers and a consumer: nothing lost or duplicated, each producer's order kept, the bound held. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3})
  void concurrentOffersAgainstAPlainCount(int seed) throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    int capacity = 64 * seed;
    FeatureLogQueue<long[]> q = new FeatureLogQueue<>(capacity);
    AtomicLong accepted = new AtomicLong();
    AtomicInteger maxSize = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      long producer = p;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perProducer; i++) {
          if (q.offer(new long[] {producer, i})) {
            accepted.incrementAndGet();
          }
          maxSize.accumulateAndGet(q.size(), Math::max);
        }
      }));
    }
    long[] last = {-1, -1, -1, -1};
    long drained = 0;
    List<long[]> batch = new ArrayList<>();
    start.countDown();
    while (threads.stream().anyMatch(Thread::isAlive) || !q.isEmpty()) {
      batch.clear();
      q.drainTo(batch, 1 + (int) (drained % 97));
      for (long[] x : batch) {
        assertThat(x[1]).as("producer %d's order", x[0]).isGreaterThan(last[(int) x[0]]);
        last[(int) x[0]] = x[1];
      }
      drained += batch.size();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(drained).isEqualTo(accepted.get()).isGreaterThan(0);
    assertThat(q.size()).isZero();
    assertThat(maxSize.get()).isLessThanOrEqualTo(capacity + producers);
  }
}
