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

class FeatureLogRingTest {
  private static boolean offer(FeatureLogRing ring, long a, long b) {
    FeatureLogSlot s = ring.claim();
    if (s == null) {
      return false;
    }
    s.putLong(a);
    s.putLong(b);
    ring.publish(s);
    return true;
  }

  /** The next published record's two longs, released; null when none is. */
  private static long[] take(FeatureLogRing ring) {
    FeatureLogSlot s = ring.peek();
    if (s == null) {
      return null;
    }
    long[] out = {s.getLong(), s.getLong()};
    assertThat(s.readAll()).isTrue();
    ring.release(s);
    return out;
  }

  @Test
  void boundedFifoThatRefusesWhenFull() {
    FeatureLogRing ring = new FeatureLogRing(3);
    assertThat(offer(ring, 1, 10)).isTrue();
    assertThat(offer(ring, 2, 20)).isTrue();
    assertThat(offer(ring, 3, 30)).isTrue();
    assertThat(offer(ring, 4, 40)).as("a full pool drops").isFalse();
    assertThat(ring.claim()).isNull();
    assertThat(ring.size()).isEqualTo(3);
    assertThat(take(ring)).containsExactly(1, 10);
    assertThat(take(ring)).containsExactly(2, 20);
    assertThat(offer(ring, 5, 50)).isTrue();
    assertThat(take(ring)).containsExactly(3, 30);
    assertThat(take(ring)).containsExactly(5, 50);
    assertThat(take(ring)).isNull();
    assertThat(ring.size()).isZero();
  }

  /** A place claimed and not yet published holds the reader at it, never the other producers. */
  @Test
  void aSlowProducerHoldsTheReaderNotTheOthers() {
    FeatureLogRing ring = new FeatureLogRing(4);
    FeatureLogSlot slow = ring.claim();
    assertThat(offer(ring, 2, 0)).isTrue();
    assertThat(offer(ring, 3, 0)).isTrue();
    assertThat(ring.peek()).as("the oldest is still being written").isNull();
    slow.putLong(1);
    slow.putLong(0);
    ring.publish(slow);
    assertThat(take(ring)[0]).isEqualTo(1);
    assertThat(take(ring)[0]).isEqualTo(2);
    assertThat(take(ring)[0]).isEqualTo(3);
  }

  /** Places are reused round after round: their arrays are kept, an array grown past the bound is not. */
  @Test
  void placesKeepTheirArraysUpToTheBound() {
    FeatureLogRing ring = new FeatureLogRing(1);
    for (int round = 0; round < 3; round++) {
      FeatureLogSlot s = ring.claim();
      int longs = round == 1 ? ring.keptBytes() / 8 + 10 : 20; // round 1 grows past the bound
      for (int i = 0; i < longs; i++) {
        s.putLong(i);
      }
      ring.publish(s);
      assertThat(ring.peek()).isSameAs(s);
      assertThat(s.length()).isEqualTo(8 * longs);
      for (int i = 0; i < longs; i++) {
        assertThat(s.getLong()).isEqualTo(i);
      }
      ring.release(s);
    }
    assertThat(ring.size()).isZero();
    assertThat(new FeatureLogRing(1).keptBytes()).isEqualTo(16 * 1024);
    assertThat(new FeatureLogRing(10_000).keptBytes()).isEqualTo(FeatureLogRing.KEPT_TOTAL / 10_000);
    assertThat(new FeatureLogRing(1_000_000).keptBytes()).isEqualTo(FeatureLogSlot.FIRST_BYTES);
  }

  /**
   * A record past a place's bound takes a spare array and gives it back: the next large record, at another
   * place, reuses it instead of making one, and each place keeps its own array (up to the bound) meanwhile.
   */
  @Test
  void largeRecordsShareSpareArrays() {
    FeatureLogRing ring = new FeatureLogRing(4);
    int large = ring.keptBytes() / 8 + 100;
    byte[][] arrays = new byte[3][];
    for (int round = 0; round < 3; round++) {
      FeatureLogSlot s = ring.claim();
      s.putLong(-1);
      for (int i = 0; i < large; i++) {
        s.putLong(i);
      }
      arrays[round] = s.array();
      ring.publish(s);
      assertThat(ring.peek()).isSameAs(s);
      assertThat(s.getLong()).isEqualTo(-1);
      for (int i = 0; i < large; i++) {
        assertThat(s.getLong()).isEqualTo(i);
      }
      assertThat(s.readAll()).isTrue();
      ring.release(s);
      assertThat(s.array()).isNotSameAs(arrays[round]).hasSizeLessThanOrEqualTo(ring.keptBytes()); // its own, grown to the bound
    }
    assertThat(arrays[0].length).isGreaterThan(ring.keptBytes());
    assertThat(arrays[1]).isSameAs(arrays[0]);
    assertThat(arrays[2]).isSameAs(arrays[0]);
  }

  /** The spares are bounded: at most COUNT arrays, none over MAX_BYTES; a take finds one large enough or none. */
  @Test
  void sparesAreBounded() {
    FeatureLogSpares spares = new FeatureLogSpares();
    spares.give(new byte[FeatureLogSpares.MAX_BYTES + 1]);
    assertThat(spares.take(1)).isNull();
    List<byte[]> given = new ArrayList<>();
    for (int i = 0; i < FeatureLogSpares.COUNT + 3; i++) {
      byte[] b = new byte[100 + i];
      given.add(b);
      spares.give(b);
    }
    assertThat(spares.take(100 + FeatureLogSpares.COUNT)).isNull(); // the arrays past COUNT were dropped
    List<byte[]> taken = new ArrayList<>();
    for (byte[] b; (b = spares.take(100)) != null; ) {
      taken.add(b);
    }
    assertThat(taken).hasSize(FeatureLogSpares.COUNT).allMatch(b -> given.indexOf(b) < FeatureLogSpares.COUNT);
  }

  /** Racing producers and a consumer: nothing lost or duplicated, each producer's order kept, the bound held. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3})
  void concurrentOffersAgainstAPlainCount(int seed) throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    int capacity = 64 * seed;
    FeatureLogRing ring = new FeatureLogRing(capacity);
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
          if (offer(ring, producer, i)) {
            accepted.incrementAndGet();
          }
          maxSize.accumulateAndGet(ring.size(), Math::max);
        }
      }));
    }
    long[] last = {-1, -1, -1, -1};
    long drained = 0;
    start.countDown();
    while (threads.stream().anyMatch(Thread::isAlive) || ring.size() > 0) {
      for (int k = 0, n = 1 + (int) (drained % 97); k < n; k++) {
        long[] x = take(ring);
        if (x == null) {
          break;
        }
        assertThat(x[1]).as("producer %d's order", x[0]).isGreaterThan(last[(int) x[0]]);
        last[(int) x[0]] = x[1];
        drained++;
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(drained).isEqualTo(accepted.get()).isGreaterThan(0);
    assertThat(ring.size()).isZero();
    assertThat(maxSize.get()).isLessThanOrEqualTo(capacity);
  }
}
