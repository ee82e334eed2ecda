package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.THREADS;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static dev.quiver.testkit.OnlineFixtures.versioned;
import static dev.quiver.testkit.OnlineFixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What racing threads see: {@value OnlineStoreContract#THREADS} writers racing on the same keys
 * end at the maximum while a reader never sees a key go back in time; {@value
 * OnlineStoreContract#THREADS} threads on separate clients running read-increment-swap loops on three
 * hot counters ({@link SwapCounters}) lose no increment; and a plain {@link OnlineStore#multiPut}
 * never lands between a swap's read and its write.
 *
 * <p>An implementation provides {@link OnlineStoreContract}'s {@code newStore()} and, when it can
 * open a second instance over the same storage while the first is open (as another process
 * would), {@link OnlineStoreContract#anotherClient()}.
 */
public interface OnlineConcurrencyContract extends OnlineContractPart {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void concurrentWritersToTheSameKeysEndAtTheMax() throws Exception {
    int keyCount = 32;
    int rounds = 300;
    store().createTable(TABLE);
    List<byte[]> keys = new ArrayList<>();
    for (int k = 0; k < keyCount; k++) {
      keys.add(userKey(k));
    }
    CyclicBarrier start = new CyclicBarrier(THREADS + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try {
      List<Future<long[]>> writers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          // every (thread, round) has its own event time, so the maximum is unique; half the threads go in
          // order (so most writes replace, and an interleaved read-compare-write shows), half shuffled
          Random random = new Random(thread);
          List<Integer> order = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            order.add(r);
          }
          if (thread % 2 == 1) {
            Collections.shuffle(order, random);
          }
          long[] max = new long[keyCount];
          Arrays.fill(max, -1);
          start.await();
          for (int r : order) {
            long event = (long) r * THREADS + thread;
            List<Entry> batch = new ArrayList<>();
            for (int i = 1 + random.nextInt(keyCount / 2); i > 0; i--) {
              int k = random.nextInt(keyCount);
              batch.add(entry(keys.get(k), row(event, null, event)));
              max[k] = Math.max(max[k], event);
            }
            store().multiPutIfNewer(TABLE, batch);
          }
          return max;
        }));
      }
      Callable<String> reader = () -> {
        long[] seen = new long[keyCount];
        Arrays.fill(seen, -1);
        start.await();
        while (writing.get()) {
          List<byte[]> got = store().multiGet(TABLE, keys);
          for (int k = 0; k < keyCount; k++) {
            long now = got.get(k) == null ? -1 : writer(got.get(k));
            if (now < seen[k]) {
              return "key " + k + " went back from event " + seen[k] + " to " + now;
            }
            seen[k] = now;
          }
        }
        return null;
      };
      Future<String> regressions = pool.submit(reader);

      long[] expected = new long[keyCount];
      Arrays.fill(expected, -1);
      for (Future<long[]> w : writers) {
        long[] max = w.get(60, TimeUnit.SECONDS);
        for (int k = 0; k < keyCount; k++) {
          expected[k] = Math.max(expected[k], max[k]);
        }
      }
      writing.set(false);

      assertThat(regressions.get(60, TimeUnit.SECONDS)).as("what a concurrent reader saw").isNull();
      List<byte[]> got = store().multiGet(TABLE, keys);
      for (int k = 0; k < keyCount; k++) {
        assertThat(got.get(k) == null ? -1 : writer(got.get(k))).as("event of key %d", k).isEqualTo(expected[k]);
        if (expected[k] >= 0) {
          assertThat(got.get(k)).isEqualTo(row(expected[k], null, expected[k]));
        }
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  default void concurrentReadIncrementSwapLoopsLoseNoIncrement() throws Exception {
    String table = TABLE + ".counters";
    List<byte[]> keys = List.of(userKey(1), userKey(2), userKey(3));
    int rounds = 150;
    List<OnlineStore> clients = new ArrayList<>();
    clients.add(store());
    for (int c = 1; c < 4; c++) {
      OnlineStore other = otherClient();
      if (other != store()) {
        closedAfterTest(other);
      }
      clients.add(other);
    }
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<long[]>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        OnlineStore client = clients.get(t % clients.size());
        Random random = new Random(t);
        workers.add(pool.submit(() -> {
          long[] added = new long[keys.size()];
          start.await();
          SwapCounters.increment(client, table, keys, rounds, random, added, versioned(random));
          return added;
        }));
      }
      long[] expected = new long[keys.size()];
      for (Future<long[]> w : workers) {
        long[] added = w.get(120, TimeUnit.SECONDS);
        for (int k = 0; k < keys.size(); k++) {
          expected[k] += added[k];
        }
      }
      List<byte[]> got = store().multiGet(table, keys);
      for (int k = 0; k < keys.size(); k++) {
        assertThat(SwapCounters.decode(got.get(k)))
            .as("counter %d after %d threads on %d clients swapped it (a lost update leaves it short)", k, THREADS,
                clients.stream().distinct().count())
            .isEqualTo(expected[k]);
      }
      assertThat(Arrays.stream(expected).sum()).as("increments made").isGreaterThanOrEqualTo((long) THREADS * rounds);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("workers stopped").isTrue();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  default void aPlainWriteNeverLandsInsideASwap() throws Exception {
    String table = TABLE + ".jumps";
    List<byte[]> keys = List.of(userKey(1));
    long jump = 1_000_000; // far more than the increments, so a count's millions say which plain write it follows
    int jumps = 3000;
    ExecutorService pool = Executors.newFixedThreadPool(5);
    AtomicBoolean jumping = new AtomicBoolean(true);
    try {
      List<Future<String>> incrementers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        OnlineStore client = t % 2 == 0 ? store() : closedAfterTest(otherClient());
        Random random = new Random(t);
        incrementers.add(pool.submit(() -> {
          long seen = 0;
          long[] added = new long[1];
          while (jumping.get()) {
            SwapCounters.increment(client, table, keys, 1, random, added, versioned(random));
            long now = SwapCounters.decode(client.multiGet(table, keys).getFirst()) / jump;
            if (now < seen) {
              return "the count went back from plain write " + seen + " to " + now;
            }
            seen = now;
          }
          return null;
        }));
      }
      Future<String> writer = pool.submit(() -> {
        for (long j = 1; j <= jumps; j++) {
          store().multiPut(table, List.of(new Entry(keys.getFirst(), SwapCounters.encode(j * jump, j))));
          long now = SwapCounters.decode(store().multiGet(table, keys).getFirst()) / jump;
          if (now < j) {
            return "plain write " + j + " was undone by a swap that had read before it (the count is back at " + now + ")";
          }
        }
        return null;
      });
      assertThat(writer.get(100, TimeUnit.SECONDS)).as("what the plain writer saw").isNull();
      jumping.set(false);
      for (Future<String> f : incrementers) {
        assertThat(f.get(30, TimeUnit.SECONDS)).as("what an incrementer saw").isNull();
      }
      assertThat(SwapCounters.decode(store().multiGet(table, keys).getFirst()) / jump).as("the last plain write")
          .isEqualTo(jumps);
    } finally {
      jumping.set(false);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
  }
}
