package dev.quiver.online.rocksdb;

import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.OnlineStore.VersionedRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The compare-and-set of {@link RocksDbOnlineStore} (tile rows): every writer of a key lives in this
 * process (RocksDB locks the directory), so a call holds the stripes of its keys (as every other
 * write does) around one multi-get, the byte comparisons and one atomic {@link WriteBatch} of the
 * swaps that succeeded. A swap whose expected bytes were read with their write counter ({@link
 * #read}, before the row), and whose counter has not moved since, is not read again ({@link
 * RowVersions}); the others are. The rows a swap wrote are kept ({@link WrittenRows}), so reading
 * them for the next swap of their key needs no RocksDB read while no other write touched their
 * slot. Thread-safe; the caller holds the store's lifecycle read lock around {@link #read} and
 * {@link #swap}.
 */
final class RowSwaps {
  private final RocksDB db;
  private final RocksDbResources resources;
  private final KeyStripes keyStripes;
  private final RowVersions versions;
  /** Swaps whose row was read again under the lock (no version, or a stale one); for tests and profiles. */
  private final LongAdder rereads = new LongAdder();
  /** Rows {@link #read} took from {@link #written} instead of RocksDB; for tests and profiles. */
  private final LongAdder knownHits = new LongAdder();
  private final WrittenRows written;
  /** The newest-wins writes' kept headers: a swap forgets its keys' there. */
  private final WrittenRows headers;
  /** Rows {@link #read} read from RocksDB; for tests and profiles. */
  private final LongAdder storedReads = new LongAdder();

  RowSwaps(RocksDB db, RocksDbResources resources, KeyStripes keyStripes, RowVersions versions, KeptRows kept) {
    this.db = db;
    this.resources = resources;
    this.keyStripes = keyStripes;
    this.versions = versions;
    this.written = kept.rows();
    this.headers = kept.headers();
  }

  /** How many rows {@link #read} did not read from RocksDB, a swap having written them last. */
  long knownHits() {
    return knownHits.sum();
  }

  /**
   * Reads the rows of {@code keys} with their write counters, each counter before its row: a row a
   * swap wrote last in its slot while the slot's counter is still the one read comes from {@link
   * WrittenRows} (a copy), the others from RocksDB in one multi-get.
   */
  VersionedRows read(String table, ColumnFamilyHandle handle, List<byte[]> keys) throws RocksDBException {
    int tableHash = table.hashCode();
    long[] read = new long[keys.size()];
    byte[][] rows = new byte[keys.size()][];
    List<byte[]> unknown = new ArrayList<>();
    int[] unknownAt = new int[keys.size()];
    for (int i = 0; i < read.length; i++) {
      byte[] key = keys.get(i);
      int keyHash = KeyRef.hash(key);
      read[i] = versions.get(versions.slotOf(keyHash, tableHash));
      byte[] row = written.at(WrittenRows.hash(keyHash, tableHash), table, key);
      if (row == null) {
        unknownAt[unknown.size()] = i;
        unknown.add(key);
      } else {
        rows[i] = row.clone();
      }
    }
    knownHits.add(read.length - unknown.size());
    storedReads.add(unknown.size());
    if (!unknown.isEmpty()) {
      List<byte[]> stored = db.multiGetAsList(resources.readOptions(), Collections.nCopies(unknown.size(), handle),
          unknown);
      for (int u = 0; u < stored.size(); u++) {
        rows[unknownAt[u]] = stored.get(u);
      }
    }
    return new VersionedRows(Arrays.asList(rows), read);
  }

  /** How many rows {@link #read} read from RocksDB (not kept). */
  long storedReads() {
    return storedReads.sum();
  }

  /** How many swaps read their row again under the lock so far. */
  long rereads() {
    return rereads.sum();
  }

  /** The write counters of {@code keys}, for a table not created yet. */
  long[] versionsOf(String table, List<byte[]> keys) {
    int tableHash = table.hashCode();
    long[] read = new long[keys.size()];
    for (int i = 0; i < read.length; i++) {
      read[i] = versions.get(versions.slot(keys.get(i), tableHash));
    }
    return read;
  }

  /**
   * Applies the swaps whose expected bytes are stored.
   *
   * @param swaps non-empty
   * @param refs their keys, from {@link #distinctKeys}
   * @return which swaps were written
   */
  boolean[] swap(String table, ColumnFamilyHandle handle, List<Swap> swaps, KeyRef[] refs) throws RocksDBException {
    boolean[] done = new boolean[swaps.size()];
    List<byte[]> keys = new ArrayList<>(refs.length);
    for (KeyRef ref : refs) {
      keys.add(ref.bytes);
    }
    int[] held = keyStripes.lock(table, keys);
    try (WriteBatch batch = new WriteBatch()) {
      int tableHash = table.hashCode();
      int[] slots = new int[refs.length];
      List<byte[]> reread = new ArrayList<>();
      int[] rereadAt = new int[keys.size()];
      for (int i = 0; i < slots.length; i++) {
        Swap s = swaps.get(i);
        slots[i] = versions.slotOf(refs[i].hash, tableHash);
        boolean trusted = s.readVersion() != Swap.UNREAD && versions.get(slots[i]) == s.readVersion();
        rereadAt[i] = trusted ? -1 : reread.size();
        if (!trusted) {
          reread.add(s.key());
        }
      }
      rereads.add(reread.size());
      List<byte[]> stored = reread.isEmpty() ? List.of()
          : db.multiGetAsList(resources.readOptions(), Collections.nCopies(reread.size(), handle), reread);
      int puts = 0; // counted here: WriteBatch.count() is a native call
      for (int i : inKeyOrder(refs)) { // a memtable takes sorted inserts faster
        Swap s = swaps.get(i);
        if (rereadAt[i] < 0 || Arrays.equals(stored.get(rereadAt[i]), s.expected())) {
          done[i] = true;
          puts++;
          if (s.value() == null) {
            batch.delete(handle, s.key());
          } else {
            batch.put(handle, s.key(), s.value());
          }
        }
      }
      if (puts > 0) {
        db.write(resources.writeOptions(), batch);
        // kept rows first, then the counters: a reader that sees a bumped counter finds the new row
        try (WrittenRows.Recording rows = written.recording(); WrittenRows.Recording heads = headers.recording()) {
          for (int i = 0; i < done.length; i++) {
            if (done[i]) {
              int hash = WrittenRows.hash(refs[i].hash, tableHash);
              byte[] value = swaps.get(i).value();
              if (value != null) {
                rows.wrote(hash, table, keys.get(i), value.clone());
              } else {
                rows.forget(hash, table, keys.get(i));
              }
              heads.forget(hash, table, keys.get(i));
            }
          }
        }
        for (int i = 0; i < done.length; i++) {
          if (done[i]) {
            versions.bump(slots[i]);
          }
        }
      }
      return done;
    } finally {
      keyStripes.unlock(held);
    }
  }

  /** The indexes of the swaps, ordered by key (unsigned bytes, RocksDB's order). */
  private static int[] inKeyOrder(KeyRef[] refs) {
    KeyRef[] sorted = refs.clone();
    Arrays.sort(sorted, KeyRef.ORDER);
    int[] order = new int[sorted.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = sorted[i].slot;
    }
    return order;
  }

  /**
   * The keys of the swaps, in order, each with its index as its {@link KeyRef#slot}.
   *
   * @throws IllegalArgumentException when two swaps have the same key
   */
  static KeyRef[] distinctKeys(String table, List<Swap> swaps) {
    KeyRef[] refs = new KeyRef[swaps.size()];
    Map<KeyRef, KeyRef> seen = new HashMap<>(Math.max(16, swaps.size() * 4 / 3 + 1));
    for (int i = 0; i < refs.length; i++) {
      KeyRef ref = new KeyRef(swaps.get(i).key());
      ref.slot = i;
      KeyRef before = seen.putIfAbsent(ref, ref);
      if (before != null) {
        throw new IllegalArgumentException("swaps " + before.slot + " and " + i + " of table " + table
            + " have the same key; a call swaps each key once");
      }
      refs[i] = ref;
    }
    return refs;
  }

}
