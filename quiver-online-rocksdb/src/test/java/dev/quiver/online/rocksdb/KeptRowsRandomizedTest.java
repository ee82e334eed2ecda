package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.testkit.OnlineStoreContract;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kept rows ({@link KeptRows}) change no answer: random interleavings of every kind of write
 * (newest-wins pushes, refills, plain puts, swaps, deletions, dropped tables, restarts) on stores
 * keeping rows (the default bound, and one so small it is mostly full) give the same results and
 * rows as a store keeping none; and concurrent swaps beside other writes of the same table lose no
 * update. The seed is printed with every failure.
 */
class KeptRowsRandomizedTest {
  private static final List<String> TABLES = List.of("latest", "tiles");
  private static final int KEYS = 30;

  @TempDir Path dir;

  /** The contract's key and row fixtures. */
  private abstract static class Fixtures extends OnlineStoreContract {
    static byte[] key(long id) {
      return userKey(id);
    }

    static byte[] aRow(long eventSecond, Long createdSecond, long writer) {
      return row(eventSecond, createdSecond, writer);
    }
  }

  private RocksDbOnlineStore open(String name, long keptBytes) {
    return RocksDbOnlineStore.open(dir.resolve(name), 16L << 20, 8L << 20, false, keptBytes);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyInterleavingAnswersAsAStoreKeepingNothing() {
    for (int round = 0; round < 2; round++) {
      long seed = new SplittableRandom().nextLong();
      interleave(seed, 800);
    }
  }

  private void interleave(long seed, int steps) {
    String name = "s" + Long.toHexString(seed);
    long[] budgets = {0, 4_096, RocksDbOnlineStore.DEFAULT_WRITTEN_ROWS_BYTES};
    RocksDbOnlineStore[] stores = new RocksDbOnlineStore[budgets.length];
    for (int s = 0; s < stores.length; s++) {
      stores[s] = open(name + "-" + s, budgets[s]);
    }
    SplittableRandom random = new SplittableRandom(seed);
    String what = "";
    try {
      for (int step = 0; step < steps; step++) {
        String table = TABLES.get(random.nextInt(TABLES.size()));
        int op = random.nextInt(100);
        List<Entry> entries = entries(random);
        List<byte[]> keys = distinctKeys(random);
        byte[][] values = new byte[keys.size()][];
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextInt(5) == 0 ? null : randomRow(random);
        }
        boolean stale = random.nextInt(4) == 0;
        what = "seed " + seed + ", step " + step + ", op " + op + " on " + table;
        Object first = null;
        for (int s = 0; s < stores.length; s++) {
          Object result = apply(stores[s], op, table, entries, keys, values, stale);
          if (s == 0) {
            first = result;
          } else {
            assertThat(result).as(what + ": store %d's result", s).isEqualTo(first);
          }
        }
        if (op >= 98) { // a restart: the kept rows start empty
          for (int s = 0; s < stores.length; s++) {
            stores[s].close();
            stores[s] = open(name + "-" + s, budgets[s]);
          }
        }
        if (step % 50 == 0 || step == steps - 1) {
          compareAll(stores, what);
        }
      }
      assertThat(stores[2].keptBytes()).as(what + ": rows kept").isPositive();
      assertThat(stores[1].keptBytes()).as(what + ": the small bound").isLessThanOrEqualTo(4_096 + 8_192);
    } finally {
      for (RocksDbOnlineStore s : stores) {
        s.close();
      }
    }
  }

  /** Applies one step; returns what the step answered, comparable across stores. */
  private static Object apply(RocksDbOnlineStore store, int op, String table, List<Entry> entries, List<byte[]> keys,
      byte[][] values, boolean stale) {
    if (op < 25) {
      return store.multiPutIfNewer(table, entries);
    } else if (op < 35) {
      return store.multiPutIfNotOlder(table, entries);
    } else if (op < 45) {
      store.multiPut(table, dedup(entries));
      return "put";
    } else if (op < 52) {
      store.delete(table, keys);
      return "deleted";
    } else if (op < 97) {
      OnlineStore.VersionedRows read = store.readForSwap(table, keys);
      List<Swap> swaps = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        byte[] expected = stale ? values[(i + 1) % values.length] : read.rows().get(i);
        swaps.add(new Swap(keys.get(i), expected, values[i], stale ? Swap.UNREAD : read.versions()[i]));
      }
      List<String> seen = read.rows().stream().map(r -> r == null ? "null" : Arrays.toString(r)).toList();
      return seen + " " + Arrays.toString(store.multiCompareAndSet(table, swaps));
    } else if (op < 98) {
      store.dropTable(table);
      return "dropped";
    }
    return "restart";
  }

  private static void compareAll(RocksDbOnlineStore[] stores, String what) {
    List<byte[]> all = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      all.add(Fixtures.key(k));
    }
    for (String table : TABLES) {
      List<byte[]> expected = stores[0].multiGet(table, all);
      for (int s = 1; s < stores.length; s++) {
        List<byte[]> got = stores[s].multiGet(table, all);
        for (int k = 0; k < KEYS; k++) {
          assertThat(got.get(k)).as("%s: store %d, table %s, key %d", what, s, table, k).isEqualTo(expected.get(k));
        }
      }
    }
  }

  private static byte[] randomRow(SplittableRandom random) {
    return Fixtures.aRow(random.nextInt(40), random.nextBoolean() ? null : (long) random.nextInt(40),
        random.nextInt(1_000));
  }

  private static List<Entry> entries(SplittableRandom random) {
    List<Entry> entries = new ArrayList<>();
    int n = 1 + random.nextInt(8);
    for (int i = 0; i < n; i++) {
      entries.add(new Entry(Fixtures.key(random.nextInt(KEYS)), randomRow(random)));
    }
    return entries;
  }

  /** The last entry of each key (a plain put takes each key once). */
  private static List<Entry> dedup(List<Entry> entries) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      boolean later = false;
      for (int j = i + 1; j < entries.size(); j++) {
        later |= Arrays.equals(entries.get(i).key(), entries.get(j).key());
      }
      if (!later) {
        out.add(entries.get(i));
      }
    }
    return out;
  }

  private static List<byte[]> distinctKeys(SplittableRandom random) {
    List<byte[]> keys = new ArrayList<>();
    random.ints(0, KEYS).distinct().limit(1 + random.nextInt(6)).forEach(k -> keys.add(Fixtures.key(k)));
    return keys;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void concurrentSwapsBesideOtherWritesLoseNoUpdate() throws Exception {
    long seed = new SplittableRandom().nextLong();
    for (long budget : new long[] {2_048, RocksDbOnlineStore.DEFAULT_WRITTEN_ROWS_BYTES}) {
      try (RocksDbOnlineStore store = open("c" + budget, budget)) {
        int threads = 4;
        int increments = 400;
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(seed + t);
            futures.add(pool.submit(() -> {
              for (int i = 0; i < increments; i++) {
                List<byte[]> keys = List.of(Fixtures.key(random.nextInt(8)));
                while (true) {
                  OnlineStore.VersionedRows read = store.readForSwap("tiles", keys);
                  byte[] old = read.rows().get(0);
                  long count = old == null ? 0 : ByteBuffer.wrap(old).getLong();
                  byte[] next = ByteBuffer.allocate(8 + random.nextInt(64)).putLong(count + 1).array();
                  if (store.multiCompareAndSet("tiles", List.of(new Swap(keys.get(0), old, next,
                      read.versions()[0])))[0]) {
                    done.incrementAndGet();
                    break;
                  }
                }
              }
              return null;
            }));
          }
          SplittableRandom other = new SplittableRandom(seed - 1);
          futures.add(pool.submit(() -> { // other writers of the same table, other keys
            for (int i = 0; i < 600; i++) {
              byte[] key = Fixtures.key(8 + other.nextInt(8));
              switch (other.nextInt(3)) {
                case 0 -> store.multiPutIfNewer("tiles", List.of(new Entry(key, randomRow(other))));
                case 1 -> store.multiPut("tiles", List.of(new Entry(key, randomRow(other))));
                default -> store.delete("tiles", List.of(key));
              }
            }
            return null;
          }));
          for (Future<?> f : futures) {
            f.get();
          }
        } finally {
          pool.shutdownNow();
        }
        long sum = 0;
        for (int k = 0; k < 8; k++) {
          byte[] row = store.multiGet("tiles", List.of(Fixtures.key(k))).get(0);
          sum += row == null ? 0 : ByteBuffer.wrap(row).getLong();
        }
        assertThat(sum).as("seed %d, bound %d: increments kept", seed, budget).isEqualTo(done.get())
            .isEqualTo((long) threads * increments);
      }
    }
  }
}
