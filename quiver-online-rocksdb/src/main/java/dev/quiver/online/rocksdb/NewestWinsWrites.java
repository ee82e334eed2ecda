package dev.quiver.online.rocksdb;

import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.RowEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The newest-wins writes of {@link RocksDbOnlineStore} ({@code multiPutIfNewer}, {@code
 * multiPutIfNotOlder}): read the stored rows of a batch's distinct keys in one multi-get (in key
 * order) before taking their stripes, except those whose order header the last write of their slot
 * left ({@link WrittenRows}), then, under the stripes, again those another write changed
 * meanwhile ({@link RowVersions}); keep each entry newer than the stored row and than the entries of
 * its key before it, and write the last one kept per key in one atomic {@link WriteBatch}, bumping
 * the written keys' counters before the stripes are let go. Thread-safe; the caller holds the
 * store's lifecycle read lock around {@link #write}.
 */
final class NewestWinsWrites {
  private final RocksDB db;
  private final RocksDbResources resources;
  private final KeyStripes keyStripes;
  private final RowVersions versions;
  /** Rows read again under their stripes (written by another since the first read); for tests and profiles. */
  private final LongAdder rereads = new LongAdder();
  /** Rows not read because {@link #known} had their order header; for tests and profiles. */
  private final LongAdder knownHits = new LongAdder();
  private final WrittenRows known;
  /** The swaps' kept rows: a newest-wins write forgets its keys' there. */
  private final WrittenRows rows;
  /** Rows read from RocksDB before the stripes (not kept); for tests and profiles. */
  private final LongAdder storedReads = new LongAdder();

  NewestWinsWrites(RocksDB db, RocksDbResources resources, KeyStripes keyStripes, RowVersions versions,
      KeptRows kept) {
    this.db = db;
    this.resources = resources;
    this.keyStripes = keyStripes;
    this.versions = versions;
    this.known = kept.headers();
    this.rows = kept.rows();
  }

  /** How many rows were not read because the last newest-wins write of their slot had stored them. */
  long knownHits() {
    return knownHits.sum();
  }

  /** How many rows were read from RocksDB before the stripes (not kept). */
  long storedReads() {
    return storedReads.sum();
  }

  /** How many rows were read again under their stripes so far. */
  long rereads() {
    return rereads.sum();
  }

  /**
   * Writes the entries newer than the stored rows, or also equal ones with {@code replaceEqual}.
   *
   * @param entries non-empty, each value holding an order key (checked by the caller)
   * @return the entries written when applied in sequence
   */
  int write(String table, ColumnFamilyHandle handle, List<Entry> entries, boolean replaceEqual)
      throws RocksDBException {
    // the distinct keys, sorted: RocksDB reads and (above all) inserts sorted keys faster
    Map<KeyRef, KeyRef> distinct = new HashMap<>(Math.max(16, entries.size() * 4 / 3 + 1));
    KeyRef[] refOf = new KeyRef[entries.size()];
    int tableHash = table.hashCode();
    BitSet stripeSet = new BitSet(keyStripes.locks().length);
    for (int i = 0; i < entries.size(); i++) {
      KeyRef ref = new KeyRef(entries.get(i).key());
      KeyRef first = distinct.putIfAbsent(ref, ref);
      if (first == null) {
        stripeSet.set(keyStripes.stripe(ref.hash, tableHash));
      }
      refOf[i] = first == null ? ref : first;
    }
    KeyRef[] sorted = distinct.values().toArray(new KeyRef[0]);
    Arrays.sort(sorted, KeyRef.ORDER);
    List<byte[]> keys = new ArrayList<>(sorted.length);
    for (KeyRef ref : sorted) {
      ref.slot = keys.size();
      keys.add(ref.bytes);
    }
    int[] slotOf = new int[entries.size()];
    for (int i = 0; i < slotOf.length; i++) {
      slotOf[i] = refOf[i].slot;
    }
    // the stored rows are read (or known: WrittenRows) before the stripes are taken, each after its write
    // counter (RowVersions); under the stripes only the rows written meanwhile are read again, so the stripes
    // are held for the write
    int[] counterOf = new int[keys.size()];
    long[] seen = new long[keys.size()];
    for (int k = 0; k < counterOf.length; k++) {
      counterOf[k] = versions.slotOf(sorted[k].hash, tableHash);
      seen[k] = versions.get(counterOf[k]);
    }
    byte[][] current = readUnknown(table, handle, sorted, counterOf, tableHash);
    int[] locked = stripeSet.stream().toArray(); // ascending: batches never wait on each other in a cycle
    ReentrantLock[] stripes = keyStripes.locks();
    for (int s : locked) {
      stripes[s].lock();
    }
    try {
      readMoved(handle, keys, counterOf, seen, current);
      boolean[] changed = new boolean[keys.size()];
      int written = 0;
      for (int i = 0; i < slotOf.length; i++) {
        byte[] value = entries.get(i).value();
        int slot = slotOf[i];
        if (replaceEqual ? RowEncoding.isNotOlder(value, current[slot]) : RowEncoding.isNewer(value, current[slot])) {
          current[slot] = value;
          changed[slot] = true;
          written++;
        }
      }
      if (written > 0) {
        try (WriteBatch batch = new WriteBatch()) {
          for (int slot = 0; slot < changed.length; slot++) {
            if (changed[slot]) {
              batch.put(handle, keys.get(slot), current[slot]);
            }
          }
          db.write(resources.writeOptions(), batch);
        }
        // kept headers first, then the counters: a reader that sees a bumped counter finds the new header
        try (WrittenRows.Recording heads = known.recording(); WrittenRows.Recording whole = rows.recording()) {
          for (int slot = 0; slot < changed.length; slot++) {
            if (changed[slot]) {
              int hash = WrittenRows.hash(sorted[slot].hash, tableHash);
              heads.wrote(hash, table, keys.get(slot), RowEncoding.orderHeader(current[slot]));
              whole.forget(hash, table, keys.get(slot));
            }
          }
        }
        for (int slot = 0; slot < changed.length; slot++) {
          if (changed[slot]) {
            versions.bump(counterOf[slot]);
          }
        }
      }
      return written;
    } finally {
      keyStripes.unlock(locked);
    }
  }

  /**
   * The stored rows of {@code keys} as far as the comparisons need them: the order header of a row
   * this class wrote last in its slot while the slot's counter is still {@code seen} ({@link
   * WrittenRows}), else the row read from RocksDB (in one multi-get), else null.
   */
  private byte[][] readUnknown(String table, ColumnFamilyHandle handle, KeyRef[] keys, int[] counterOf, int tableHash)
      throws RocksDBException {
    byte[][] current = new byte[keys.length][];
    List<byte[]> unknown = new ArrayList<>();
    int[] unknownAt = new int[keys.length];
    for (int k = 0; k < current.length; k++) {
      current[k] = known.at(WrittenRows.hash(keys[k].hash, tableHash), table, keys[k].bytes);
      if (current[k] == null) {
        unknownAt[unknown.size()] = k;
        unknown.add(keys[k].bytes);
      }
    }
    knownHits.add(current.length - unknown.size());
    storedReads.add(unknown.size());
    if (!unknown.isEmpty()) {
      List<byte[]> stored = db.multiGetAsList(resources.readOptions(), Collections.nCopies(unknown.size(), handle),
          unknown);
      for (int u = 0; u < stored.size(); u++) {
        current[unknownAt[u]] = stored.get(u);
      }
    }
    return current;
  }

  /** Reads again, into {@code current}, the rows whose write counter moved since {@code seen}. */
  private void readMoved(ColumnFamilyHandle handle, List<byte[]> keys, int[] counterOf, long[] seen, byte[][] current)
      throws RocksDBException {
    List<Integer> moved = new ArrayList<>();
    for (int k = 0; k < counterOf.length; k++) {
      if (versions.get(counterOf[k]) != seen[k]) {
        moved.add(k);
      }
    }
    if (moved.isEmpty()) {
      return;
    }
    rereads.add(moved.size());
    List<byte[]> again = db.multiGetAsList(resources.readOptions(), Collections.nCopies(moved.size(), handle),
        moved.stream().map(keys::get).toList());
    for (int m = 0; m < moved.size(); m++) {
      current[moved.get(m)] = again.get(m);
    }
  }
}
