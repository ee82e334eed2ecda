package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.testkit.OnlineStoreContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class RocksDbOnlineStoreTest extends OnlineStoreContract {
  @TempDir Path dir;

  private RocksDbOnlineStore last;

  @Override
  protected OnlineStore newStore() {
    last = RocksDbOnlineStore.open(dir.resolve("online"), 16L << 20, 8L << 20, false);
    return last;
  }

  @Override
  protected OnlineStore reopen() {
    last.close();
    last = RocksDbOnlineStore.open(dir.resolve("online"), 16L << 20, 8L << 20, false);
    return last;
  }

  // ---- beyond the contract ----------------------------------------------------------------------

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void racingNewestWinsWritesReadAgainWhatWasWrittenBetweenTheirReadAndTheirStripes() throws Exception {
    long rereads = 0;
    for (int attempt = 0; attempt < 5 && rereads == 0; attempt++) {
      store.dropTable(TABLE);
      concurrentWritersToTheSameKeysEndAtTheMax(); // the contract's race: every key ends at its newest row
      rereads = last.putRereads();
    }
    assertThat(rereads).as("rows read again under the stripes (the path a racing write takes)").isPositive();
  }

  @Test
  void aSwapOfARowNotWrittenSinceReadForSwapIsNotReadAgain() {
    List<byte[]> keys = new ArrayList<>();
    List<Entry> rows = new ArrayList<>();
    for (int k = 0; k < 500; k++) {
      keys.add(userKey(k));
      rows.add(new Entry(userKey(k), row(10, null, k)));
    }
    store.multiPut(TABLE, rows);
    OnlineStore.VersionedRows read = store.readForSwap(TABLE, keys);
    store.multiPut(TABLE, List.of(new Entry(userKey(7), row(11, null, 7)))); // key 7 changes after the read
    long before = last.swapRereads();

    List<Swap> swaps = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      swaps.add(new Swap(keys.get(k), read.rows().get(k), row(12, null, k), read.versions()[k]));
    }
    boolean[] done = store.multiCompareAndSet(TABLE, swaps);

    for (int k = 0; k < keys.size(); k++) {
      assertThat(done[k]).as("swap of key %d", k).isEqualTo(k != 7);
    }
    // key 7 and any key sharing a write counter with it (2^20 slots: almost never) are read again; no other
    assertThat(last.swapRereads() - before).as("rows read again at the swap").isBetween(1L, 3L);
    assertThat(store.multiGet(TABLE, List.of(userKey(7)))).containsExactly(row(11, null, 7));
    // without versions every row is read again
    before = last.swapRereads();
    store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), row(12, null, 1), row(13, null, 1))));
    assertThat(last.swapRereads() - before).isEqualTo(1);
  }

  @Test
  void aNewestWinsWriteKnowsWhatItWroteLastUntilAnotherWriteTouchesTheKey() {
    List<Entry> at10 = new ArrayList<>();
    List<Entry> at11 = new ArrayList<>();
    List<Entry> at5 = new ArrayList<>();
    for (int k = 0; k < 500; k++) {
      at10.add(new Entry(userKey(k), row(10, null, k)));
      at11.add(new Entry(userKey(k), row(11, null, k)));
      at5.add(new Entry(userKey(k), row(5, null, k)));
    }
    assertThat(store.multiPutIfNewer(TABLE, at10)).isEqualTo(500);
    long before = last.putRowsKnown();
    assertThat(store.multiPutIfNewer(TABLE, at11)).isEqualTo(500);
    // kept by key (two-way sets of 2^20 places): 500 keys all stay
    assertThat(last.putRowsKnown() - before).as("rows not read again").isEqualTo(500L);
    assertThat(store.multiPutIfNewer(TABLE, at5)).as("older than what is stored").isZero();
    assertThat(store.multiPutIfNotOlder(TABLE, at11.subList(0, 3))).as("equal: a refill replaces").isEqualTo(3);

    // every other kind of write of a key makes the next newest-wins write read its row again
    store.multiPut(TABLE, List.of(new Entry(userKey(1), row(4, null, 1))));
    store.delete(TABLE, List.of(userKey(2)));
    OnlineStore.VersionedRows read = store.readForSwap(TABLE, List.of(userKey(3)));
    store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(3), read.rows().get(0), row(2, null, 3),
        read.versions()[0])));
    List<Entry> at6 = List.of(new Entry(userKey(1), row(6, null, 1)), new Entry(userKey(2), row(6, null, 2)),
        new Entry(userKey(3), row(6, null, 3)), new Entry(userKey(4), row(6, null, 4)));
    assertThat(store.multiPutIfNewer(TABLE, at6)).as("keys 1-3, not 4 (stored at 11)").isEqualTo(3);
    assertThat(store.multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3), userKey(4))))
        .containsExactly(row(6, null, 1), row(6, null, 2), row(6, null, 3), row(11, null, 4));
    store.dropTable(TABLE);
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(4), row(1, null, 4))))).isEqualTo(1);
    assertThat(store.multiGet(TABLE, List.of(userKey(4)))).containsExactly(row(1, null, 4));
    // the same key in another table is another row
    assertThat(store.multiPutIfNewer("other", List.of(new Entry(userKey(4), row(0, null, 4))))).isEqualTo(1);
  }

  @Test
  void readForSwapAnswersFromTheRowsSwapsWroteUntilAnotherWriteTouchesTheKey() {
    List<byte[]> keys = new ArrayList<>();
    List<Swap> first = new ArrayList<>();
    for (int k = 0; k < 500; k++) {
      keys.add(userKey(k));
      first.add(new Swap(userKey(k), null, row(10, null, k)));
    }
    store.multiCompareAndSet(TABLE, first);
    long before = last.swapRowsKnown();
    OnlineStore.VersionedRows read = store.readForSwap(TABLE, keys);
    assertThat(last.swapRowsKnown() - before).as("rows not read from RocksDB").isEqualTo(500L);
    for (int k = 0; k < keys.size(); k++) {
      assertThat(read.rows().get(k)).as("key %d", k).isEqualTo(row(10, null, k));
    }
    read.rows().get(0)[0] ^= 1; // a caller's copy: changing it changes nothing kept

    // a write of another kind, a delete or a dropped table: read from RocksDB, as stored
    store.multiPut(TABLE, List.of(new Entry(userKey(1), row(4, null, 1))));
    store.delete(TABLE, List.of(userKey(2)));
    assertThat(store.readForSwap(TABLE, List.of(userKey(0), userKey(1), userKey(2))).rows())
        .containsExactly(row(10, null, 0), row(4, null, 1), null);
    assertThat(store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(3), row(10, null, 3), row(11, null, 3),
        read.versions()[3])))).containsExactly(true);
    assertThat(store.readForSwap(TABLE, List.of(userKey(3))).rows()).containsExactly(row(11, null, 3));
    // a newest-wins write of a swapped key: the swap's kept row is forgotten
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(3), row(12, null, 3))))).isEqualTo(1);
    assertThat(store.readForSwap(TABLE, List.of(userKey(3))).rows()).containsExactly(row(12, null, 3));
    store.dropTable(TABLE);
    assertThat(store.readForSwap(TABLE, List.of(userKey(3))).rows()).containsOnlyNulls();
    store.createTable(TABLE);
    assertThat(store.readForSwap(TABLE, List.of(userKey(3))).rows()).containsOnlyNulls();
    assertThat(store.readForSwap("other", List.of(userKey(4))).rows()).containsOnlyNulls();
  }

  @Test
  void writingToATableNeverCreatedCreatesIt() {
    assertThat(store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(10, null, 1))))).isEqualTo(1);

    assertThat(store.multiGet(TABLE, List.of(userKey(1)))).containsExactly(row(10, null, 1));
  }

  @Test
  void twoSwapsOfOneKeyInACallAreRefusedAndNothingIsWritten() {
    assertThatThrownBy(() -> store.multiCompareAndSet(TABLE, List.of(new Swap(userKey(1), null, row(10, null, 1)),
        new Swap(userKey(2), null, row(10, null, 2)), new Swap(userKey(1), null, row(11, null, 3)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("swaps 0 and 2");
    assertThatThrownBy(() -> store.multiCompareAndSet(TABLE, Arrays.asList(new Swap(userKey(1), null, null), null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("swaps[1]");

    assertThat(store.multiGet(TABLE, List.of(userKey(1), userKey(2)))).containsOnlyNulls();
  }

  @Test
  void eachTableIsAColumnFamilyFoundAgainAtOpen() throws Exception {
    store.createTable(TABLE);
    store.createTable("default");
    store.createTable("drop.me");
    store.multiPutIfNewer("default", List.of(new Entry(userKey(1), row(10, null, 1))));
    store.dropTable("drop.me");
    store.close();

    List<String> families;
    try (Options options = new Options()) {
      families = RocksDB.listColumnFamilies(options, dir.resolve("online").toString()).stream()
          .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
    assertThat(families).containsExactlyInAnyOrder("default", "table:" + TABLE, "table:default");

    OnlineStore again = reopened();
    assertThat(again.multiGet("default", List.of(userKey(1)))).containsExactly(row(10, null, 1));
  }

  @Test
  void aValueTooShortForAnOrderKeyIsRejectedAndNothingIsWritten() {
    store.createTable(TABLE);

    assertThatThrownBy(() -> store.multiPutIfNewer(TABLE, List.of(
            new Entry(userKey(1), row(10, null, 1)), new Entry(userKey(2), new byte[] {1, 2, 3}))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 1")
        .hasMessageContaining("RowEncoding");
    assertThat(store.multiGet(TABLE, List.of(userKey(1)))).containsOnlyNulls();
  }

  @Test
  void nullKeysAreRejectedBeforeReachingRocksDb() {
    store.createTable(TABLE);

    assertThatThrownBy(() -> store.multiGet(TABLE, Arrays.asList(userKey(1), null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keys[1]");
    assertThatThrownBy(() -> store.delete(TABLE, Arrays.asList(null, userKey(1))))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.multiPutIfNewer(TABLE, Arrays.asList((Entry) null)))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailClearly() {
    store.createTable(TABLE);
    store.close();
    store.close();

    Path where = dir.resolve("online").toAbsolutePath();
    List<Runnable> calls = List.of(
        () -> store.multiGet(TABLE, List.of(userKey(1))),
        () -> store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(1), row(10, null, 1)))),
        () -> store.multiPutIfNewer("other", List.of(new Entry(userKey(1), row(10, null, 1)))),
        () -> store.delete(TABLE, List.of(userKey(1))),
        () -> store.createTable("other"),
        () -> store.createTable(TABLE),
        () -> store.dropTable(TABLE),
        store::check);
    for (Runnable call : calls) {
      assertThatThrownBy(call::run)
          .isInstanceOf(QuiverException.class)
          .hasMessage("the online store at " + where + " is closed");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void closingWhileOthersWriteAndReadNeverCrashes() throws Exception {
    store.createTable(TABLE);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch started = new CountDownLatch(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          started.countDown();
          for (long i = 0; ; i++) {
            try {
              if (thread % 2 == 0) {
                store.multiPutIfNewer(TABLE, List.of(new Entry(userKey(i % 100), row(i, null, i))));
              } else {
                store.multiGet(TABLE, List.of(userKey(i % 100)));
              }
            } catch (QuiverException e) {
              assertThat(e).hasMessageEndingWith("is closed");
              return null;
            }
          }
        }));
      }
      started.await();
      Thread.sleep(50);

      store.close();

      for (Future<?> w : workers) {
        w.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }


  private static void putAll(OnlineStore s, String table, int[] ids, long eventSecond, String what) {
    int batchSize = 10_000;
    long nanos = 0;
    int written = 0;
    for (int from = 0; from < ids.length; from += batchSize) {
      List<Entry> batch = new ArrayList<>(batchSize);
      for (int i = from; i < Math.min(ids.length, from + batchSize); i++) {
        batch.add(new Entry(userKey(ids[i]), row(eventSecond, null, ids[i])));
      }
      long start = System.nanoTime();
      written += s.multiPutIfNewer(table, batch);
      nanos += System.nanoTime() - start;
    }
    System.out.printf("multiPutIfNewer, %s: %,d rows (%,d written) in batches of %,d: %.2f s, %,.0f rows/s%n",
        what, ids.length, written, batchSize, nanos / 1e9, ids.length / (nanos / 1e9));
  }
}
